package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sportello/registry"
)

func TestSearch(t *testing.T) {
	s := loadFixture(t)
	ctx := context.Background()
	verdi := newPerson(t, "Verdi", "Luca", registry.Male, "1985-04-03", "L219").CF
	lucia := registry.OmocodeVariant(verdi, 1)
	parsed := func(entry string) registry.Query {
		q, err := registry.ParseQuery(entry)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", entry, err)
		}
		return q
	}
	tests := []struct {
		name  string
		q     registry.Query
		limit int
		want  []string // exactly these, in this order
	}{
		{"accents and case", parsed("NICOLO"), 0, []string{"Rossi Nicolò"}},
		{"surname then name prefix", parsed("rossi nic"), 0, []string{"Rossi Nicolò"}},
		{"accented name typed plain", parsed("rossi nicolo"), 0, []string{"Rossi Nicolò"}},
		{"apostrophe typed", parsed("d'amico"), 0, []string{"D'Amico Giuseppe"}},
		{"apostrophe left out", parsed("damico"), 0, []string{"D'Amico Giuseppe"}},
		{"two-word surname", parsed("de luca"), 0, []string{"De Luca Mario"}},
		{"two-word surname joined", parsed("deluca"), 0, []string{"De Luca Mario"}},
		{"two-word surname and name", parsed("de luca mario"), 0, []string{"De Luca Mario"}},
		{"exact surname before longer ones", parsed("rossi"), 0, []string{"Rossi Mario", "Rossi Nicolò", "Rossini Marco", "Rossini Mario"}},
		{"surname prefix", parsed("ross"), 0, []string{"Rossi Mario", "Rossi Nicolò", "Rossini Marco", "Rossini Mario"}},
		{"surname and name", parsed("rossi mario"), 0, []string{"Rossi Mario", "Rossini Mario"}},
		{"name then surname", parsed("mario rossi"), 0, []string{"Rossi Mario", "Rossini Mario"}},
		{"name then two-word surname", parsed("mario de luca"), 0, []string{"De Luca Mario"}},
		{"limit respected", parsed("rossi"), 3, []string{"Rossi Mario", "Rossi Nicolò", "Rossini Marco"}},
		{"a surname typed first: no words anywhere", parsed("neri mar"), 0, []string{"Neri Marco", "Neri Maria", "Neri Mario"}},
		{"no such surname: words anywhere", parsed("neri marini"), 0, []string{"Marini Neri"}},
		{"long name then surname", parsed("mariangela colombo"), 0, []string{"Colombo Mariangela"}},
		{"long name cut to the index", parsed("mariange colombo"), 0, []string{"Colombo Mariangela", "Colombo Mariangelo"}},
		{"long name after surname", parsed("colombo mariangelo"), 0, []string{"Colombo Mariangelo"}},
		{"date narrows", parsed("neri 15/01/1990"), 0, []string{"Neri Maria", "Neri Mario"}},
		{"date narrows name then surname", parsed("mario neri 15/01/1990"), 0, []string{"Neri Mario"}},
		{"date alone", parsed("15/01/1990"), 0, []string{"Neri Maria", "Neri Mario"}},
		{"date with nobody born", parsed("rossi 01/01/2001"), 0, nil},
		{"codice fiscale", parsed(verdi), 0, []string{"Verdi Luca", "Verdi Lucia"}},
		{"omocode finds its base too, exact first", parsed(lucia), 0, []string{"Verdi Lucia", "Verdi Luca"}},
		{"codice fiscale lower case", parsed(strings.ToLower(verdi)), 0, []string{"Verdi Luca", "Verdi Lucia"}},
		{"codice fiscale and wrong date", parsed(verdi + " 04/03/1985"), 0, nil},
		{"codice fiscale and its date", parsed(verdi + " 03/04/1985"), 0, []string{"Verdi Luca", "Verdi Lucia"}},
		{"codice fiscale of nobody", parsed("CCCFBA85D03L219P"), 0, nil},
		{"empty query", registry.Query{}, 0, nil},
		{"nobody", parsed("zzz"), 0, nil},
		{"FTS syntax typed", parsed(`rossi"*`), 0, []string{"Rossi Mario", "Rossi Nicolò", "Rossini Marco", "Rossini Mario"}},
		{"FTS operators typed", parsed(`rossi" OR "*" NEAR(a b) -`), 0, nil},
		{"SQL typed", parsed(`'; DROP TABLE person; --`), 0, nil},
		{"hand-made words", registry.Query{Words: []string{"mario", "rossi"}}, 0, []string{"Rossi Mario", "Rossini Mario"}},
		{"hand-made words with syntax", registry.Query{Words: []string{`rossi"*`, "OR", "NEAR(x"}}, 0, nil},
		{"hand-made words unfolded", registry.Query{Words: []string{"D'Amico"}}, 0, []string{"D'Amico Giuseppe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Search(ctx, tt.q, tt.limit)
			if err != nil {
				t.Fatalf("Search(%+v): %v", tt.q, err)
			}
			if g := names(got); !slices.Equal(g, tt.want) {
				t.Errorf("Search(%+v) = %q, want %q", tt.q, g, tt.want)
			}
		})
	}
	if n, err := s.CountPersons(ctx); err != nil || n != 16 {
		t.Errorf("CountPersons after searching = %d, %v; want 16 (nothing dropped)", n, err)
	}
}

func TestSearchAccentsAndCase(t *testing.T) {
	s := loadFixture(t)
	for _, entry := range []string{"nicolo", "NICOLÒ", "Nicolò", "rossi nicolò", "nicolo rossi"} {
		q, err := registry.ParseQuery(entry)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Search(context.Background(), q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !contains(names(got), "Rossi Nicolò") {
			t.Errorf("%q found %q, not Rossi Nicolò", entry, names(got))
		}
	}
}

func TestSearchMatchFields(t *testing.T) {
	s := loadFixture(t)
	carla := newPerson(t, "Esposito", "Carla", registry.Female, "1952-02-02", "F839")
	got, err := s.Search(context.Background(), registry.Query{CF: carla.CF, CFBase: carla.CF}, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("Search = %+v, %v", got, err)
	}
	want := registry.Match{
		ID: idOf(t, s, "Esposito", "Carla"), CF: carla.CF, Surname: "Esposito", Name: "Carla",
		BirthDate: carla.BirthDate, Status: registry.Deceased,
		Address: "", // her residence ended when she died: no current address
	}
	if got[0] != want {
		t.Errorf("match = %+v, want %+v", got[0], want)
	}
	got, err = s.Search(context.Background(), registry.Query{Words: []string{"rossi", "mario"}}, 1)
	if err != nil || len(got) != 1 || got[0].Address != "Via Roma 12" {
		t.Errorf("Rossi Mario's address line = %+v, %v; want the current one, Via Roma 12", got, err)
	}
}

// TestSearchLimits fills a register with more namesakes than a page holds.
func TestSearchLimits(t *testing.T) {
	s := openTest(t)
	var hs []registry.Household
	var u uids
	for i := range 600 {
		p := newPerson(t, "Ferrari", fmt.Sprintf("Anna%03d", i), registry.Female, "1980-01-01", "A269")
		p.UID = u.next("p")
		hs = append(hs, registry.Household{Family: registry.Family{UID: u.next("f")}, Members: []registry.Member{{Person: p, Relationship: registry.Householder}}})
	}
	if _, err := s.Load(context.Background(), seqOf(hs), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		limit, want int
	}{
		{0, DefaultSearchLimit},
		{-1, DefaultSearchLimit},
		{10, 10},
		{1000, MaxSearchLimit},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			got, err := s.Search(context.Background(), registry.Query{Words: []string{"ferrari"}}, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("%d results, want %d", len(got), tt.want)
			}
			if got[0].Name != "Anna000" || got[len(got)-1].Name != fmt.Sprintf("Anna%03d", tt.want-1) {
				t.Errorf("results run from %s to %s, want the first %d by name", got[0].Name, got[len(got)-1].Name, tt.want)
			}
		})
	}
}

// TestSearchPlans pins that stage 1 reads an index in order and never sorts,
// so a common prefix costs no more than the page it returns.
func TestSearchPlans(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name  string
		query string
		args  []any
		index string
		sorts string // why a sort is fine, if the plan may sort
	}{
		{"exact", searchExactSQL, []any{"rossi", "", keyMax, 50}, "person_search", ""},
		{"longer", searchLongerSQL, []any{"rossi", "rossj", "", keyMax, 50}, "person_search", ""},
		{"exact with date", searchExactDateSQL, []any{"rossi", "", keyMax, 50, "1970-01-01"}, "person_birth", "the births of one day"},
		{"longer with date", searchLongerDateSQL, []any{"rossi", "rossj", "", keyMax, 50, "1970-01-01"}, "person_birth", "the births of one day"},
		{"range size", searchRangeSizeSQL, []any{"de", "df", skipScanFrom}, "person_search", ""},
		{"distinct surnames", searchSurnamesSQL, []any{"de", "df", "rob", "roc", 50}, "person_search", ""},
		{"longer surnames, by surname", searchInSurnamesSQL, []any{`["rossi","rossini"]`, "m", "n", 50}, "person_search", ""},
		{"codice fiscale", searchCFSQL, []any{"RSSMRA70E10A269O", "", "RSSMRA70E10A269O", 50}, "person_cf_base", "the holders of one base code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+tt.query, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			text := strings.Join(plan, "; ")
			if strings.Contains(text, "SCAN p") || strings.Contains(text, "SCAN person") {
				t.Errorf("plan %q reads the whole register", text)
			}
			if !strings.Contains(text, "INDEX "+tt.index) {
				t.Errorf("plan %q does not use %s", text, tt.index)
			}
			if strings.Contains(text, "TEMP B-TREE") && tt.sorts == "" {
				t.Errorf("plan %q sorts", text)
			}
		})
	}
}

// TestSearchLongerSurnames fills a surname range past skipScanFrom persons,
// so that "surname prefix + name" walks distinct surnames, and checks that
// it finds what reading the range person by person finds.
func TestSearchLongerSurnames(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	surnames := []string{"Angelis", "Santis", "Luca", "Marco", "Simone", "Rosa", "Vita", "Benedetti", "Carolis", "Filippis",
		"Gregorio", "Lorenzo", "Martino", "Nardis", "Paola", "Rossi", "Sanctis", "Stefano", "Vincentis", "Zan"}
	given := []string{"Anna", "Antonio", "Chiara", "Giuseppe", "Giovanni", "Laura", "Marco", "Maria", "Paolo", "Sara"}
	var hs []registry.Household
	var u uids
	for i := range skipScanFrom + 400 {
		surname := "De " + surnames[i%len(surnames)]
		name := given[(i/len(surnames))%len(given)]
		if i%997 == 0 {
			name = "Roberta" // rare
		}
		p := newPerson(t, surname, name, registry.Female, fmt.Sprintf("19%02d-%02d-%02d", 30+i%60, 1+i%12, 1+i%28), "A269")
		p.CF, p.UID = "", u.next("p")
		hs = append(hs, registry.Household{Family: registry.Family{UID: u.next("f")}, Members: []registry.Member{{Person: p, Relationship: registry.Householder}}})
	}
	if _, err := s.Load(ctx, seqOf(hs), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		surname, name string
		limit         int
		want          int // how many found; -1: some
	}{
		{"de", "rob", 50, 5},   // few, in many surnames: the walk
		{"de", "zzz", 50, 0},   // none
		{"de", "ma", 50, 50},   // many
		{"de", "ma", 500, 500}, // a page past one surname's share
		{"delu", "an", 50, -1}, // a small range: read person by person
		{"d", "sara", 50, 50},
	}
	for _, tt := range tests {
		t.Run(tt.surname+" "+tt.name, func(t *testing.T) {
			tx, err := s.r.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			got, err := collectLonger(ctx, tx, nil, tt.surname, tt.name, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			want, err := collect(ctx, tx, nil, 1, searchLongerSQL, tt.surname, prefixEnd(tt.surname), tt.name, prefixEnd(tt.name), tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || tt.want >= 0 && len(got) != tt.want || tt.want < 0 && len(got) == 0 {
				t.Fatalf("found %d by surname, %d by person; want %d", len(got), len(want), tt.want)
			}
			for i := range got {
				if got[i].m.ID != want[i].m.ID {
					t.Fatalf("result %d is %+v, want %+v", i, got[i].m, want[i].m)
				}
			}
		})
	}
	got, err := s.Search(ctx, registry.Query{Words: []string{"de", "rob"}}, 0)
	if err != nil || len(got) != 5 {
		t.Errorf("Search(de rob) = %q, %v; want the 5 Roberta", names(got), err)
	}
}

var ftsMatchForm = regexp.MustCompile(`^("[a-z0-9]{1,8}"\*( "[a-z0-9]{1,8}"\*)*)?$`)

// FuzzSearch feeds search words and codes as a caller might build them by
// hand, past the query parser: a search never fails, never changes the
// register, and the full-text query holds nothing but quoted prefixes.
func FuzzSearch(f *testing.F) {
	s := loadFixture(f)
	ctx := context.Background()
	for _, seed := range [][2]string{
		{"rossi", ""}, {`rossi"*`, "OR"}, {"NEAR(a b)", "-x"}, {"' OR 1=1 --", ""}, {"mario", "rossi"},
		{"ÀÉÎ", "ß"}, {"\x00\xff", "\u202e"}, {strings.Repeat("a", 300), "b"}, {"mariangela", "colombo"},
		{"RSSMRA70E10A269O", ""}, {"", "*"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, q := range []registry.Query{
			{Words: []string{a, b}},
			{Words: strings.Fields(a + " " + b)},
			{CF: a, CFBase: b},
			{Words: []string{a}, BirthDate: registry.NewDate(1990, time.January, 15)},
		} {
			if _, err := s.Search(ctx, q, 10); err != nil {
				t.Fatalf("Search(%+v): %v", q, err)
			}
			if match, _ := ftsMatch(searchWords(q.Words)); !ftsMatchForm.MatchString(match) {
				t.Fatalf("full-text query %q from %q", match, q.Words)
			}
		}
		if n, err := s.CountPersons(ctx); err != nil || n != 16 {
			t.Fatalf("CountPersons = %d, %v after searching", n, err)
		}
	})
}
