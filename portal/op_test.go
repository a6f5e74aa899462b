package portal

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// rpRequest is what a relying party sends the authorization endpoint,
// built from the portal's own keys so each case breaks one thing.
type rpRequest struct {
	query  url.Values
	claims map[string]any
	key    *jose.JSONWebKey // nil: the portal's sig key
	raw    string           // when set, the request object as is
	none   bool             // no request object at all
}

func validRequest(p *Portal, op *OP) (rpRequest, string) {
	verifier := oauth2.GenerateVerifier()
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	now := time.Now()
	claims := map[string]any{"iss": p.URL(), "aud": []string{op.Issuer()}, "client_id": p.URL(), "response_type": "code",
		"scope": "openid", "redirect_uri": p.redirectURI(), "state": randomHex(24), "nonce": randomHex(24),
		"code_challenge": challenge, "code_challenge_method": "S256", "acr_values": acrL2,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": randomHex(8)}
	q := url.Values{"client_id": {p.URL()}, "response_type": {"code"}, "scope": {"openid"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	return rpRequest{query: q, claims: claims}, verifier
}

func (rq rpRequest) send(t *testing.T, p *Portal, op *OP) (int, string) {
	t.Helper()
	q := url.Values{}
	for k, v := range rq.query {
		q[k] = v
	}
	switch {
	case rq.none:
	case rq.raw != "":
		q.Set("request", rq.raw)
	default:
		key := p.keys.current("sig")
		if rq.key != nil {
			key = *rq.key
		}
		token, err := signJWT(key, "", rq.claims)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("request", token)
	}
	resp, err := http.Get(op.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// unsigned is a request object with "alg": "none".
func unsigned(claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	body, _ := json.Marshal(claims)
	return head + "." + base64.RawURLEncoding.EncodeToString(body) + "."
}

func TestProviderHoldsTheRelyingPartyToTheProfile(t *testing.T) {
	st := testStore(t)
	op, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	stranger, err := newSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		breakIt func(rq *rpRequest)
		want    string
	}{
		{"valid", func(rq *rpRequest) {}, ""},
		{"no PKCE", func(rq *rpRequest) {
			rq.query.Del("code_challenge")
			rq.query.Del("code_challenge_method")
			delete(rq.claims, "code_challenge")
			delete(rq.claims, "code_challenge_method")
		}, "PKCE"},
		{"PKCE plain", func(rq *rpRequest) {
			rq.query.Set("code_challenge_method", "plain")
			rq.claims["code_challenge_method"] = "plain"
		}, "PKCE"},
		{"no request object", func(rq *rpRequest) { rq.none = true }, "signed request object"},
		{"unsigned request object", func(rq *rpRequest) { rq.raw = unsigned(rq.claims) }, "not signed"},
		{"request object signed by another key", func(rq *rpRequest) { rq.key = &stranger }, "not signed"},
		{"redirect_uri not registered", func(rq *rpRequest) { rq.claims["redirect_uri"] = "http://127.0.0.1:1/steal" }, "redirect_uri"},
		{"another audience", func(rq *rpRequest) { rq.claims["aud"] = []string{"https://op.example.it"} }, "aud"},
		{"expired", func(rq *rpRequest) { rq.claims["exp"] = time.Now().Add(-time.Minute).Unix() }, "expired"},
		{"short state", func(rq *rpRequest) { rq.claims["state"] = "abc" }, "state"},
		{"no SPID level 2", func(rq *rpRequest) { rq.claims["acr_values"] = "https://www.spid.gov.it/SpidL1" }, "level"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rq, _ := validRequest(p, op)
			tc.breakIt(&rq)
			status, body := rq.send(t, p, op)
			if tc.want == "" {
				if status != http.StatusOK || !hiddenRequest.MatchString(body) {
					t.Fatalf("a valid request refused: %d %s", status, body)
				}
				return
			}
			if status != http.StatusBadRequest || !strings.Contains(body, tc.want) {
				t.Fatalf("want a refusal naming %q, got %d %s", tc.want, status, body)
			}
		})
	}
}

// codeFor runs a valid authorization and returns the code and verifier.
func codeFor(t *testing.T, p *Portal, op *OP) (code, verifier string) {
	t.Helper()
	rq, verifier := validRequest(p, op)
	status, body := rq.send(t, p, op)
	req, cf := hiddenRequest.FindStringSubmatch(body), hiddenCF.FindStringSubmatch(body)
	if status != http.StatusOK || req == nil {
		t.Fatalf("authorize: %d %s", status, body)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(op.Issuer()+"/authorize", url.Values{"request": {req[1]}, "cf": {cf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" || loc.Query().Get("iss") != op.Issuer() {
		t.Fatalf("answer: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), verifier
}

func TestTokenEndpointHoldsTheRelyingPartyToTheProfile(t *testing.T) {
	st := testStore(t)
	op, pc := testOP(t, st)
	p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}})
	stranger, err := newSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	assertion := func(key jose.JSONWebKey, aud string) string {
		now := time.Now()
		s, err := signJWT(key, "", map[string]any{"iss": p.URL(), "sub": p.URL(), "aud": aud, "iat": now.Unix(),
			"exp": now.Add(time.Minute).Unix(), "jti": randomHex(8)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name   string
		form   func(f url.Values, verifier string)
		status int
	}{
		{"valid", func(f url.Values, v string) {}, http.StatusOK},
		{"no client assertion", func(f url.Values, v string) { f.Del("client_assertion") }, http.StatusUnauthorized},
		{"client assertion signed by another key", func(f url.Values, v string) {
			f.Set("client_assertion", assertion(stranger, op.Issuer()+"/token"))
		}, http.StatusUnauthorized},
		{"client assertion for another audience", func(f url.Values, v string) {
			f.Set("client_assertion", assertion(p.keys.current("sig"), "https://op.example.it/token"))
		}, http.StatusUnauthorized},
		{"client assertion unsigned", func(f url.Values, v string) {
			f.Set("client_assertion", unsigned(map[string]any{"iss": p.URL(), "sub": p.URL(), "aud": op.Issuer() + "/token", "jti": "x",
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix()}))
		}, http.StatusUnauthorized},
		{"no code_verifier", func(f url.Values, v string) { f.Del("code_verifier") }, http.StatusBadRequest},
		{"wrong code_verifier", func(f url.Values, v string) { f.Set("code_verifier", oauth2.GenerateVerifier()) }, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, verifier := codeFor(t, p, op)
			f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {p.redirectURI()},
				"client_id": {p.URL()}, "code_verifier": {verifier}, "client_assertion_type": {clientAssertionType},
				"client_assertion": {assertion(p.keys.current("sig"), op.Issuer()+"/token")}}
			tc.form(f, verifier)
			resp, err := http.PostForm(op.Issuer()+"/token", f)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.status == http.StatusOK {
				// The code is used once.
				again, err := http.PostForm(op.Issuer()+"/token", f)
				if err != nil {
					t.Fatal(err)
				}
				again.Body.Close()
				if again.StatusCode == http.StatusOK {
					t.Fatal("a code was exchanged twice")
				}
			}
		})
	}
}
