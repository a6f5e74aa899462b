package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

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
	if n, err := s.CountPersons(ctx); err != nil || n != 13 {
		t.Errorf("CountPersons after searching = %d, %v; want 13 (nothing dropped)", n, err)
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
	}{
		{"exact", searchExactSQL, []any{"rossi", "", keyMax, 50}, "person_search"},
		{"longer", searchLongerSQL, []any{"rossi", "rossj", "", keyMax, 50}, "person_search"},
		{"exact with date", searchExactDateSQL, []any{"rossi", "", keyMax, 50, "1970-01-01"}, "person_birth"},
		{"longer with date", searchLongerDateSQL, []any{"rossi", "rossj", "", keyMax, 50, "1970-01-01"}, "person_birth"},
		{"codice fiscale", searchCFSQL, []any{"RSSMRA70E10A269O", "", "RSSMRA70E10A269O", 50}, "person_cf_base"},
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
			if !strings.Contains(text, "INDEX "+tt.index) {
				t.Errorf("plan %q does not use %s", text, tt.index)
			}
			if strings.Contains(text, "TEMP B-TREE") && tt.name != "codice fiscale" {
				t.Errorf("plan %q sorts", text)
			}
		})
	}
}
