package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"sportello/fault"
	"sportello/registry"
	"sportello/store"
)

// The relying party of the SPID/CIE OpenID Connect profile: the
// authorization code flow with PKCE (S256), a signed request object asking
// for SPID level 2, private_key_jwt at the token endpoint, the ID token
// checked by go-oidc against the provider's keys (signature, issuer,
// audience, expiry) and here (nonce, acr, at_hash), the fiscal number read
// from the signed and encrypted userinfo.

const (
	acrL2                   = "https://www.spid.gov.it/SpidL2"
	acrL3                   = "https://www.spid.gov.it/SpidL3"
	fiscalNumberClaim       = "https://attributes.eid.gov.it/fiscal_number"
	clientAssertionType     = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	fiscalNumberPrefix      = "TINIT-"
	maxUserinfoBytes        = 64 << 10
	requestObjectLifetime   = 5 * time.Minute
	keyRefresh              = time.Minute // a provider's keys are read again at most this often
	clientAssertionLifetime = 2 * time.Minute
)

var (
	errProviderDown = fault.New(fault.NotFound, "The identity provider does not answer: please try again later", nil)
	errBadAnswer    = fault.New(fault.Invalid, "The answer of the identity provider is not valid: you have not been signed in", nil)
	errOtherBrowser = fault.New(fault.Invalid, "The sign-in was started in another browser or has expired: please sign in again", nil)
	errCancelled    = fault.New(fault.Forbidden, "The sign-in was cancelled or refused at the identity provider", nil)
	errNotVerified  = fault.New(fault.Forbidden, "The identity provider's answer could not be verified: you have not been signed in", nil)
	errLevel        = fault.New(fault.Forbidden, "The sign-in must be at SPID level 2 or higher", nil)
)

// randomHex is n random bytes in hex: alphanumeric, as the profile wants
// state and nonce.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// hashToken is what the database keeps of a secret the browser holds.
func hashToken(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// oauth is the OAuth 2.0 side of a provider for golang.org/x/oauth2.
func (p *Portal) oauth(d *discovered) *oauth2.Config {
	return &oauth2.Config{ClientID: p.URL(), RedirectURL: p.redirectURI(), Scopes: []string{oidc.ScopeOpenID},
		Endpoint: oauth2.Endpoint{AuthURL: d.meta.AuthorizationEndpoint, TokenURL: d.meta.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams}}
}

// loginCookie binds a sign-in under way to the browser that started it.
func (p *Portal) loginCookie() string {
	if p.secure {
		return "__Host-sportello_login"
	}
	return "sportello_login"
}

func (p *Portal) handleLogin(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	pr, err := p.provider(name)
	if err != nil {
		p.problem(w, r, http.StatusNotFound, err)
		return
	}
	d, err := p.discover(r.Context(), pr)
	if err != nil {
		p.log.Warn("portal: provider discovery", "provider", name, "err", err)
		p.problem(w, r, http.StatusBadGateway, errProviderDown)
		return
	}
	state, nonce, browser := randomHex(24), randomHex(24), randomHex(32)
	verifier := oauth2.GenerateVerifier()
	if err := p.st.AddPortalLogin(r.Context(), store.PortalLogin{StateHash: hashToken(state), BrowserHash: hashToken(browser),
		Provider: name, Nonce: nonce, Verifier: verifier}, loginTimeout); err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	now := p.now()
	request, err := signJWT(p.keys.current("sig"), "", map[string]any{
		"iss": p.URL(), "sub": p.URL(), "aud": []string{d.meta.Issuer}, "client_id": p.URL(),
		"response_type": "code", "scope": oidc.ScopeOpenID, "redirect_uri": p.redirectURI(),
		"state": state, "nonce": nonce, "prompt": "consent login",
		"code_challenge": oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method": "S256",
		"acr_values": acrL2 + " " + acrL3,
		"claims": map[string]any{
			"userinfo": map[string]any{fiscalNumberClaim: map[string]bool{"essential": true}, "given_name": nil, "family_name": nil},
		},
		"ui_locales": pickLanguage(r),
		"iat":        now.Unix(), "exp": now.Add(requestObjectLifetime).Unix(), "jti": randomHex(16),
	})
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: p.loginCookie(), Value: browser, Path: "/", MaxAge: int(loginTimeout.Seconds()),
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
	target := p.oauth(d).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("request", request))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (p *Portal) handleCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" || len(state) > 256 {
		p.problem(w, r, http.StatusBadRequest, errBadAnswer)
		return
	}
	login, err := p.st.TakePortalLogin(ctx, hashToken(state), loginTimeout)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: p.loginCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
	c, err := r.Cookie(p.loginCookie())
	if err != nil || subtle.ConstantTimeCompare([]byte(hashToken(c.Value)), []byte(login.BrowserHash)) != 1 {
		p.problem(w, r, http.StatusBadRequest, errOtherBrowser)
		return
	}
	if q.Get("error") != "" {
		p.problem(w, r, http.StatusForbidden, errCancelled)
		return
	}
	pr, err := p.provider(login.Provider)
	if err != nil {
		p.problem(w, r, http.StatusNotFound, err)
		return
	}
	d, err := p.discover(ctx, pr)
	if err != nil {
		p.log.Warn("portal: provider discovery", "provider", login.Provider, "err", err)
		p.problem(w, r, http.StatusBadGateway, errProviderDown)
		return
	}
	if iss := q.Get("iss"); (iss != "" && iss != d.meta.Issuer) || q.Get("code") == "" {
		p.problem(w, r, http.StatusBadRequest, errBadAnswer)
		return
	}
	cf, err := p.signIn(ctx, pr, d, q.Get("code"), login)
	if err != nil {
		p.log.Warn("portal: sign-in refused", "provider", login.Provider, "err", err)
		if fault.Code(err) == fault.Internal {
			err = errNotVerified
		}
		p.problem(w, r, statusOf(err), err)
		return
	}
	person, err := p.st.PersonByCF(ctx, cf)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	uid, err := p.st.PersonUID(ctx, person.ID)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	// A session this browser still had (another citizen's, say) ends here.
	if old, err := r.Cookie(p.sessionCookie()); err == nil && len(old.Value) == 64 {
		if err := p.st.EndPortalSession(ctx, hashToken(old.Value)); err != nil {
			p.problem(w, r, http.StatusInternalServerError, err)
			return
		}
	}
	sid := randomHex(32)
	if err := p.st.NewPortalSession(ctx, store.PortalSession{IDHash: hashToken(sid), PersonUID: uid, Provider: login.Provider, CSRF: randomHex(32), CreatedAt: p.now()}); err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: p.sessionCookie(), Value: sid, Path: "/", HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signIn exchanges the code and checks what comes back; it returns the
// citizen's codice fiscale.
func (p *Portal) signIn(ctx context.Context, pr *provider, d *discovered, code string, login store.PortalLogin) (string, error) {
	assertion, err := p.clientAssertion(d.meta.TokenEndpoint)
	if err != nil {
		return "", err
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth(d).Exchange(ctx, code, oauth2.VerifierOption(login.Verifier),
		oauth2.SetAuthURLParam("client_assertion_type", clientAssertionType), oauth2.SetAuthURLParam("client_assertion", assertion))
	if err != nil {
		return "", fmt.Errorf("token exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("token answer without id_token")
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		// The provider may have rotated its keys since it was discovered:
		// read its metadata again (at most once a minute) and try once more.
		if fresh, ferr := p.discoverWithin(ctx, pr, keyRefresh); ferr == nil && fresh != d {
			d = fresh
			idt, err = d.verifier.Verify(ctx, raw)
		}
	}
	if err != nil {
		return "", fmt.Errorf("id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.Nonce)) != 1 {
		return "", errors.New("id token: nonce differs")
	}
	var claims struct {
		ACR          string `json:"acr"`
		FiscalNumber string `json:"https://attributes.eid.gov.it/fiscal_number"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("id token: %w", err)
	}
	if claims.ACR != acrL2 && claims.ACR != acrL3 {
		return "", errLevel
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return "", fmt.Errorf("id token: %w", err)
		}
	} else if d.federation {
		return "", errors.New("id token: no at_hash")
	}
	fiscal := claims.FiscalNumber
	if fiscal == "" {
		if fiscal, err = p.userinfo(ctx, d, tok.AccessToken, idt.Subject); err != nil {
			return "", err
		}
	}
	cf, ok := strings.CutPrefix(fiscal, fiscalNumberPrefix)
	if !ok {
		return "", fmt.Errorf("fiscal number without %s", fiscalNumberPrefix)
	}
	if err := registry.ValidateCF(cf); err != nil {
		return "", errors.New("fiscal number: not a codice fiscale")
	}
	return cf, nil
}

// clientAssertion is the private_key_jwt that authenticates the portal at
// a token endpoint.
func (p *Portal) clientAssertion(aud string) (string, error) {
	now := p.now()
	return signJWT(p.keys.current("sig"), "", map[string]any{"iss": p.URL(), "sub": p.URL(), "aud": []string{aud},
		"iat": now.Unix(), "exp": now.Add(clientAssertionLifetime).Unix(), "jti": randomHex(16)})
}

// userinfo reads the citizen's attributes: a JWT signed by the provider,
// encrypted to the portal's key (plain JSON only from a provider outside
// the federation). It returns the fiscal number.
func (p *Portal) userinfo(ctx context.Context, d *discovered, accessToken, sub string) (string, error) {
	if d.meta.UserinfoEndpoint == "" {
		return "", errors.New("no fiscal number and no userinfo endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.meta.UserinfoEndpoint, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := p.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("userinfo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("userinfo: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserinfoBytes+1))
	if err != nil || len(body) > maxUserinfoBytes {
		return "", fmt.Errorf("userinfo: unreadable or too long answer")
	}
	text := strings.TrimSpace(string(body))
	var payload []byte
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch strings.Count(text, ".") {
	case 4:
		if payload, err = p.decryptNested(ctx, d, text); err != nil {
			return "", fmt.Errorf("userinfo: %w", err)
		}
	case 2:
		if payload, err = d.keys.VerifySignature(ctx, text); err != nil {
			return "", fmt.Errorf("userinfo: %w", err)
		}
	default:
		if d.federation || ct != "application/json" {
			return "", errors.New("userinfo: neither signed nor encrypted")
		}
		payload = body
	}
	var claims struct {
		Iss          string          `json:"iss"`
		Sub          string          `json:"sub"`
		Aud          json.RawMessage `json:"aud"`
		FiscalNumber string          `json:"https://attributes.eid.gov.it/fiscal_number"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", fmt.Errorf("userinfo: %w", err)
	}
	if claims.Sub != sub {
		return "", errors.New("userinfo: another subject than the id token's")
	}
	if claims.Iss != "" && claims.Iss != d.meta.Issuer {
		return "", errors.New("userinfo: another issuer")
	}
	if len(claims.Aud) > 0 && !audienceHas(claims.Aud, p.URL()) {
		return "", errors.New("userinfo: another audience")
	}
	if claims.FiscalNumber == "" {
		return "", errors.New("userinfo: no fiscal number")
	}
	return claims.FiscalNumber, nil
}

// decryptNested opens a JWE made for one of the portal's enc keys and
// checks the provider's signature on the JWT inside.
func (p *Portal) decryptNested(ctx context.Context, d *discovered, text string) ([]byte, error) {
	obj, err := jose.ParseEncrypted(text, []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256},
		[]jose.ContentEncryption{jose.A128CBC_HS256, jose.A256CBC_HS512, jose.A128GCM, jose.A256GCM})
	if err != nil {
		return nil, err
	}
	for _, key := range p.keys.decryptionKeys() {
		if obj.Header.KeyID != "" && obj.Header.KeyID != key.KeyID {
			continue
		}
		inner, err := obj.Decrypt(key)
		if err != nil {
			continue
		}
		return d.keys.VerifySignature(ctx, strings.TrimSpace(string(inner)))
	}
	return nil, errors.New("no key of the portal decrypts it")
}

// audienceHas reports whether a JWT's aud (a string or a list) names id.
func audienceHas(raw json.RawMessage, id string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == id
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Contains(many, id)
}

func (p *Portal) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	if err := p.st.EndPortalSession(r.Context(), c.session.IDHash); err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: p.sessionCookie(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/?signed_out=1", http.StatusSeeOther)
}
