package portal

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// OpenID Federation, as the SPID/CIE profile uses it: every party publishes
// at {entity id}/.well-known/openid-federation a self-signed entity
// configuration carrying its federation keys and its metadata. The portal
// publishes its own (the relying party's) and reads a provider's from there,
// falling back to standard discovery for providers outside the federation.

const (
	entityStatementType = "entity-statement+jwt"
	wellKnownFederation = "/.well-known/openid-federation"
	wellKnownOIDC       = "/.well-known/openid-configuration"
	maxMetadataBytes    = 256 << 10
	clockSkew           = time.Minute
)

// entityStatement is the part of an entity configuration the portal reads.
type entityStatement struct {
	Iss            string                     `json:"iss"`
	Sub            string                     `json:"sub"`
	Iat            int64                      `json:"iat"`
	Exp            int64                      `json:"exp"`
	JWKS           jose.JSONWebKeySet         `json:"jwks"`
	AuthorityHints []string                   `json:"authority_hints,omitempty"`
	Metadata       map[string]json.RawMessage `json:"metadata,omitempty"`
	// MetadataPolicy is what a superior's statement about its subordinate
	// imposes on its metadata, by entity type and claim.
	MetadataPolicy map[string]map[string]map[string]any `json:"metadata_policy,omitempty"`

	raw string // the signed statement, for checking it again with a superior's keys
}

// rpMetadata is the relying party's metadata (openid_relying_party).
type rpMetadata struct {
	ClientID                string             `json:"client_id"`
	ClientRegistrationTypes []string           `json:"client_registration_types"`
	ApplicationType         string             `json:"application_type"`
	ClientName              string             `json:"client_name"`
	Contacts                []string           `json:"contacts"`
	RedirectURIs            []string           `json:"redirect_uris"`
	ResponseTypes           []string           `json:"response_types"`
	GrantTypes              []string           `json:"grant_types"`
	JWKS                    jose.JSONWebKeySet `json:"jwks"`
	JWKSURI                 string             `json:"jwks_uri"`
	IDTokenSignedAlg        string             `json:"id_token_signed_response_alg"`
	UserinfoSignedAlg       string             `json:"userinfo_signed_response_alg"`
	UserinfoEncryptedAlg    string             `json:"userinfo_encrypted_response_alg"`
	UserinfoEncryptedEnc    string             `json:"userinfo_encrypted_response_enc"`
	TokenEndpointAuthMethod string             `json:"token_endpoint_auth_method"`
	SubjectType             string             `json:"subject_type"`
}

// opMetadata is a provider's metadata (openid_provider, or the standard
// discovery document).
type opMetadata struct {
	Issuer                string              `json:"issuer"`
	AuthorizationEndpoint string              `json:"authorization_endpoint"`
	TokenEndpoint         string              `json:"token_endpoint"`
	UserinfoEndpoint      string              `json:"userinfo_endpoint"`
	JWKSURI               string              `json:"jwks_uri,omitempty"`
	JWKS                  *jose.JSONWebKeySet `json:"jwks,omitempty"`
	ScopesSupported       []string            `json:"scopes_supported,omitempty"`
	ResponseTypes         []string            `json:"response_types_supported,omitempty"`
	CodeChallengeMethods  []string            `json:"code_challenge_methods_supported,omitempty"`
	ACRValues             []string            `json:"acr_values_supported,omitempty"`
	RequestObjectAlgs     []string            `json:"request_object_signing_alg_values_supported,omitempty"`
	TokenAuthMethods      []string            `json:"token_endpoint_auth_methods_supported,omitempty"`
	UserinfoEncAlgs       []string            `json:"userinfo_encryption_alg_values_supported,omitempty"`
	UserinfoEncEncs       []string            `json:"userinfo_encryption_enc_values_supported,omitempty"`
	IDTokenAlgs           []string            `json:"id_token_signing_alg_values_supported,omitempty"`
	SubjectTypes          []string            `json:"subject_types_supported,omitempty"`
}

// redirectURI is where providers send the citizen back.
func (p *Portal) redirectURI() string { return p.URL() + "/oidc/callback" }

// entityConfiguration is the portal's signed entity configuration.
func (p *Portal) entityConfiguration() (string, error) {
	now := p.now()
	core := p.keys.public("sig")
	core.Keys = append(core.Keys, p.keys.public("enc").Keys...)
	md, err := json.Marshal(rpMetadata{
		ClientID: p.URL(), ClientRegistrationTypes: []string{"automatic"}, ApplicationType: "web",
		ClientName: p.clientName(), Contacts: append([]string{}, p.cfg.Contacts...),
		RedirectURIs: []string{p.redirectURI()}, ResponseTypes: []string{"code"}, GrantTypes: []string{"authorization_code"},
		JWKS: core, JWKSURI: p.URL() + "/oidc/jwks.json",
		IDTokenSignedAlg: string(jose.RS256), UserinfoSignedAlg: string(jose.RS256),
		UserinfoEncryptedAlg: string(jose.RSA_OAEP_256), UserinfoEncryptedEnc: string(jose.A256CBC_HS512),
		TokenEndpointAuthMethod: "private_key_jwt", SubjectType: "pairwise",
	})
	if err != nil {
		return "", err
	}
	return signJWT(p.keys.current("federation"), entityStatementType, entityStatement{
		Iss: p.URL(), Sub: p.URL(), Iat: now.Unix(), Exp: now.Add(entityLifetime).Unix(),
		JWKS: p.keys.public("federation"), AuthorityHints: p.cfg.AuthorityHints,
		Metadata: map[string]json.RawMessage{"openid_relying_party": md},
	})
}

func (p *Portal) clientName() string {
	if p.cfg.Municipality == "" {
		return "Sportello online"
	}
	return "Sportello online - " + p.cfg.Municipality
}

func (p *Portal) handleEntityConfiguration(w http.ResponseWriter, r *http.Request) {
	token, err := p.entityConfiguration()
	if err != nil {
		p.log.Error("portal: entity configuration", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/entity-statement+jwt")
	w.Header().Set("Cache-Control", "public, max-age=300")
	io.WriteString(w, token)
}

func (p *Portal) handleJWKS(w http.ResponseWriter, r *http.Request) {
	set := p.keys.public("sig")
	set.Keys = append(set.Keys, p.keys.public("enc").Keys...)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(set)
}

// parseEntityConfiguration checks a self-signed entity configuration of
// entityID: its type, its signature by one of the keys it carries, its
// subject and issuer, its validity at now.
func parseEntityConfiguration(token, entityID string, now time.Time) (entityStatement, error) {
	return parseEntityStatement(token, entityID, entityID, nil, now)
}

// parseEntityStatement checks an entity statement that iss made about sub,
// signed by one of keys (nil: the keys it carries, for a configuration).
func parseEntityStatement(token, iss, sub string, keys *jose.JSONWebKeySet, now time.Time) (entityStatement, error) {
	obj, err := jose.ParseSigned(token, signingAlgs)
	if err != nil {
		return entityStatement{}, fmt.Errorf("entity statement: %w", err)
	}
	if len(obj.Signatures) != 1 || obj.Signatures[0].Header.ExtraHeaders[jose.HeaderType] != entityStatementType {
		return entityStatement{}, errors.New("entity statement: not an entity-statement+jwt")
	}
	var es entityStatement
	if err := json.Unmarshal(obj.UnsafePayloadWithoutVerification(), &es); err != nil {
		return entityStatement{}, fmt.Errorf("entity statement: %w", err)
	}
	if keys == nil {
		keys = &es.JWKS
	}
	if _, err := verifyJWS(token, *keys); err != nil {
		return entityStatement{}, fmt.Errorf("entity statement: %w", err)
	}
	switch {
	case es.Iss != iss || es.Sub != sub:
		return entityStatement{}, fmt.Errorf("entity statement: iss %q sub %q, want %q and %q", es.Iss, es.Sub, iss, sub)
	case time.Unix(es.Exp, 0).Before(now):
		return entityStatement{}, errors.New("entity statement: expired")
	case time.Unix(es.Iat, 0).After(now.Add(clockSkew)):
		return entityStatement{}, errors.New("entity statement: issued in the future")
	}
	es.raw = token
	return es, nil
}

// errNoFederation means the entity publishes no entity configuration.
var errNoFederation = errors.New("no entity configuration")

// getBounded fetches url and returns its body (at most maxMetadataBytes)
// and content type; a 404 is errNoFederation.
func getBounded(ctx context.Context, client *http.Client, url string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, "", errNoFederation
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(body) > maxMetadataBytes {
		return nil, "", fmt.Errorf("GET %s: answer too long", url)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return body, ct, nil
}

// fetchEntityConfiguration reads and checks entityID's entity configuration.
func fetchEntityConfiguration(ctx context.Context, client *http.Client, entityID string, now time.Time) (entityStatement, error) {
	body, _, err := getBounded(ctx, client, strings.TrimRight(entityID, "/")+wellKnownFederation)
	if err != nil {
		return entityStatement{}, err
	}
	return parseEntityConfiguration(strings.TrimSpace(string(body)), entityID, now)
}

// provider is an identity provider as the portal knows it once discovered.
type provider struct {
	cfg ProviderConfig

	mu sync.Mutex
	d  *discovered // nil until discovered
}

// discovered is what discovery found of a provider; never changed once made.
type discovered struct {
	meta       opMetadata
	keys       oidc.KeySet
	verifier   *oidc.IDTokenVerifier
	federation bool // discovered through its entity configuration
	at         time.Time
}

// rediscover is how long a provider's discovered metadata is used.
const rediscover = time.Hour

// discover returns the provider's metadata and keys, fetched at most once
// an hour: from its entity configuration where it has one, else from
// standard discovery.
func (p *Portal) discover(ctx context.Context, pr *provider) (*discovered, error) {
	return p.discoverWithin(ctx, pr, rediscover)
}

// discoverWithin is discover with metadata no older than maxAge.
func (p *Portal) discoverWithin(ctx context.Context, pr *provider, maxAge time.Duration) (*discovered, error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	now := p.now()
	if pr.d != nil && now.Sub(pr.d.at) < maxAge {
		return pr.d, nil
	}
	ctx = oidc.ClientContext(ctx, p.client)
	var meta opMetadata
	federation := true
	es, err := fetchEntityConfiguration(ctx, p.client, pr.cfg.Issuer, now)
	switch {
	case err == nil:
		raw, ok := es.Metadata["openid_provider"]
		if !ok {
			return nil, fmt.Errorf("provider %s: entity configuration without openid_provider", pr.cfg.Name)
		}
		if len(p.cfg.TrustAnchors) > 0 {
			if raw, err = p.trustedMetadata(ctx, es, "openid_provider"); err != nil {
				return nil, fmt.Errorf("provider %s: %w", pr.cfg.Name, err)
			}
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("provider %s: %w", pr.cfg.Name, err)
		}
		if meta.Issuer == "" {
			meta.Issuer = pr.cfg.Issuer
		}
	case errors.Is(err, errNoFederation):
		federation = false
		body, _, err := getBounded(ctx, p.client, strings.TrimRight(pr.cfg.Issuer, "/")+wellKnownOIDC)
		if err != nil {
			return nil, fmt.Errorf("provider %s: discovery: %w", pr.cfg.Name, err)
		}
		if err := json.Unmarshal(body, &meta); err != nil {
			return nil, fmt.Errorf("provider %s: discovery: %w", pr.cfg.Name, err)
		}
	default:
		return nil, fmt.Errorf("provider %s: %w", pr.cfg.Name, err)
	}
	if meta.Issuer != pr.cfg.Issuer {
		return nil, fmt.Errorf("provider %s: metadata of issuer %q, configured %q", pr.cfg.Name, meta.Issuer, pr.cfg.Issuer)
	}
	if meta.AuthorizationEndpoint == "" || meta.TokenEndpoint == "" {
		return nil, fmt.Errorf("provider %s: metadata without endpoints", pr.cfg.Name)
	}
	var keys oidc.KeySet
	switch {
	case meta.JWKS != nil:
		var pub []crypto.PublicKey
		for _, k := range meta.JWKS.Keys {
			if k.Use != "enc" && k.IsPublic() {
				pub = append(pub, k.Key)
			}
		}
		keys = &oidc.StaticKeySet{PublicKeys: pub}
	case meta.JWKSURI != "":
		keys = oidc.NewRemoteKeySet(oidc.ClientContext(p.ctx, p.client), meta.JWKSURI)
	default:
		return nil, fmt.Errorf("provider %s: metadata without keys", pr.cfg.Name)
	}
	pr.d = &discovered{meta: meta, keys: keys, federation: federation, at: now,
		verifier: oidc.NewVerifier(meta.Issuer, keys, &oidc.Config{ClientID: p.URL(), Now: p.now,
			SupportedSigningAlgs: []string{oidc.RS256, oidc.RS512, oidc.PS256, oidc.PS512, oidc.ES256, oidc.ES512}})}
	return pr.d, nil
}
