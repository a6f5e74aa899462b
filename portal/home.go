package portal

import (
	"context"
	"net/http"

	"sportello/registry"
)

// homeData is what the home page shows: the ways to sign in, or the
// signed-in citizen's name as the register holds it.
type homeData struct {
	Providers     []ProviderConfig
	Name, Surname string
	SignedOut     bool
}

func (p *Portal) handleHome(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Home")
	data := homeData{Providers: p.providerList(), SignedOut: c == nil && r.URL.Query().Get("signed_out") == "1"}
	if c != nil {
		data.Name, data.Surname = c.session.Name, c.session.Surname
	}
	pg.Data = data
	p.render(w, http.StatusOK, "home.html", pg)
}

// mountDemo adds the demonstration provider at {portal_url}/demo-idp: it
// signs in, without a password, a few adult residents of the register.
func (p *Portal) mountDemo() {
	op, err := NewOP(p.URL()+"/demo-idp", func(ctx context.Context) ([]Citizen, error) {
		people, err := p.st.DemoCitizens(ctx, demoCitizens)
		if err != nil {
			return nil, err
		}
		var out []Citizen
		for _, m := range people {
			out = append(out, Citizen{CF: m.CF, Surname: m.Surname, Name: m.Name})
		}
		return out, nil
	}, p.client)
	if err != nil {
		panic(err) // only the random source can fail
	}
	// The provider reads the portal's entity configuration in process, with
	// the same checks it makes of one fetched from elsewhere.
	op.clients = func(ctx context.Context, clientID string) (rpMetadata, error) {
		if clientID != p.URL() {
			return rpMetadata{}, errNoProvider
		}
		token, err := p.entityConfiguration()
		if err != nil {
			return rpMetadata{}, err
		}
		es, err := parseEntityConfiguration(token, clientID, p.now())
		if err != nil {
			return rpMetadata{}, err
		}
		return relyingPartyOf(es)
	}
	p.demo = op
	p.mux.Handle("/demo-idp/", http.StripPrefix("/demo-idp", op.Handler()))
	p.providers[DemoProvider] = &provider{cfg: ProviderConfig{Name: DemoProvider, Issuer: op.Issuer(), Label: "demo"}}
	p.order = append([]string{DemoProvider}, p.order...)
}

// demoCitizens is how many citizens the demonstration offers.
const demoCitizens = 6

// italianDate writes a civil date as dd/mm/yyyy.
func italianDate(d registry.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Italian()
}
