package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// anncsuCSV is a stradario in the ANNCSU layout: semicolon separated, with
// columns the loader ignores, and bad rows.
const anncsuCSV = "CODICE_COMUNE;PROGR_NAZIONALE;DUG;DENOM_UFF;CIVICO;ESPONENTE;COORD_X\n" +
	"A269;1001;VIA;GIUSEPPE GARIBALDI;12;;13.1\n" +
	"A269;1001;VIA;GIUSEPPE GARIBALDI;12;A;13.1\n" +
	"A269;1001;VIA;GIUSEPPE GARIBALDI;3;;13.1\n" +
	"A269;1002;piazza;cavour;;;\n" +
	"A269;1003;VIA;GARIBALDINI;1;;\n" +
	"A269;;VIA;SENZA CODICE;1;;\n" +
	"A269;1001;VIA;ROMA;5;;\n" +
	"A269;1004;VIA;;5;;\n"

func loadStradario(tb testing.TB, s *Store, text string) StradarioReport {
	tb.Helper()
	rep, err := s.LoadStradario(context.Background(), strings.NewReader(text))
	if err != nil {
		tb.Fatalf("LoadStradario: %v", err)
	}
	return rep
}

func TestLoadStradario(t *testing.T) {
	s := openTest(t)
	rep := loadStradario(t, s, anncsuCSV)
	if rep.Streets != 3 || rep.Numbers != 4 || rep.BadRows != 3 {
		t.Fatalf("report %+v, want 3 streets, 4 numbers, 3 bad rows", rep)
	}
	var lines []int
	for _, p := range rep.Problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{7, 8, 9}) {
		t.Errorf("bad lines %v, want [7 8 9]", lines)
	}
	if rep.Problems[0].Message != "The street's code is required" {
		t.Errorf("line 7: %q", rep.Problems[0].Message)
	}

	t.Run("again replaces", func(t *testing.T) {
		rep := loadStradario(t, s, "PROGR_NAZIONALE,DUG,DENOM_UFF,CIVICO\n1001,VIA,GIUSEPPE GARIBALDI,12\n1002,PIAZZA,CAVOUR,\n1003,VIA,GARIBALDINI,1\n")
		if rep.Streets != 3 || rep.Numbers != 2 || count(t, s, "street_number") != 2 {
			t.Fatalf("report %+v, %d numbers stored", rep, count(t, s, "street_number"))
		}
	})
	t.Run("missing columns", func(t *testing.T) {
		_, err := s.LoadStradario(context.Background(), strings.NewReader("VIA,NOME\nVIA,ROMA\n"))
		if fault.Code(err) != fault.Invalid || count(t, s, "street") != 3 {
			t.Fatalf("err %v, %d streets kept", err, count(t, s, "street"))
		}
	})
}

func TestStreetsLookup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	loadStradario(t, s, anncsuCSV)
	tests := []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"gari", 10, []string{"VIA GARIBALDINI", "VIA GIUSEPPE GARIBALDI"}},
		{"Garibaldi", 10, []string{"VIA GARIBALDINI", "VIA GIUSEPPE GARIBALDI"}},
		{"100%", 10, nil},
		{"giuseppe gar", 10, []string{"VIA GIUSEPPE GARIBALDI"}},
		{"via g", 10, []string{"VIA GARIBALDINI", "VIA GIUSEPPE GARIBALDI"}},
		{"piazza", 10, []string{"PIAZZA CAVOUR"}},
		{"g", 1, []string{"VIA GARIBALDINI"}},
		{"", 10, nil},
		{"zzz", 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			got, err := s.Streets(ctx, tc.prefix, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			for _, st := range got {
				labels = append(labels, st.Label())
			}
			if !slices.Equal(labels, tc.want) {
				t.Errorf("Streets(%q) = %v, want %v", tc.prefix, labels, tc.want)
			}
		})
	}
	nums, err := s.StreetNumbers(ctx, "1001", "", 10)
	if err != nil || !slices.Equal(nums, []string{"3", "12", "12/A"}) {
		t.Errorf("StreetNumbers = %v, %v", nums, err)
	}
	if nums, _ := s.StreetNumbers(ctx, "1001", "12", 10); !slices.Equal(nums, []string{"12", "12/A"}) {
		t.Errorf("StreetNumbers(12) = %v", nums)
	}
}

func TestChangeAddressStradario(t *testing.T) {
	ctx := context.Background()
	s := loadFixture(t)
	mario := idOf(t, s, "Rossi", "Mario")
	move := func(street string, u access.User, confirm bool) error {
		rec := record(t, s, mario)
		from := registry.DateOf(rec.Residences[len(rec.Residences)-1].From.Time().AddDate(0, 0, 1))
		return s.ChangeAddress(ctx, u, registry.AddressChange{PersonID: mario, BaseVersion: rec.Person.Version,
			Address: registry.Address{Toponym: "VIA", Street: street, HouseNumber: "1"}, From: from, ConfirmOffStradario: confirm})
	}
	// An empty stradario checks nothing.
	if err := move("DEI MILLE", testClerk, false); err != nil {
		t.Fatalf("no stradario: %v", err)
	}
	loadStradario(t, s, anncsuCSV)
	tests := []struct {
		name, street string
		user         access.User
		confirm      bool
		want         string
		flagged      bool
	}{
		{"clerk, street in the stradario", "giuseppe garibaldi", testClerk, false, "", false},
		{"clerk refused off the stradario", "DEI MILLE", testClerk, true, fault.Forbidden, false},
		{"registrar must confirm", "DEI MILLE", testRegistrar, false, fault.Invalid, false},
		{"registrar confirms, flagged", "DEI MILLE", testRegistrar, true, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := trail(t, s)
			checkEdit(t, s, before, move(tc.street, tc.user, tc.confirm), tc.want)
			if tc.want != "" {
				return
			}
			a := record(t, s, mario).Address
			if a.OffStradario != tc.flagged {
				t.Errorf("%s: OffStradario %t, want %t", a.Line(), a.OffStradario, tc.flagged)
			}
			doc, ok, err := readDoc(ctx, s.r, DocKey{Entity: docAddress, UID: a.UID})
			if err != nil || !ok {
				t.Fatalf("readDoc: %v %t", err, ok)
			}
			var f addressFields
			if err := decodeFields(doc.Fields, &f); err != nil || f.OffStradario != tc.flagged {
				t.Errorf("sync document %v: off_stradario %t, want %t", err, f.OffStradario, tc.flagged)
			}
		})
	}
}

// TestPushAddressOffStradario: the server refuses a clerk's change of
// address to a street off its stradario, and a clerk's address flagged as
// recorded off it (a desk that lies), before applying anything.
func TestPushAddressOffStradario(t *testing.T) {
	ctx := context.Background()
	clerk := access.User{Username: certClerk.Username, Role: access.Clerk}
	tests := []struct {
		name, street string
		serverList   bool // the server has a stradario
		tamper       bool // the desk sets the flag in the address document
		refused      string
	}{
		{"street in the stradario", "GIUSEPPE GARIBALDI", true, false, ""},
		{"street off the server's stradario", "DEI MILLE", true, false, "{{.Street}} is not in the stradario: only the registrar may record it"},
		{"flag set by a clerk's desk", "DEI MILLE", false, true, "The role of {{.Operator}} may not make this change ({{.Change}})"},
		{"no stradario at the server", "DEI MILLE", false, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newTrustOffice(t, "D01")
			d := o.desks["D01"]
			if tc.serverList {
				loadStradario(t, o.server, anncsuCSV)
			}
			mario := idOf(t, d, "Rossi", "Mario")
			rec := record(t, d, mario)
			if err := d.ChangeAddress(ctx, clerk, registry.AddressChange{PersonID: mario, BaseVersion: rec.Person.Version,
				Address: registry.Address{Toponym: "VIA", Street: tc.street, HouseNumber: "1"}, From: date(t, "2026-02-01")}); err != nil {
				t.Fatal(err)
			}
			if tc.tamper {
				if _, err := d.w.ExecContext(ctx, `UPDATE outbox SET docs = replace(docs, '"off_stradario":false', '"off_stradario":true')`); err != nil {
					t.Fatal(err)
				}
			}
			res := o.push(t, d)
			last := res[len(res)-1]
			if tc.refused == "" && last.Error != "" && strings.Contains(last.Error, "stradario") {
				t.Fatalf("refused: %+v", last)
			}
			if tc.refused != "" && last.Error != tc.refused {
				t.Fatalf("result %+v, want refused with %q", last, tc.refused)
			}
			if n := count(t, o.server, "address"); tc.refused != "" && n != 0 {
				t.Errorf("the server holds %d addresses after a refusal", n)
			}
		})
	}
}
