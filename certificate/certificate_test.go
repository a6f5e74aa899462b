package certificate

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

func day(y int, m time.Month, d int) registry.Date { return registry.NewDate(y, m, d) }

// family is a resident married Italian householder with a wife and a son.
func family() registry.Record {
	mario := registry.Person{ID: 1, CF: "RSSMRA80A01A269X", Surname: "Rossi", Name: "Mario", Sex: registry.Male,
		BirthDate: day(1980, 1, 1), BirthPlace: "A269", Citizenships: []string{registry.Italy},
		CivilStatus: registry.Married, Status: registry.Resident, FamilyID: 7, Relationship: registry.Householder}
	anna := registry.Person{ID: 2, Surname: "Bianchi", Name: "Anna", Sex: registry.Female, BirthDate: day(1982, 5, 3),
		BirthPlace: "H501", CivilStatus: registry.Married, Status: registry.Resident, FamilyID: 7, Relationship: registry.Spouse}
	nicolo := registry.Person{ID: 3, Surname: "Rossi", Name: "Nicolò", Sex: registry.Male, BirthDate: day(2010, 9, 9),
		BirthPlace: "A269", CivilStatus: registry.Single, Status: registry.Resident, FamilyID: 7, Relationship: registry.Child}
	addr := registry.Address{Toponym: "VIA", Street: "ROMA", HouseNumber: "12", Postcode: "03012", Place: "A269"}
	return registry.Record{
		Person:  mario,
		Address: addr,
		Residences: []registry.Residence{
			{Address: registry.Address{Toponym: "VIA", Street: "GARIBALDI", HouseNumber: "3", Place: "A269"}, From: day(1980, 1, 1), To: day(2005, 6, 30)},
			{Address: addr, From: day(2005, 7, 1)},
		},
		CivilEvents: []registry.CivilEvent{{Kind: registry.EventMarriage, Date: day(2006, 6, 10), Place: "A269", OtherPersonID: 2, OtherName: "Bianchi Anna"}},
		Family:      registry.Family{ID: 7, HouseholderID: 1},
		Members:     []registry.Member{{Person: mario, Relationship: registry.Householder}, {Person: anna, Relationship: registry.Spouse}, {Person: nicolo, Relationship: registry.Child}},
	}
}

var (
	clerk     = Issuer{Username: "op", FullName: "Paola Verdi", Role: access.Clerk}
	registrar = Issuer{Username: "uff", FullName: "Luca Neri", Role: access.Registrar}
)

func TestRules(t *testing.T) {
	foreign := family()
	foreign.Person.Citizenships = []string{"Z110"}
	dead := family()
	dead.Person.Status, dead.Person.StatusSince = registry.Deceased, day(2020, 2, 2)
	noFamily := family()
	noFamily.Person.FamilyID, noFamily.Members = 0, nil
	noHead := family()
	noHead.Family.HouseholderID = 0
	convivenza := family()
	convivenza.Family.Convivenza = registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Anna Neri"}
	unknown := family()
	unknown.Person.CivilStatus = registry.CivilStatusUnknown
	noStart := family()
	noStart.Residences[0].From = registry.Date{}
	single := family()
	single.Person.CivilStatus, single.CivilEvents = registry.Single, nil
	tests := []struct {
		name      string
		rec       registry.Record
		types     []Type
		by        Issuer
		force     bool
		wantCode  string
		wantForce int
	}{
		{"residence", family(), []Type{Residence}, clerk, false, "", 0},
		{"contestuale", family(), Contestuale, clerk, false, "", 0},
		{"citizenship of a foreigner", foreign, []Type{Citizenship}, clerk, false, fault.Invalid, 0},
		{"citizenship of a foreigner forced", foreign, []Type{Citizenship}, registrar, true, fault.Invalid, 0},
		{"stato libero of a married man", family(), []Type{Free}, clerk, false, fault.Invalid, 0},
		{"stato libero of a single man", single, []Type{Free}, clerk, false, "", 0},
		{"stato libero unknown status", unknown, []Type{Free}, clerk, false, fault.Invalid, 0},
		{"stato libero unknown status forced by a clerk", unknown, []Type{Free}, clerk, true, fault.Invalid, 0},
		{"stato libero unknown status forced by a registrar", unknown, []Type{Free}, registrar, true, fault.Invalid, 0},
		{"family without a householder forced by a clerk", noHead, []Type{Family}, clerk, true, fault.Forbidden, 0},
		{"marriage", family(), []Type{Marriage}, clerk, false, "", 0},
		{"marriage of a single man", single, []Type{Marriage}, clerk, false, fault.Invalid, 0},
		{"family without a family", noFamily, []Type{Family}, clerk, false, fault.Invalid, 0},
		{"family without a householder", noHead, []Type{Family}, clerk, false, fault.Invalid, 0},
		{"family of a convivenza member", convivenza, []Type{Family}, clerk, false, fault.Invalid, 0},
		{"family of a convivenza member forced", convivenza, []Type{FamilyWithRelationships}, registrar, true, fault.Invalid, 0},
		{"residence of a convivenza member", convivenza, []Type{Residence}, clerk, false, "", 0},
		{"residence in convivenza of a member", convivenza, []Type{ResidenceInstitution}, clerk, false, "", 0},
		{"residence in convivenza of a family member", family(), []Type{ResidenceInstitution}, clerk, false, fault.Invalid, 0},
		{"family without a householder forced", noHead, []Type{Family}, registrar, true, "", 1},
		{"historical residence", family(), []Type{ResidenceHistory}, clerk, false, "", 0},
		{"historical residence with no start", noStart, []Type{ResidenceHistory}, clerk, false, fault.Invalid, 0},
		{"historical residence combined", family(), []Type{ResidenceHistory, Residence}, clerk, false, fault.Invalid, 0},
		{"death of a living person", family(), []Type{Death}, clerk, false, fault.Invalid, 0},
		{"death", dead, []Type{Death}, clerk, false, "", 0},
		{"residence of a deceased", dead, []Type{Residence}, registrar, true, fault.Invalid, 0},
		{"alive of a deceased", dead, []Type{Alive}, clerk, false, fault.Invalid, 0},
		{"AIRE of a resident", family(), []Type{ResidenceAIRE}, clerk, false, fault.Invalid, 0},
		{"cohabitation contract", family(), []Type{CohabitationContract}, clerk, false, fault.Invalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Types: tt.types, Use: UsePrivate, Duty: StampDuty{Payment: PayVirtual}, Force: tt.force}
			if tt.force {
				req.ForceReason = "checked on paper"
			}
			forced, err := Check(tt.rec, req, tt.by)
			if fault.Code(err) != tt.wantCode {
				t.Fatalf("Check: %v, want code %q", err, tt.wantCode)
			}
			if len(forced) != tt.wantForce {
				t.Errorf("forced %v, want %d", forced, tt.wantForce)
			}
		})
	}
}

func TestFeesAndWording(t *testing.T) {
	s := DefaultSettings
	tests := []struct {
		name    string
		req     Request
		fees    Fees
		wording string
	}{
		{"virtual bollo", Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayVirtual, Authorisation: Authorisation{"12345/2019", day(2019, 5, 20)}}}, Fees{1600, 1600, 52}, "assolta in modo virtuale, autorizzazione dell'Agenzia delle Entrate n. 12345/2019 del 20/05/2019"},
		{"marca", Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayMarca, Serial: "01234567890123"}}, Fees{0, 1600, 52}, "contrassegno telematico n. 01234567890123"},
		{"ONLUS", Request{Types: []Type{Residence}, Duty: StampDuty{Exemption: 1}}, Fees{0, 0, 26}, "ONLUS - art. 27-bis, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642"},
		{"separation waives the fee", Request{Types: []Type{Family}, Use: UseCourt, Duty: StampDuty{Exemption: 7}}, Fees{0, 0, 0}, "art. 19 legge 6 marzo 1987, n. 74"},
		{"other reason", Request{Types: []Type{Residence}, Duty: StampDuty{Exemption: 99, Reason: "uso borsa di studio", Norm: "art. 8, legge 11 agosto 1991, n. 266"}}, Fees{0, 0, 26}, "Esente dall'imposta di bollo: uso borsa di studio (art. 8, legge 11 agosto 1991, n. 266)."},
		{"birth is exempt by law", Request{Types: []Type{Birth}}, Fees{0, 0, 26}, "art. 7, comma 5, della legge 29 dicembre 1990, n. 405"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.req.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := tt.req.Fees(s); got != tt.fees {
				t.Errorf("Fees = %+v, want %+v", got, tt.fees)
			}
			if got := tt.req.DutyWording(); !strings.Contains(got, tt.wording) {
				t.Errorf("wording %q lacks %q", got, tt.wording)
			}
		})
	}
	for _, bad := range []Request{
		{Types: []Type{Residence}},
		{Types: []Type{Residence}, Duty: StampDuty{Payment: PayMarca}},
		{Types: []Type{Residence}, Duty: StampDuty{Exemption: 99}},
		{Types: []Type{Residence}, Duty: StampDuty{Exemption: 55}},
		{Types: []Type{ResidenceHistoryAtDate}, Duty: StampDuty{Payment: PayVirtual}},
	} {
		if err := bad.Validate(); fault.Code(err) != fault.Invalid {
			t.Errorf("Validate(%+v) = %v, want invalid", bad, err)
		}
	}
}

func TestArt40AndValidity(t *testing.T) {
	rec := family()
	for _, use := range Uses() {
		for _, types := range [][]Type{{Birth}, {Residence}, Contestuale, {ResidenceHistory}} {
			req := Request{Types: types, Use: use, Duty: StampDuty{Payment: PayVirtual}}
			d := Compose(rec, req, Number{"D01", 2026, 1}, day(2026, 3, 2), Municipality{Code: "A269", Name: "Anagni"}, clerk)
			want := "Il presente certificato non può essere prodotto agli organi della pubblica amministrazione o ai privati gestori di pubblici servizi."
			switch use {
			case UseAbroad:
				want = "Ai sensi dell'art. 40, d.P.R. 28 dicembre 2000, n. 445, il presente certificato è rilasciato solo per l'estero."
			case UseImmigration:
				want = "Certificato rilasciato per i procedimenti disciplinati dalle norme sull'immigrazione"
			case UseOffice:
				want = "Certificato rilasciato a una pubblica amministrazione per l'acquisizione d'ufficio"
			}
			if !strings.Contains(d.Text(), want) {
				t.Errorf("%s %v: art. 40 sentence missing", use, types)
			}
			unlimited := strings.Contains(d.Validity, "illimitata")
			if unlimited != (len(types) == 1 && types[0] == Birth) {
				t.Errorf("%v: validity %q", types, d.Validity)
			}
		}
	}
}

func TestComposeFacts(t *testing.T) {
	m := Municipality{Code: "A269", Name: "Anagni"}
	tests := []struct {
		types []Type
		want  []string
	}{
		{[]Type{Residence}, []string{"ROSSI MARIO, nato ad Anagni (FR) il 01/01/1980", "è residente in questo Comune, Via Roma 12, 03012 Anagni."}},
		{[]Type{Family}, []string{"fa parte della famiglia anagrafica", "BIANCHI ANNA\tRoma (RM)\t03/05/1982\n", "ROSSI NICOLÒ"}},
		{[]Type{FamilyWithRelationships}, []string{"BIANCHI ANNA\tRoma (RM)\t03/05/1982\tmoglie", "intestatario scheda"}},
		{[]Type{ResidenceHistory}, []string{"01/01/1980\t30/06/2005\tVia Garibaldi 3", "01/07/2005\tad oggi\tVia Roma 12"}},
		{[]Type{Marriage}, []string{"ha contratto matrimonio con BIANCHI ANNA il 10/06/2006 ad Anagni (FR)."}},
		{[]Type{Citizenship}, []string{"è cittadino italiano."}},
		{[]Type{CivilStatus}, []string{"è di stato civile: coniugato."}},
	}
	for _, tt := range tests {
		d := Compose(family(), Request{Types: tt.types, Duty: StampDuty{Payment: PayVirtual}}, Number{"D01", 2026, 1}, day(2026, 3, 2), m, clerk)
		text := d.Text()
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%v: text lacks %q:\n%s", tt.types, w, text)
			}
		}
	}
	// A historical family certificate never shows kinship: only type 16 does.
	d := Compose(family(), Request{Types: []Type{Family}, Duty: StampDuty{Payment: PayVirtual}}, Number{"D01", 2026, 1}, day(2026, 3, 2), m, clerk)
	if strings.Contains(d.Text(), "moglie") {
		t.Error("the stato di famiglia shows kinship")
	}
}

func TestNumber(t *testing.T) {
	n := Number{Desk: "D01", Year: 2026, Seq: 123}
	s := n.String()
	got, err := ParseNumber(s)
	if err != nil || got != n {
		t.Fatalf("ParseNumber(%q) = %v, %v", s, got, err)
	}
	// Every single mistyped character and every adjacent swap is caught.
	body := s[:len(s)-2]
	for i := range len(body) {
		if body[i] == '-' {
			continue
		}
		for _, c := range alphabet {
			if byte(c) == body[i] {
				continue
			}
			typo := body[:i] + string(c) + body[i+1:] + s[len(s)-2:]
			if _, err := ParseNumber(typo); err == nil {
				t.Errorf("typo %q accepted", typo)
			}
		}
		if i+1 < len(body) && body[i+1] != '-' && body[i] != body[i+1] {
			swap := body[:i] + string(body[i+1]) + string(body[i]) + body[i+2:] + s[len(s)-2:]
			if _, err := ParseNumber(swap); err == nil {
				t.Errorf("swap %q accepted", swap)
			}
		}
	}
}

func testKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	return ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
}

func sealed(tb testing.TB) (Document, Keys) {
	tb.Helper()
	priv := testKey(tb)
	d := Compose(family(), Request{Types: Contestuale, Duty: StampDuty{Payment: PayVirtual}}, Number{"D01", 2026, 42}, day(2026, 3, 2), Municipality{Code: "A269", Name: "Anagni"}, clerk)
	if err := d.SealWith(func(s *Seal) error { return s.Sign(priv) }); err != nil {
		tb.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	return d, Keys{KeyID(pub): {PublicKey: pub, DeskCode: "D01"}}
}

func TestSealRoundTrip(t *testing.T) {
	d, keys := sealed(t)
	s, err := Verify(d.SealText, keys)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if s.Number != d.Number || s.CF != "RSSMRA80A01A269X" || s.IssueDate != day(2026, 3, 2) || len(s.Types) != len(Contestuale) {
		t.Errorf("seal = %+v", s)
	}
	if len(d.SealText) > 260 {
		t.Errorf("seal text is %d bytes, too long for a small QR code", len(d.SealText))
	}
	if code, ok := NormaliseCode(strings.ToLower(strings.ReplaceAll(d.Code, "-", ""))); !ok || code != d.Code {
		t.Errorf("NormaliseCode = %q, %v; want %q", code, ok, d.Code)
	}
}

func TestSealTampered(t *testing.T) {
	d, keys := sealed(t)
	text := d.SealText
	rejected := 0
	for i := range len(text) {
		b := []byte(text)
		b[i] ^= 0x01
		if _, err := Verify(string(b), keys); err == nil {
			t.Errorf("flipped byte %d accepted: %q", i, b)
			continue
		}
		rejected++
	}
	if rejected != len(text) {
		t.Errorf("%d of %d flips rejected", rejected, len(text))
	}
	altered := strings.Replace(text, "|Rossi|", "|Rosso|", 1)
	if _, err := Verify(altered, keys); err == nil || !strings.Contains(err.Error(), "altered") {
		t.Errorf("altered name: %v", err)
	}
	if _, err := Verify(text, Keys{}); fault.Code(err) != fault.NotFound {
		t.Errorf("unknown key: %v", err)
	}
}

func TestSealTrustsTheKeyForItsOwnDeskOnly(t *testing.T) {
	d, keys := sealed(t)
	id := KeyID(testKey(t).Public().(ed25519.PublicKey))
	revokedAt := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // 1 December in Rome
	tests := []struct {
		name string
		key  TrustedKey
		want string // in the refusal; "" for valid
	}{
		{"the key of the number's desk", keys[id], ""},
		{"the key enrolled for another desk", TrustedKey{PublicKey: keys[id].PublicKey, DeskCode: "D06"}, "sealed with the key of desk"},
		{"a revoked key", TrustedKey{PublicKey: keys[id].PublicKey, DeskCode: "D01", RevokedAt: revokedAt}, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(d.SealText, Keys{id: tt.key})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var f *fault.Error
			if !errors.As(err, &f) || !strings.Contains(f.Message, tt.want) {
				t.Fatalf("Verify = %v, want a refusal saying %q", err, tt.want)
			}
			if !tt.key.RevokedAt.IsZero() && f.Args["Date"] != "01/12/2026" {
				t.Errorf("revoked on %v, want 01/12/2026", f.Args["Date"])
			}
		})
	}
}

func FuzzParseSeal(f *testing.F) {
	d, keys := sealed(f)
	f.Add(d.SealText)
	f.Add("SPT1|D01-2026-000001-0|8|A|B|C|19800101|20260302|P|AAAA|ABCDEF01|")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSeal(text)
		if err != nil {
			return
		}
		again, err := s.Text()
		if err != nil || again != strings.TrimSpace(text) {
			t.Fatalf("parsed seal does not print back: %q -> %q (%v)", text, again, err)
		}
		if _, err := Verify(text, keys); err == nil && again != d.SealText {
			t.Fatalf("a different text verified: %q", text)
		}
	})
}

func TestCloseDay(t *testing.T) {
	entries := []CashEntry{
		{Number: "A", Kind: "bollo", Cents: 1600, Method: PayVirtual},
		{Number: "A", Kind: "fee", Cents: 52, Method: PayCash},
		{Number: "B", Kind: "fee", Cents: 26, Method: PayCard},
		{Number: "C", Kind: "bollo", Cents: 1600, Method: PayVirtual},
		{Number: "C", Kind: "fee", Cents: 52, Method: PayCash},
	}
	c := CloseDay(day(2026, 3, 2), entries)
	want := []Total{
		{"bollo", PayVirtual, 2, 3200},
		{"fee", PayCard, 1, 26},
		{"fee", PayCash, 2, 104},
	}
	if len(c.Totals) != len(want) {
		t.Fatalf("totals %+v", c.Totals)
	}
	for i := range want {
		if c.Totals[i] != want[i] {
			t.Errorf("total %d = %+v, want %+v", i, c.Totals[i], want[i])
		}
	}
	if c.Cents != 3330 {
		t.Errorf("grand total %d, want 3330", c.Cents)
	}
	var b strings.Builder
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "02/03/2026;;;totale;;;33,30\r\n") || !strings.Contains(b.String(), ";Diritti di segreteria;carta (POS);0,26\r\n") {
		t.Errorf("csv:\n%s", b.String())
	}
}

// TestEveryTypeCertifiesSomething composes each type the desk can issue and
// checks that it states a fact both as certificate and as self-declaration.
func TestEveryTypeCertifiesSomething(t *testing.T) {
	for _, typ := range Types() {
		switch typ {
		case CitizenshipHistory, CohabitationContract:
			continue // refused: the register holds no data for them
		}
		rec := family()
		if typ == ResidenceInstitution {
			rec.Family.Convivenza = registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Anna Neri"}
		}
		req := Request{Types: []Type{typ}, Duty: StampDuty{Payment: PayVirtual}, AtDate: day(2010, 1, 1)}
		d := Compose(rec, req, Number{"D01", 2026, 1}, day(2026, 3, 2), Municipality{Code: "A269", Name: "Anagni"}, clerk)
		if len(d.Facts) == 0 || strings.TrimSpace(d.Facts[0].Certify) == "" || strings.TrimSpace(d.Facts[0].Declare) == "" {
			t.Errorf("type %d (%s) certifies nothing", typ, typ.Title())
		}
		if d.Title != typ.Title() || !strings.HasPrefix(d.Title, "Certificato ") {
			t.Errorf("type %d title %q", typ, d.Title)
		}
	}
}

func TestResidenceInConvivenzaNamesIt(t *testing.T) {
	rec := family()
	rec.Family.Convivenza = registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Anna Neri"}
	req := Request{Types: []Type{ResidenceInstitution}, Duty: StampDuty{Payment: PayVirtual}}
	d := Compose(rec, req, Number{"D01", 2026, 1}, day(2026, 3, 2), Municipality{Code: "A269", Name: "Anagni"}, clerk)
	got := d.Facts[0].Certify
	for _, want := range []string{"residente in questo Comune", "«RSA Villa Serena»", "casa di cura o di riposo", "responsabile Anna Neri"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
