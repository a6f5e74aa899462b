package portal

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// OP is an OpenID provider of the SPID/CIE profile, for the demonstration
// (sportellod serve --demo mounts it on the portal) and the tests, which
// run it on its own listener. It holds the relying party to the profile: a
// signed request object naming a registered redirect URI, PKCE S256, SPID
// level 2, a private_key_jwt client assertion, each code once; it signs
// ID tokens and answers userinfo signed and encrypted to the relying
// party's key. Who may sign in is the list its Citizens gives: it checks
// no password, so it is never offered outside a demonstration.
type OP struct {
	issuer   string
	citizens func(ctx context.Context) ([]Citizen, error)
	// clients finds a relying party's metadata by client_id; by default
	// from its entity configuration over HTTP.
	clients func(ctx context.Context, clientID string) (rpMetadata, error)
	fedKey  jose.JSONWebKey
	sigKey  jose.JSONWebKey
	now     func() time.Time
	page    *template.Template

	// federation: publish an entity configuration; else only standard discovery.
	federation bool
	// authorityHints are the federation authorities above the provider.
	authorityHints []string
	// For the tests of the relying party's checks: tokens signed with
	// forgeKey (not published), tokens that live tokenTTL.
	forgeKey *jose.JSONWebKey
	tokenTTL time.Duration

	mu      sync.Mutex
	pending map[string]*authRequest // by id, shown on the chooser
	codes   map[string]*authRequest // by code
	tokens  map[string]*authRequest // by access token
	jtis    map[string]time.Time    // client assertions seen
}

// Citizen is a person the provider may sign in.
type Citizen struct {
	CF, Surname, Name string
}

type authRequest struct {
	clientID, redirectURI, state, nonce, challenge, acr, scope string
	citizen                                                    Citizen
	client                                                     rpMetadata
	at                                                         time.Time
	used                                                       bool
}

// opLifetime bounds what the OP keeps: a pending request, a code, a token.
const (
	opRequestTTL = 10 * time.Minute
	opCodeTTL    = time.Minute
	opTokenTTL   = 10 * time.Minute
	opMaxPending = 10_000
)

// NewOP makes a provider with fresh keys whose entity id is issuer.
func NewOP(issuer string, citizens func(ctx context.Context) ([]Citizen, error), client *http.Client) (*OP, error) {
	op := &OP{issuer: strings.TrimRight(issuer, "/"), citizens: citizens, now: time.Now, federation: true, tokenTTL: opTokenTTL,
		pending: map[string]*authRequest{}, codes: map[string]*authRequest{}, tokens: map[string]*authRequest{}, jtis: map[string]time.Time{}}
	var err error
	if op.fedKey, err = newSigningKey(); err != nil {
		return nil, err
	}
	if op.sigKey, err = newSigningKey(); err != nil {
		return nil, err
	}
	op.clients = func(ctx context.Context, clientID string) (rpMetadata, error) {
		es, err := fetchEntityConfiguration(ctx, client, clientID, op.now())
		if err != nil {
			return rpMetadata{}, err
		}
		return relyingPartyOf(es)
	}
	op.page = template.Must(template.New("").ParseFS(webFiles, "web/pages/layout.html", "web/pages/demo-idp.html"))
	return op, nil
}

// relyingPartyOf is the relying party's metadata in its entity configuration.
func relyingPartyOf(es entityStatement) (rpMetadata, error) {
	var md rpMetadata
	raw, ok := es.Metadata["openid_relying_party"]
	if !ok {
		return rpMetadata{}, errors.New("entity configuration without openid_relying_party")
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		return rpMetadata{}, err
	}
	if md.ClientID != es.Sub {
		return rpMetadata{}, errors.New("client_id is not the entity id")
	}
	return md, nil
}

func newSigningKey() (jose.JSONWebKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	k := jose.JSONWebKey{Key: priv, Use: "sig", Algorithm: string(jose.RS256)}
	pub := k.Public()
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return jose.JSONWebKey{}, err
	}
	k.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	return k, nil
}

// publicKeys is the provider's published token keys.
func (op *OP) publicKeys() *jose.JSONWebKeySet {
	k := op.signingKey()
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}}
}

// signingKey is the key the provider signs tokens with now.
func (op *OP) signingKey() jose.JSONWebKey {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.sigKey
}

// rotateSigningKey replaces the key tokens are signed with, as providers
// do; it publishes only the new one.
func (op *OP) rotateSigningKey() error {
	k, err := newSigningKey()
	if err != nil {
		return err
	}
	op.mu.Lock()
	op.sigKey = k
	op.mu.Unlock()
	return nil
}

// Issuer is the provider's entity id.
func (op *OP) Issuer() string { return op.issuer }

// Handler serves the provider's endpoints, at the issuer's path.
func (op *OP) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+wellKnownFederation, func(w http.ResponseWriter, r *http.Request) {
		if !op.federation {
			http.NotFound(w, r)
			return
		}
		token, err := op.entityConfiguration()
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		io.WriteString(w, token)
	})
	mux.HandleFunc("GET "+wellKnownOIDC, func(w http.ResponseWriter, r *http.Request) {
		md := op.metadata()
		md.JWKS, md.JWKSURI = nil, op.issuer+"/jwks"
		writeJSONBody(w, http.StatusOK, md)
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSONBody(w, http.StatusOK, op.publicKeys())
	})
	mux.HandleFunc("GET /authorize", op.handleAuthorize)
	mux.HandleFunc("POST /authorize", op.handleChoose)
	mux.HandleFunc("POST /token", op.handleToken)
	mux.HandleFunc("GET /userinfo", op.handleUserinfo)
	return mux
}

func (op *OP) metadata() opMetadata {
	return opMetadata{Issuer: op.issuer, AuthorizationEndpoint: op.issuer + "/authorize", TokenEndpoint: op.issuer + "/token",
		UserinfoEndpoint: op.issuer + "/userinfo", JWKS: op.publicKeys(),
		ScopesSupported: []string{"openid", "offline_access"}, ResponseTypes: []string{"code"}, CodeChallengeMethods: []string{"S256"},
		ACRValues: []string{"https://www.spid.gov.it/SpidL1", acrL2, acrL3}, RequestObjectAlgs: []string{"RS256"},
		TokenAuthMethods: []string{"private_key_jwt"}, UserinfoEncAlgs: []string{"RSA-OAEP", "RSA-OAEP-256"},
		UserinfoEncEncs: []string{"A128CBC-HS256", "A256CBC-HS512"}, IDTokenAlgs: []string{"RS256"}, SubjectTypes: []string{"pairwise"}}
}

func (op *OP) entityConfiguration() (string, error) {
	md, err := json.Marshal(op.metadata())
	if err != nil {
		return "", err
	}
	now := op.now()
	return signJWT(op.fedKey, entityStatementType, entityStatement{Iss: op.issuer, Sub: op.issuer, Iat: now.Unix(), AuthorityHints: op.authorityHints,
		Exp: now.Add(entityLifetime).Unix(), JWKS: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{op.fedKey.Public()}},
		Metadata: map[string]json.RawMessage{"openid_provider": md}})
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// refuse answers a request that breaks the profile. The relying party is
// not trusted yet, so nothing is redirected to it.
func refuse(w http.ResponseWriter, code, why string) {
	writeJSONBody(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": why})
}

// requestObject is the authorization request inside the signed JWT.
type requestObject struct {
	Iss                 string          `json:"iss"`
	Aud                 json.RawMessage `json:"aud"`
	ClientID            string          `json:"client_id"`
	ResponseType        string          `json:"response_type"`
	Scope               string          `json:"scope"`
	RedirectURI         string          `json:"redirect_uri"`
	State               string          `json:"state"`
	Nonce               string          `json:"nonce"`
	CodeChallenge       string          `json:"code_challenge"`
	CodeChallengeMethod string          `json:"code_challenge_method"`
	ACRValues           string          `json:"acr_values"`
	Exp                 int64           `json:"exp"`
	Iat                 int64           `json:"iat"`
}

func (op *OP) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if clientID == "" || q.Get("request") == "" {
		refuse(w, "invalid_request", "client_id and a signed request object are required")
		return
	}
	if q.Get("response_type") != "code" || !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		refuse(w, "invalid_request", "response_type code and scope openid are required")
		return
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		refuse(w, "invalid_request", "PKCE with S256 is required")
		return
	}
	client, err := op.clients(r.Context(), clientID)
	if err != nil {
		refuse(w, "unauthorized_client", "the relying party's entity configuration: "+err.Error())
		return
	}
	payload, err := verifyJWS(q.Get("request"), client.JWKS)
	if err != nil {
		refuse(w, "invalid_request_object", "the request object is not signed by the relying party")
		return
	}
	var ro requestObject
	if err := json.Unmarshal(payload, &ro); err != nil {
		refuse(w, "invalid_request_object", "the request object does not parse")
		return
	}
	now := op.now()
	switch {
	case ro.Iss != clientID || ro.ClientID != clientID:
		refuse(w, "invalid_request_object", "iss and client_id must be the client's")
	case !audienceHas(ro.Aud, op.issuer):
		refuse(w, "invalid_request_object", "aud must be the provider")
	case time.Unix(ro.Exp, 0).Before(now) || time.Unix(ro.Iat, 0).After(now.Add(clockSkew)):
		refuse(w, "invalid_request_object", "the request object has expired")
	case !slices.Contains(client.RedirectURIs, ro.RedirectURI):
		refuse(w, "invalid_request_object", "redirect_uri is not one of the relying party's")
	case ro.ResponseType != "code" || ro.Scope != q.Get("scope"):
		refuse(w, "invalid_request_object", "response_type and scope must match the request")
	case ro.CodeChallengeMethod != "S256" || ro.CodeChallenge != q.Get("code_challenge"):
		refuse(w, "invalid_request_object", "PKCE with S256 is required in the request object")
	case len(ro.State) < 32 || len(ro.Nonce) < 32:
		refuse(w, "invalid_request_object", "state and nonce of at least 32 characters are required")
	case !slices.Contains(strings.Fields(ro.ACRValues), acrL2) && !slices.Contains(strings.Fields(ro.ACRValues), acrL3):
		refuse(w, "invalid_request_object", "SPID level 2 or 3 must be asked")
	default:
		id := randomHex(24)
		ar := &authRequest{clientID: clientID, redirectURI: ro.RedirectURI, state: ro.State, nonce: ro.Nonce,
			challenge: ro.CodeChallenge, acr: acrL2, scope: ro.Scope, client: client, at: now}
		op.mu.Lock()
		op.sweep(now)
		if len(op.pending) >= opMaxPending {
			op.mu.Unlock()
			writeJSONBody(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
			return
		}
		op.pending[id] = ar
		op.mu.Unlock()
		op.showChooser(w, r, id, client)
	}
}

// sweep drops what has expired; op.mu is held.
func (op *OP) sweep(now time.Time) {
	for k, ar := range op.pending {
		if now.Sub(ar.at) > opRequestTTL {
			delete(op.pending, k)
		}
	}
	for k, ar := range op.codes {
		if now.Sub(ar.at) > opCodeTTL {
			delete(op.codes, k)
		}
	}
	for k, ar := range op.tokens {
		if now.Sub(ar.at) > opTokenTTL {
			delete(op.tokens, k)
		}
	}
	for k, at := range op.jtis {
		if now.Sub(at) > opTokenTTL {
			delete(op.jtis, k)
		}
	}
}

// chooserPage is the demonstration's sign-in: pick a citizen.
type chooserPage struct {
	page
	ID       string
	Client   string
	Citizens []Citizen
}

func (op *OP) showChooser(w http.ResponseWriter, r *http.Request, id string, client rpMetadata) {
	pg := chooserPage{page: page{T: newTr(pickLanguage(r)), Demo: true, Path: "/"}, ID: id, Client: client.ClientName}
	pg.Title = pg.T.L("Demonstration identity provider")
	var err error
	if pg.Citizens, err = op.citizens(r.Context()); err != nil {
		pg.Problem = pg.T.Error(err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := op.page.ExecuteTemplate(w, "demo-idp.html", pg); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// handleChoose signs the chosen citizen in and sends them back with a code.
func (op *OP) handleChoose(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		refuse(w, "invalid_request", "form")
		return
	}
	op.mu.Lock()
	ar := op.pending[r.PostForm.Get("request")]
	delete(op.pending, r.PostForm.Get("request"))
	op.mu.Unlock()
	if ar == nil {
		refuse(w, "invalid_request", "no such authorization request, or used already")
		return
	}
	citizens, err := op.citizens(r.Context())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	i := slices.IndexFunc(citizens, func(c Citizen) bool { return c.CF == r.PostForm.Get("cf") })
	if i < 0 {
		refuse(w, "access_denied", "not a citizen of this provider")
		return
	}
	ar.citizen, ar.at = citizens[i], op.now()
	code := randomHex(32)
	op.mu.Lock()
	op.codes[code] = ar
	op.mu.Unlock()
	back, _ := url.Parse(ar.redirectURI)
	v := back.Query()
	v.Set("code", code)
	v.Set("state", ar.state)
	v.Set("iss", op.issuer)
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}

func (op *OP) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		refuse(w, "invalid_request", "form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		refuse(w, "unsupported_grant_type", "authorization_code only")
		return
	}
	if f.Get("client_assertion_type") != clientAssertionType || f.Get("client_assertion") == "" {
		writeJSONBody(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "private_key_jwt is required"})
		return
	}
	op.mu.Lock()
	ar := op.codes[f.Get("code")]
	delete(op.codes, f.Get("code")) // a code is used once, whatever follows
	op.mu.Unlock()
	now := op.now()
	if ar == nil || now.Sub(ar.at) > opCodeTTL || (f.Get("client_id") != "" && f.Get("client_id") != ar.clientID) ||
		(f.Get("redirect_uri") != "" && f.Get("redirect_uri") != ar.redirectURI) {
		refuse(w, "invalid_grant", "unknown, used or expired code")
		return
	}
	if err := op.checkAssertion(f.Get("client_assertion"), ar.client, now); err != nil {
		writeJSONBody(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": err.Error()})
		return
	}
	verifier := f.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	if verifier == "" || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(ar.challenge)) != 1 {
		refuse(w, "invalid_grant", "the code_verifier does not match the code_challenge")
		return
	}
	sigKey := op.signingKey()
	access, err := signJWT(sigKey, "at+jwt", map[string]any{"iss": op.issuer, "sub": op.subject(ar), "aud": []string{ar.clientID},
		"client_id": ar.clientID, "scope": ar.scope, "iat": now.Unix(), "exp": now.Add(op.tokenTTL).Unix(), "jti": randomHex(16)})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	atHash := sha256.Sum256([]byte(access))
	key := sigKey
	if op.forgeKey != nil {
		key = *op.forgeKey
	}
	idToken, err := signJWT(key, "", map[string]any{"iss": op.issuer, "sub": op.subject(ar), "aud": ar.clientID,
		"acr": ar.acr, "at_hash": base64.RawURLEncoding.EncodeToString(atHash[:16]), "nonce": ar.nonce,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(op.tokenTTL).Unix(), "jti": randomHex(16)})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	ar.at = now
	op.mu.Lock()
	op.tokens[access] = ar
	op.mu.Unlock()
	writeJSONBody(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(op.tokenTTL.Seconds()), "id_token": idToken})
}

// checkAssertion checks a private_key_jwt: signed by the client's key,
// iss and sub the client, aud the token endpoint, live, never seen before.
func (op *OP) checkAssertion(token string, client rpMetadata, now time.Time) error {
	payload, err := verifyJWS(token, client.JWKS)
	if err != nil {
		return errors.New("the client assertion is not signed by the relying party")
	}
	var c struct {
		Iss, Sub, Jti string
		Aud           json.RawMessage
		Exp, Iat      int64
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return errors.New("the client assertion does not parse")
	}
	switch {
	case c.Iss != client.ClientID || c.Sub != client.ClientID:
		return errors.New("iss and sub of the client assertion must be the client")
	case !audienceHas(c.Aud, op.issuer+"/token") && !audienceHas(c.Aud, op.issuer):
		return errors.New("aud of the client assertion must be the token endpoint")
	case time.Unix(c.Exp, 0).Before(now) || time.Unix(c.Iat, 0).After(now.Add(clockSkew)):
		return errors.New("the client assertion has expired")
	case c.Jti == "":
		return errors.New("the client assertion has no jti")
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	if _, seen := op.jtis[c.Jti]; seen {
		return errors.New("the client assertion was used already")
	}
	op.jtis[c.Jti] = now
	return nil
}

// subject is the pairwise sub of a citizen for a client.
func (op *OP) subject(ar *authRequest) string {
	h := sha256.Sum256([]byte(ar.citizen.CF + "|" + ar.clientID + "|" + op.issuer))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func (op *OP) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	op.mu.Lock()
	ar := op.tokens[token]
	op.mu.Unlock()
	if !ok || ar == nil || op.now().Sub(ar.at) > op.tokenTTL {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSONBody(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	var enc *jose.JSONWebKey
	for _, k := range ar.client.JWKS.Keys {
		if k.Use == "enc" {
			enc = &k
			break
		}
	}
	if enc == nil {
		http.Error(w, "the relying party publishes no encryption key", http.StatusBadRequest)
		return
	}
	now := op.now()
	inner, err := signJWT(op.signingKey(), "JWT", map[string]any{"iss": op.issuer, "aud": ar.clientID, "sub": op.subject(ar),
		"iat": now.Unix(), "exp": now.Add(op.tokenTTL).Unix(),
		"given_name": ar.citizen.Name, "family_name": ar.citizen.Surname, fiscalNumberClaim: fiscalNumberPrefix + ar.citizen.CF})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	encrypter, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: enc.Key, KeyID: enc.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err == nil {
		var obj *jose.JSONWebEncryption
		if obj, err = encrypter.Encrypt([]byte(inner)); err == nil {
			var out string
			if out, err = obj.CompactSerialize(); err == nil {
				w.Header().Set("Content-Type", "application/jwt")
				w.Header().Set("Cache-Control", "no-store")
				io.WriteString(w, out)
				return
			}
		}
	}
	http.Error(w, fmt.Sprintf("encrypt: %v", err), http.StatusInternalServerError)
}
