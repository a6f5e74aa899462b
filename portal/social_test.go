package portal

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sportello/social"
)

func TestAskTheSocialDesk(t *testing.T) {
	f := newCertFixture(t)
	requests := func() int {
		t.Helper()
		cs, err := f.st.OnlineSocialCases(t.Context(), f.me.Person.UID)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	status, body := f.b.get(f.p.URL() + "/social")
	form := hiddenForm.FindStringSubmatch(body)
	if status != http.StatusOK || form == nil {
		t.Fatalf("%d %s", status, body)
	}
	good := url.Values{"csrf": {f.csrf}, "form": {form[1]}, "type": {string(social.HomeCare)}, "text": {"Mio padre non riesce più a fare la spesa"},
		"contact": {"3331234567, di mattina"}, "consent": {"yes"}}
	with := func(k, v string) url.Values {
		out := url.Values{}
		for key, vs := range good {
			out[key] = append([]string(nil), vs...)
		}
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	hostile := []struct {
		name   string
		form   url.Values
		status int
	}{
		{"without the CSRF token", with("csrf", ""), http.StatusForbidden},
		{"without consent", with("consent", ""), http.StatusBadRequest},
		{"without the text", with("text", " "), http.StatusBadRequest},
		{"a text too long", with("text", strings.Repeat("a", 2001)), http.StatusBadRequest},
		{"without a contact", with("contact", ""), http.StatusBadRequest},
		{"an unknown type", with("type", "loan"), http.StatusBadRequest},
		{"a form id not the portal's", with("form", "x"), http.StatusForbidden},
	}
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := f.b.post(f.p.URL()+"/social", tc.form); status != tc.status {
				t.Fatalf("%d, want %d: %s", status, tc.status, body)
			}
			if n := requests(); n != 0 {
				t.Fatalf("%d requests", n)
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		if _, body := newBrowser(t).post(f.p.URL()+"/social", good); !strings.Contains(body, `href="/login/test"`) || requests() != 0 {
			t.Fatal("a post signed out was taken")
		}
	})
	status, body = f.b.post(f.p.URL()+"/social", good)
	if status != http.StatusOK || !strings.Contains(body, "è arrivata allo sportello sociale") || !strings.Contains(body, "Accoglienza") {
		t.Fatalf("%d %s", status, body)
	}
	// The same form again is the same request.
	if f.b.post(f.p.URL()+"/social", good); requests() != 1 {
		t.Fatalf("a replayed form: %d requests", requests())
	}
	cs, _ := f.st.OnlineSocialCases(t.Context(), f.me.Person.UID)
	if len(cs) != 1 || cs[0].Phase != social.PhaseIntake || !strings.HasPrefix(cs[0].Number, "SOC-WEB-") {
		t.Fatalf("%+v", cs)
	}
}
