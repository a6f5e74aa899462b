package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// Trust chains of the OpenID Federation: with trust anchors configured
// (portal_trust_anchors: the SPID and CIE federations' registries), a
// provider's self-signed entity configuration is not enough. Each of its
// authority_hints is asked, at its fetch endpoint, for the statement it
// makes about the provider; that statement carries the provider's keys
// (which must verify its configuration) and the policy its metadata must
// follow; and so on up to an anchor. The metadata the portal uses is the
// provider's, with the policies of the chain applied from the anchor down.

// maxChainDepth bounds the intermediates between a provider and an anchor.
const maxChainDepth = 4

// federationEntity is the metadata of an authority (federation_entity).
type federationEntity struct {
	FetchEndpoint string `json:"federation_fetch_endpoint"`
}

// chainUp returns the statements that link subject to a trust anchor, its
// immediate superior's first.
func (p *Portal) chainUp(ctx context.Context, subject entityStatement, depth int) ([]entityStatement, error) {
	if depth >= maxChainDepth {
		return nil, errors.New("trust chain: too long")
	}
	if len(subject.AuthorityHints) == 0 {
		return nil, fmt.Errorf("trust chain: %s names no authority", subject.Sub)
	}
	var errs []error
	for _, hint := range subject.AuthorityHints {
		chain, err := p.linkTo(ctx, subject, hint, depth)
		if err == nil {
			return chain, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", hint, err))
	}
	return nil, fmt.Errorf("trust chain of %s: %w", subject.Sub, errors.Join(errs...))
}

func (p *Portal) linkTo(ctx context.Context, subject entityStatement, superior string, depth int) ([]entityStatement, error) {
	now := p.now()
	sup, err := fetchEntityConfiguration(ctx, p.client, superior, now)
	if err != nil {
		return nil, err
	}
	var fe federationEntity
	if raw, ok := sup.Metadata["federation_entity"]; !ok || json.Unmarshal(raw, &fe) != nil || fe.FetchEndpoint == "" {
		return nil, errors.New("no federation_fetch_endpoint")
	}
	fetch, err := url.Parse(fe.FetchEndpoint)
	if err != nil {
		return nil, err
	}
	q := fetch.Query()
	q.Set("sub", subject.Sub)
	fetch.RawQuery = q.Encode()
	body, _, err := getBounded(ctx, p.client, fetch.String())
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	about, err := parseEntityStatement(strings.TrimSpace(string(body)), superior, subject.Sub, &sup.JWKS, now)
	if err != nil {
		return nil, err
	}
	// The superior vouches for the subject's keys: they must have signed
	// the subject's own configuration.
	if _, err := verifyJWS(subject.raw, about.JWKS); err != nil {
		return nil, fmt.Errorf("%s's configuration is not signed by the keys its superior names", subject.Sub)
	}
	if slices.Contains(p.cfg.TrustAnchors, superior) {
		return []entityStatement{about}, nil
	}
	rest, err := p.chainUp(ctx, sup, depth+1)
	if err != nil {
		return nil, err
	}
	return append([]entityStatement{about}, rest...), nil
}

// trustedMetadata is the leaf's metadata of kind through a chain to an
// anchor, with the chain's policies applied.
func (p *Portal) trustedMetadata(ctx context.Context, leaf entityStatement, kind string) (json.RawMessage, error) {
	chain, err := p.chainUp(ctx, leaf, 0)
	if err != nil {
		return nil, err
	}
	raw, ok := leaf.Metadata[kind]
	if !ok {
		return nil, fmt.Errorf("%s has no %s metadata", leaf.Sub, kind)
	}
	var md map[string]any
	if err := json.Unmarshal(raw, &md); err != nil {
		return nil, err
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if err := applyPolicy(md, chain[i].MetadataPolicy[kind]); err != nil {
			return nil, fmt.Errorf("policy of %s: %w", chain[i].Iss, err)
		}
	}
	return json.Marshal(md)
}

// applyPolicy applies a metadata policy (value, add, default, one_of,
// subset_of, superset_of, essential) to md; a claim that breaks it is an
// error.
func applyPolicy(md map[string]any, policy map[string]map[string]any) error {
	for claim, ops := range policy {
		if v, ok := ops["value"]; ok {
			if v == nil {
				delete(md, claim)
			} else {
				md[claim] = v
			}
		}
		if v, ok := ops["add"]; ok {
			md[claim] = union(list(md[claim]), list(v))
		}
		if v, ok := ops["default"]; ok {
			if _, has := md[claim]; !has {
				md[claim] = v
			}
		}
		cur, has := md[claim]
		if v, ok := ops["one_of"]; ok && has && !containsValue(list(v), cur) {
			return fmt.Errorf("%s: %v is not one of %v", claim, cur, v)
		}
		if v, ok := ops["subset_of"]; ok && has {
			kept := []any{}
			for _, x := range list(cur) {
				if containsValue(list(v), x) {
					kept = append(kept, x)
				}
			}
			if len(kept) == 0 {
				delete(md, claim)
			} else {
				md[claim] = kept
			}
		}
		cur, has = md[claim]
		if v, ok := ops["superset_of"]; ok && has {
			for _, x := range list(v) {
				if !containsValue(list(cur), x) {
					return fmt.Errorf("%s: lacks %v", claim, x)
				}
			}
		}
		if v, ok := ops["essential"]; ok && v == true && !has {
			return fmt.Errorf("%s: essential and missing", claim)
		}
	}
	return nil
}

// list is a claim's values: a JSON array as is, a single value as one.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

func containsValue(xs []any, v any) bool {
	return slices.ContainsFunc(xs, func(x any) bool { return reflect.DeepEqual(x, v) })
}

func union(a, b []any) []any {
	out := append([]any{}, a...)
	for _, x := range b {
		if !containsValue(out, x) {
			out = append(out, x)
		}
	}
	return out
}
