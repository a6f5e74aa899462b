package registry

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"sportello/assets"
)

// translations is every key of the translation files of one language.
func translations(tb testing.TB, lang string) map[string]bool {
	tb.Helper()
	files, err := fs.Glob(assets.Translations, assets.TranslationsDir+"/*.json")
	if err != nil {
		tb.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		if !strings.HasSuffix(name, lang+".json") || (lang == "en" && strings.HasSuffix(name, "it.json")) {
			continue
		}
		data, err := fs.ReadFile(assets.Translations, name)
		if err != nil {
			tb.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		for k := range m {
			keys[k] = true
		}
	}
	return keys
}

func TestEveryLabelIsTranslated(t *testing.T) {
	var labels []Label
	for _, sex := range []Sex{Male, Female} {
		labels = append(labels, sex.Label())
		for _, c := range []CivilStatus{Single, Married, Widowed, Divorced, CivilUnion, FreeAfterPartnerDied, FreeAfterUnionEnded, CivilStatusUnknown} {
			labels = append(labels, c.Label(sex))
		}
		for _, r := range []Relationship{Householder, Spouse, Child, Grandchild, Parent, Grandparent, Sibling, ChildInLaw, ParentInLaw,
			SiblingInLaw, Cohabitant, CivilPartner, OtherRelative, RelationshipUnknown} {
			labels = append(labels, r.Label(sex))
		}
		for _, st := range []Status{Resident, Cancelled, Deceased, AIRE} {
			labels = append(labels, st.Label(sex))
			if l := st.ShortLabel(sex); l.Key != "" {
				labels = append(labels, l)
			}
		}
	}
	it := translations(t, "it")
	for _, l := range labels {
		if !it[l.Key] {
			t.Errorf("%q (%s) has no Italian translation", l.Key, l.English)
		}
		if l.English == "" {
			t.Errorf("%q has no English", l.Key)
		}
	}
	if Female.Label().Key != "sex.f" || Spouse.Label(Female).English != "Wife" || Resident.ShortLabel(Male).Key != "" {
		t.Fatal("labels do not follow the person's sex")
	}
}

func TestPlaceName(t *testing.T) {
	cases := []struct {
		code, recorded, want string
		ok                   bool
	}{
		{"A269", "", "Anagni (FR)", true},
		{"a269", "ANAGNI", "Anagni (FR)", true},
		{"X123", "Atlantide", "Atlantide (X123)", true},
		{"X123", "", "", false},
		{"", "Luogo ignoto", "Luogo ignoto", true},
	}
	for _, tc := range cases {
		t.Run(tc.code+" "+tc.recorded, func(t *testing.T) {
			got, ok := PlaceName(tc.code, NewDate(2000, 1, 1), tc.recorded)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %q %v, want %q %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
