package portal

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"sportello/assets"
)

// pageProblems lists what a page breaks of the rules every page keeps
// (STYLE.md "Web pages"): a language, a title, one h1 and headings in
// order, a name for every control, alt text, scoped table headers, no
// inline script or style.
func pageProblems(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	labels := map[string]bool{}
	var inputs []*html.Node
	h1, last := 0, 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					out = append(out, fmt.Sprintf("<%s %s>: inline script or style", n.Data, a.Key))
				}
			}
			switch n.Data {
			case "html":
				if attr["lang"] == "" {
					out = append(out, "no lang")
				}
			case "title":
				if strings.TrimSpace(text(n)) == "" {
					out = append(out, "empty title")
				}
			case "script", "style":
				out = append(out, "<"+n.Data+"> in the page")
			case "h1", "h2", "h3", "h4", "h5", "h6":
				level := int(n.Data[1] - '0')
				if level == 1 {
					h1++
				}
				if level > last+1 {
					out = append(out, fmt.Sprintf("<%s> after <h%d>", n.Data, last))
				}
				last = level
			case "label":
				labels[attr["for"]] = true
			case "input", "select", "textarea":
				if attr["type"] != "hidden" {
					inputs = append(inputs, n)
				}
			case "button", "a":
				if strings.TrimSpace(text(n)) == "" && attr["aria-label"] == "" {
					out = append(out, "<"+n.Data+"> without text")
				}
			case "img":
				if _, ok := attr["alt"]; !ok {
					out = append(out, "<img> without alt")
				}
			case "th":
				if attr["scope"] == "" {
					out = append(out, "<th> without scope")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, in := range inputs {
		id, named := "", false
		for _, a := range in.Attr {
			if a.Key == "id" {
				id = a.Val
			}
			if a.Key == "aria-label" {
				named = true
			}
		}
		if !named && (id == "" || !labels[id]) {
			out = append(out, "a field without a label")
		}
	}
	if h1 != 1 {
		out = append(out, fmt.Sprintf("%d <h1>", h1))
	}
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func TestPagesKeepTheMarkupRules(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true})
	for _, lang := range []string{"it", "en"} {
		b := newBrowser(t)
		b.get(p.URL() + "/lang/" + lang)
		pages := map[string]string{}
		_, pages["home"] = b.get(p.URL() + "/")
		_, pages["not found"] = b.get(p.URL() + "/nowhere")
		_, pages["accessibility"] = b.get(p.URL() + "/accessibilita")
		_, pages["chooser"] = b.get(p.URL() + "/login/demo")
		_, pages["home, signed in"] = b.signIn(p, DemoProvider)
		_, pages["record"] = b.get(p.URL() + "/record")
		_, pages["accesses"] = b.get(p.URL() + "/record/accesses")
		_, pages["accessibility, signed in"] = b.get(p.URL() + "/accessibilita")
		for name, page := range pages {
			if !strings.Contains(page, "</html>") {
				t.Fatalf("%s %s: not a page", lang, name)
			}
			if problems := pageProblems(page); len(problems) > 0 {
				t.Errorf("%s %s: %q", lang, name, problems)
			}
		}
	}
	// The checker itself catches what it is for.
	bad := `<!doctype html><html><head><title></title></head><body><h2>x</h2><input name="q"><button></button><img src="a"><p style="x">y</p></body></html>`
	if got := pageProblems(bad); len(got) < 7 {
		t.Fatalf("the checker missed some of %q", got)
	}
}

// TestTheMunicipalityFromTheSettings: every page shows the municipality's
// name, contacts and coat of arms as the settings give them, and the
// accessibility statement has AgID's sections, in both languages.
func TestTheMunicipalityFromTheSettings(t *testing.T) {
	st := testStore(t)
	arms := append([]byte(nil), assets.CoatOfArms...)
	arms = append(arms, 0) // not the neutral one
	site := Site{Municipality: "Comune di Fiuggi", Address: "Piazza Trento e Trieste 1", Phone: "0775 5461",
		Email: "urp@comune.fiuggi.example.it", PEC: "protocollo@pec.fiuggi.example.it", CoatOfArms: arms, AccessibilityDate: "2026-11-30"}
	p := testPortal(t, st, Config{Site: site})
	sections := map[string][]string{
		"it": {"Dichiarazione di accessibilità", "Stato di conformità", "Contenuti non accessibili", "Redazione della dichiarazione di accessibilità",
			"Meccanismo di feedback e recapiti", "Procedura di attuazione", "Ultimo riesame il 30/11/2026"},
		"en": {"Accessibility statement", "State of compliance", "Content that is not accessible", "How this statement was made",
			"Feedback and contacts", "Enforcement procedure", "Last reviewed on 30/11/2026"},
	}
	for lang, want := range sections {
		t.Run(lang, func(t *testing.T) {
			b := newBrowser(t)
			b.get(p.URL() + "/lang/" + lang)
			for _, path := range []string{"/", "/accessibilita", "/nowhere"} {
				_, page := b.get(p.URL() + path)
				for _, s := range []string{"Comune di Fiuggi", "Piazza Trento e Trieste 1", "0775 5461", "mailto:urp@comune.fiuggi.example.it",
					"protocollo@pec.fiuggi.example.it", `src="/arms.png"`, `href="/accessibilita"`} {
					if !strings.Contains(page, s) {
						t.Errorf("%s lacks %q", path, s)
					}
				}
			}
			_, page := b.get(p.URL() + "/accessibilita")
			for _, s := range want {
				if !strings.Contains(html.UnescapeString(page), s) {
					t.Errorf("the statement lacks %q", s)
				}
			}
		})
	}
	resp, err := http.Get(p.URL() + "/arms.png")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != string(arms) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("/arms.png is not the configured coat of arms (%d bytes, %s)", len(got), resp.Header.Get("Content-Type"))
	}
}

func TestBootstrapItaliaIsServedGzipped(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{})
	want, err := webFiles.ReadFile("web/static/bootstrap-italia/bootstrap-italia.min.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		accept string
		gzip   bool
	}{{"gzip, deflate, br", true}, {"br;q=1.0, GZIP;q=0.5", true}, {"", false}, {"gzip;q=0", false}, {"identity", false}} {
		req, _ := http.NewRequest("GET", p.URL()+"/static/bootstrap-italia/bootstrap-italia.min.css", nil)
		req.Header.Set("Accept-Encoding", c.accept)
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gunzip
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(readAll(t, resp))
		if gz := resp.Header.Get("Content-Encoding") == "gzip"; gz != c.gzip {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", c.accept, resp.Header.Get("Content-Encoding"))
		}
		if c.gzip {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
				t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
		}
		if !bytes.Equal(body, want) {
			t.Fatalf("Accept-Encoding %q: %d bytes, not the stylesheet", c.accept, len(body))
		}
	}
}
