package portal

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"sportello/store"
)

// The relying party's keys, kept in the server's database (portal_key):
// one to sign its entity configuration (federation), one to sign request
// objects and client assertions (sig), one that providers encrypt userinfo
// to (enc). RSA 2048, the profile's RS256 and RSA-OAEP-256. They are made on
// first start; RotateKeys replaces them and keeps the old ones published
// for keyGrace.

// keyUses are the uses of the relying party's keys.
var keyUses = []string{"federation", "sig", "enc"}

// keyGrace is how long a rotated key stays published: more than a provider
// caches an entity configuration (its exp) and than a sign-in lasts.
const keyGrace = 48 * time.Hour

// entityLifetime is the exp of the entity configuration the portal signs.
const entityLifetime = 24 * time.Hour

type keyring struct {
	st   *store.Store
	mu   sync.RWMutex
	keys []ringKey // newest first
}

type ringKey struct {
	use     string
	retired bool
	jwk     jose.JSONWebKey // private
}

func loadKeyring(ctx context.Context, st *store.Store) (*keyring, error) {
	k := &keyring{st: st}
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if k.complete() {
		return k, nil
	}
	fresh, err := newKeys()
	if err != nil {
		return nil, err
	}
	if _, err := st.AddPortalKeys(ctx, fresh); err != nil {
		return nil, err
	}
	return k, k.reload(ctx)
}

// complete reports whether every use has a key in use.
func (k *keyring) complete() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, use := range keyUses {
		found := false
		for _, rk := range k.keys {
			found = found || (rk.use == use && !rk.retired)
		}
		if !found {
			return false
		}
	}
	return true
}

// newKeys makes one key of each use.
func newKeys() ([]store.PortalKey, error) {
	var out []store.PortalKey
	for _, use := range keyUses {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("make portal key: %w", err)
		}
		jwk := jose.JSONWebKey{Key: priv, Use: "sig", Algorithm: string(jose.RS256)}
		if use == "enc" {
			jwk.Use, jwk.Algorithm = "enc", string(jose.RSA_OAEP_256)
		}
		pub := jwk.Public()
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("make portal key: %w", err)
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		data, err := jwk.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("make portal key: %w", err)
		}
		out = append(out, store.PortalKey{KID: jwk.KeyID, Use: use, JWK: data})
	}
	return out, nil
}

func (k *keyring) reload(ctx context.Context) error {
	rows, err := k.st.PortalKeys(ctx)
	if err != nil {
		return err
	}
	var keys []ringKey
	for _, row := range rows {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(row.JWK, &jwk); err != nil {
			return fmt.Errorf("portal key %s: %w", row.KID, err)
		}
		keys = append(keys, ringKey{use: row.Use, retired: !row.RetiredAt.IsZero(), jwk: jwk})
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	return nil
}

// rotate puts new keys of every use in use.
func (k *keyring) rotate(ctx context.Context) error {
	fresh, err := newKeys()
	if err != nil {
		return err
	}
	if err := k.st.RotatePortalKeys(ctx, fresh, keyGrace); err != nil {
		return err
	}
	return k.reload(ctx)
}

// current is the key in use for use.
func (k *keyring) current(use string) jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, rk := range k.keys {
		if rk.use == use && !rk.retired {
			return rk.jwk
		}
	}
	panic("portal: no " + use + " key") // loadKeyring made one of each
}

// public is the published set of the keys of a use, retired ones included.
func (k *keyring) public(use string) jose.JSONWebKeySet {
	k.mu.RLock()
	defer k.mu.RUnlock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, rk := range k.keys {
		if rk.use == use {
			set.Keys = append(set.Keys, rk.jwk.Public())
		}
	}
	return set
}

// decryptionKeys are the enc keys, retired ones included.
func (k *keyring) decryptionKeys() []jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var out []jose.JSONWebKey
	for _, rk := range k.keys {
		if rk.use == "enc" {
			out = append(out, rk.jwk)
		}
	}
	return out
}

// RotateKeys replaces the relying party's keys; the old ones stay
// published for two days, so providers that cached them keep working.
func (p *Portal) RotateKeys(ctx context.Context) error { return p.keys.rotate(ctx) }

// RotateKeys replaces the relying party's keys in st, for an administrator
// while the server runs: a running portal reads them within keyReload.
func RotateKeys(ctx context.Context, st *store.Store) ([]store.PortalKey, error) {
	k, err := loadKeyring(ctx, st)
	if err != nil {
		return nil, err
	}
	if err := k.rotate(ctx); err != nil {
		return nil, err
	}
	return st.PortalKeys(ctx)
}

// keyReload is how often a running portal reads its keys again.
const keyReload = 5 * time.Minute

// reloadEvery reads the keys again every keyReload until ctx ends.
func (k *keyring) reloadEvery(ctx context.Context, log interface{ Error(string, ...any) }) {
	t := time.NewTicker(keyReload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := k.reload(ctx); err != nil && ctx.Err() == nil {
				log.Error("portal: reload keys", "err", err)
			}
		}
	}
}

// signJWT signs claims with key as a compact JWS of type typ.
func signJWT(key jose.JSONWebKey, typ string, claims any) (string, error) {
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", typ, err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", typ, err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign %s: %w", typ, err)
	}
	return obj.CompactSerialize()
}

// signingAlgs are the signature algorithms the portal accepts from others.
var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS512, jose.PS256, jose.PS512, jose.ES256, jose.ES512}

// verifyJWS checks a compact JWS against a key set (by kid when it names
// one) and returns its payload. An unsigned token ("alg": "none") does not
// parse.
func verifyJWS(token string, set jose.JSONWebKeySet) ([]byte, error) {
	obj, err := jose.ParseSigned(token, signingAlgs)
	if err != nil {
		return nil, fmt.Errorf("parse jws: %w", err)
	}
	if len(obj.Signatures) != 1 {
		return nil, fmt.Errorf("jws: %d signatures", len(obj.Signatures))
	}
	kid := obj.Signatures[0].Header.KeyID
	for _, key := range set.Keys {
		if (kid != "" && key.KeyID != kid) || key.Use == "enc" {
			continue
		}
		if payload, err := obj.Verify(key); err == nil {
			return payload, nil
		}
	}
	return nil, fmt.Errorf("jws: no key of the set verifies it (kid %q)", kid)
}
