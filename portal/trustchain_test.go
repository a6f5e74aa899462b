package portal

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testAnchor is a federation's trust anchor (or an intermediate): it
// publishes its configuration and, at its fetch endpoint, its statements
// about the entities it registered.
type testAnchor struct {
	id    string
	key   jose.JSONWebKey
	hints []string // above it, for an intermediate
	mu    sync.Mutex
	subs  map[string]entityStatement // what it says about each subordinate
}

func newTestAnchor(tb testing.TB) *testAnchor {
	tb.Helper()
	key, err := newSigningKey()
	if err != nil {
		tb.Fatal(err)
	}
	a := &testAnchor{key: key, subs: map[string]entityStatement{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		var st entityStatement
		switch r.URL.Path {
		case wellKnownFederation:
			fe, _ := json.Marshal(federationEntity{FetchEndpoint: a.id + "/fetch"})
			st = entityStatement{Iss: a.id, Sub: a.id, JWKS: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{a.key.Public()}},
				AuthorityHints: a.hints, Metadata: map[string]json.RawMessage{"federation_entity": fe}}
		case "/fetch":
			a.mu.Lock()
			s, ok := a.subs[r.URL.Query().Get("sub")]
			a.mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			st = s
			st.Iss, st.Sub = a.id, r.URL.Query().Get("sub")
		default:
			http.NotFound(w, r)
			return
		}
		st.Iat, st.Exp = now.Unix(), now.Add(time.Hour).Unix()
		token, err := signJWT(a.key, entityStatementType, st)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		io.WriteString(w, token)
	}))
	tb.Cleanup(srv.Close)
	a.id = srv.URL
	return a
}

// register makes the anchor vouch for sub with keys and a policy.
func (a *testAnchor) register(sub string, keys jose.JSONWebKey, policy map[string]map[string]map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.subs[sub] = entityStatement{JWKS: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{keys.Public()}}, MetadataPolicy: policy}
}

func TestProvidersChainToTheTrustAnchor(t *testing.T) {
	st := testStore(t)
	acrPolicy := map[string]map[string]map[string]any{"openid_provider": {
		"acr_values_supported":                  {"subset_of": []any{acrL2, acrL3}},
		"token_endpoint_auth_methods_supported": {"superset_of": []any{"private_key_jwt"}},
	}}
	other, _ := newSigningKey()
	cases := []struct {
		name  string
		setup func(ta, mid *testAnchor, op *OP) []string // the provider's authority hints
		ok    bool
	}{
		{"registered at the anchor", func(ta, mid *testAnchor, op *OP) []string {
			ta.register(op.Issuer(), op.fedKey, acrPolicy)
			return []string{ta.id}
		}, true},
		{"registered at an intermediate the anchor registered", func(ta, mid *testAnchor, op *OP) []string {
			mid.hints = []string{ta.id}
			ta.register(mid.id, mid.key, nil)
			mid.register(op.Issuer(), op.fedKey, acrPolicy)
			return []string{mid.id}
		}, true},
		{"not registered", func(ta, mid *testAnchor, op *OP) []string { return []string{ta.id} }, false},
		{"the anchor vouches for other keys", func(ta, mid *testAnchor, op *OP) []string {
			ta.register(op.Issuer(), other, nil)
			return []string{ta.id}
		}, false},
		{"no authority named", func(ta, mid *testAnchor, op *OP) []string {
			ta.register(op.Issuer(), op.fedKey, nil)
			return nil
		}, false},
		{"an authority that is not a configured anchor", func(ta, mid *testAnchor, op *OP) []string {
			mid.register(op.Issuer(), op.fedKey, nil)
			return []string{mid.id}
		}, false},
		{"metadata against the policy", func(ta, mid *testAnchor, op *OP) []string {
			ta.register(op.Issuer(), op.fedKey, map[string]map[string]map[string]any{"openid_provider": {
				"token_endpoint_auth_methods_supported": {"superset_of": []any{"tls_client_auth"}}}})
			return []string{ta.id}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ta, mid := newTestAnchor(t), newTestAnchor(t)
			_, pc := testOP(t, st, func(op *OP) { op.authorityHints = tc.setup(ta, mid, op) })
			p := testPortal(t, st, Config{Providers: []ProviderConfig{pc}, TrustAnchors: []string{ta.id}})
			b := newBrowser(t)
			if !tc.ok {
				status, body := b.get(p.URL() + "/login/test")
				if status != http.StatusBadGateway || strings.Contains(body, `name="request"`) {
					t.Fatalf("a provider outside the federation was used: %d", status)
				}
				return
			}
			if status, body := b.signIn(p, "test"); status != http.StatusOK || !strings.Contains(body, "Buongiorno") {
				t.Fatalf("%d %s", status, body)
			}
		})
	}
}

func TestApplyPolicy(t *testing.T) {
	cases := []struct {
		name   string
		md     string
		policy map[string]map[string]any
		want   string // "" when refused
	}{
		{"value", `{"a":"x"}`, map[string]map[string]any{"a": {"value": "y"}}, `{"a":"y"}`},
		{"value null removes", `{"a":"x"}`, map[string]map[string]any{"a": {"value": nil}}, `{}`},
		{"add", `{"a":["x"]}`, map[string]map[string]any{"a": {"add": []any{"y", "x"}}}, `{"a":["x","y"]}`},
		{"default only when missing", `{"a":"x"}`, map[string]map[string]any{"a": {"default": "y"}, "b": {"default": "z"}}, `{"a":"x","b":"z"}`},
		{"one_of", `{"a":"x"}`, map[string]map[string]any{"a": {"one_of": []any{"x", "y"}}}, `{"a":"x"}`},
		{"one_of refused", `{"a":"w"}`, map[string]map[string]any{"a": {"one_of": []any{"x", "y"}}}, ""},
		{"subset_of", `{"a":["x","w"]}`, map[string]map[string]any{"a": {"subset_of": []any{"x", "y"}}}, `{"a":["x"]}`},
		{"superset_of refused", `{"a":["x"]}`, map[string]map[string]any{"a": {"superset_of": []any{"x", "y"}}}, ""},
		{"essential refused", `{}`, map[string]map[string]any{"a": {"essential": true}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var md map[string]any
			json.Unmarshal([]byte(tc.md), &md)
			err := applyPolicy(md, tc.policy)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted: %v", md)
				}
				return
			}
			got, _ := json.Marshal(md)
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %s %v, want %s", got, err, tc.want)
			}
		})
	}
}
