package portal

import (
	"bytes"
	"compress/gzip"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
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
	{Path: "/certificates", Label: "Certificates"},
	{Path: "/documents", Label: "My requests and documents"},
	{Path: "/queue", Label: "Lines and appointments"},
	{Path: "/social", Label: "Ask the social desk"},
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

// gzipped is the gzip of each embedded file worth compressing (Bootstrap
// Italia's 600 kB of CSS is 80 kB so), made once.
var gzipped = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range []string{"web/static/bootstrap-italia/bootstrap-italia.min.css"} {
		data, err := webFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		out[name] = b.Bytes()
	}
	return out
})

// serveGzipped answers the gzip of the embedded file name to a browser
// that accepts it, and reports whether it did.
func serveGzipped(w http.ResponseWriter, r *http.Request, name string) bool {
	data, ok := gzipped()[name]
	if !ok || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		return false
	}
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	h.Add("Vary", "Accept-Encoding")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return true
}

// acceptsGzip reads an Accept-Encoding header: gzip listed and not refused
// with q=0.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
