package portal

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"sportello/assets"
)

// navLink is one of the portal's sections in the header's navigation.
type navLink struct {
	Path, Label string // Label is a translation key
	Current     bool
}

// navItems are the sections a signed-in citizen finds in the header, in
// order. A new page that citizens should reach from every page adds a line
// here (its path and the translation key of its name); the layout marks the
// current one.
var navItems = []navLink{
	{Path: "/", Label: "Home"},
	{Path: "/record", Label: "Your record in the register"},
	{Path: "/record/accesses", Label: "Who viewed your record"},
}

// navFor is the navigation of a page at path: the sections for a signed-in
// citizen, none for a visitor (the home page is where they sign in).
func navFor(path string, signedIn bool) []navLink {
	if !signedIn {
		return nil
	}
	out := make([]navLink, len(navItems))
	copy(out, navItems)
	for i := range out {
		out[i].Current = out[i].Path == path
	}
	return out
}

// Site is what every page shows of the municipality, from the settings.
type Site struct {
	Municipality string // its title, "Comune di Anagni"
	Address      string // portal_address: of the offices
	Phone        string // portal_phone
	Email        string // portal_email: also where the accessibility feedback goes
	PEC          string // portal_pec
	CoatOfArms   []byte `json:"-"` // portal_coat_of_arms: PNG; nil shows the neutral one of assets
	// AccessibilityDate (portal_accessibility_date, YYYY-MM-DD) is when the
	// municipality last reviewed the accessibility statement.
	AccessibilityDate string
}

// handleArms serves the municipality's coat of arms.
func (p *Portal) handleArms(w http.ResponseWriter, r *http.Request) {
	arms := p.cfg.Site.CoatOfArms
	if len(arms) == 0 {
		arms = assets.CoatOfArms
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=300")
	http.ServeContent(w, r, "arms.png", time.Time{}, bytes.NewReader(arms))
}

// accessibilityData is what the accessibility statement shows.
type accessibilityData struct {
	URL, Email, Date string
}

// handleAccessibility is the municipality's accessibility statement, in
// the sections of AgID's model (Linee guida sull'accessibilità degli
// strumenti informatici): the state of compliance, what is not accessible,
// how the statement was made, feedback and contacts, the enforcement
// procedure.
func (p *Portal) handleAccessibility(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Accessibility statement")
	d := accessibilityData{URL: p.URL(), Email: p.cfg.Site.Email}
	if d.Email == "" && len(p.cfg.Contacts) > 0 {
		d.Email = strings.TrimPrefix(p.cfg.Contacts[0], "mailto:")
	}
	if t, err := time.Parse(time.DateOnly, p.cfg.Site.AccessibilityDate); err == nil {
		d.Date = t.Format("02/01/2006")
	}
	pg.Data = d
	p.render(w, http.StatusOK, "accessibility.html", pg)
}
