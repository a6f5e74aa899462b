package certificate

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"sportello/fault"
	"sportello/registry"
)

var anagni = Municipality{Code: "A269", Name: "Anagni"}

func compose(tb testing.TB, rec registry.Record, req Request) Document {
	tb.Helper()
	if req.Duty == (StampDuty{}) {
		req.Duty = StampDuty{Payment: PayMarca, Serial: "01234567890123"}
	}
	return Compose(rec, req, Number{"D01", 2026, 1}, day(2026, 3, 2), anagni, clerk)
}

func TestBirthPlaceWording(t *testing.T) {
	tests := []struct {
		name     string
		sex      registry.Sex
		code     string
		recorded string
		want     string
	}{
		{"ad before a", registry.Male, "A269", "", "nato ad Anagni (FR) il 01/01/1980"},
		{"a before a consonant, woman", registry.Female, "H501", "", "nata a Roma (RM) il 01/01/1980"},
		{"a before another vowel", registry.Male, "D403", "", "nato a Empoli (FI) il"},
		{"a foreign state only", registry.Male, "Z112", "", "nato in Germania il"},
		{"a foreign state recorded by name", registry.Female, "Z112", "GERMANIA", "nata in Germania il"},
		{"a foreign town the register holds", registry.Male, "Z114", "LONDRA", "nato a LONDRA (REGNO UNITO) il"},
		{"a foreign town opening with a", registry.Female, "Z126", "AMSTERDAM", "nata ad AMSTERDAM (PAESI BASSI) il"},
		{"a state with an article", registry.Male, "Z114", "", "nato nel Regno Unito il"},
		{"a plural state", registry.Female, "Z404", "", "nata negli Stati Uniti d'America il"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := family()
			rec.Person.Sex, rec.Person.BirthPlace, rec.Person.BirthPlaceName = tt.sex, tt.code, tt.recorded
			d := compose(t, rec, Request{Types: []Type{Birth}})
			if !strings.Contains(d.PersonLine, tt.want) {
				t.Errorf("person line %q lacks %q", d.PersonLine, tt.want)
			}
			if !strings.Contains(d.Facts[0].Certify, tt.want) {
				t.Errorf("fact %q lacks %q", d.Facts[0].Certify, tt.want)
			}
		})
	}
}

func TestMarriagePlaceWording(t *testing.T) {
	d := compose(t, family(), Request{Types: []Type{Marriage}})
	if want := "ha contratto matrimonio con BIANCHI ANNA il 10/06/2006 ad Anagni (FR)."; d.Facts[0].Certify != want {
		t.Errorf("fact %q, want %q", d.Facts[0].Certify, want)
	}
}

// TestSentencesOpenWithCapitals checks the contestuale reads as one
// sentence (CERTIFICA che ..., each fact on its line ending in a semicolon,
// the last in a full stop, the family's list last) and that every other
// sentence on the page opens with a capital.
func TestSentencesOpenWithCapitals(t *testing.T) {
	d := compose(t, family(), Request{Types: []Type{Birth, Family, Citizenship, Alive, Residence, CivilStatus, Free}})
	last := len(d.Facts) - 1
	for i, f := range d.Facts {
		r, _ := utf8.DecodeRuneInString(f.Certify)
		if !unicode.IsLower(r) {
			t.Errorf("fact %d %q does not continue the sentence", i, f.Certify)
		}
		switch {
		case i == last:
			if f.Table == nil || !strings.HasSuffix(f.Certify, "che è così composta:") {
				t.Errorf("the family is not last with its verb: %q", f.Certify)
			}
		case i == last-1:
			if !strings.HasSuffix(f.Certify, ";") && !strings.HasSuffix(f.Certify, ".") {
				t.Errorf("fact %d %q unpunctuated", i, f.Certify)
			}
		default:
			if !strings.HasSuffix(f.Certify, ";") {
				t.Errorf("fact %d %q does not end with a semicolon", i, f.Certify)
			}
		}
	}
	single := compose(t, family(), Request{Types: []Type{Residence}})
	if got := single.Facts[0].Certify; got != "è residente in questo Comune, Via Roma 12, 03012 Anagni." {
		t.Errorf("residence %q", got)
	}
	for _, s := range []string{d.Use, d.Duty, d.Art40, d.Validity} {
		if r, _ := utf8.DecodeRuneInString(s); !unicode.IsUpper(r) {
			t.Errorf("%q opens in lower case", s)
		}
	}
}

func TestFamilySentenceAndOrder(t *testing.T) {
	rec := family()
	daughter := registry.Person{ID: 4, Surname: "Rossi", Name: "Giulia", Sex: registry.Female, BirthDate: day(2008, 2, 2), BirthPlace: "A269", Status: registry.Resident, FamilyID: 7}
	mother := registry.Person{ID: 5, Surname: "Verdi", Name: "Lucia", Sex: registry.Female, BirthDate: day(1950, 2, 2), BirthPlace: "A269", Status: registry.Resident, FamilyID: 7}
	// The store's order is not the register's: a child, the mother-in-law,
	// the householder, the younger son, the wife.
	m := rec.Members
	rec.Members = []registry.Member{{Person: daughter, Relationship: registry.Child}, {Person: mother, Relationship: registry.ParentInLaw}, m[0], m[2], m[1]}
	tests := []struct {
		typ   Type
		first string
		order []string
	}{
		{Family, "ROSSI MARIO (intestatario scheda)", []string{"ROSSI MARIO", "BIANCHI ANNA", "ROSSI GIULIA", "ROSSI NICOLÒ", "VERDI LUCIA"}},
		{FamilyAndCivilStatus, "ROSSI MARIO (intestatario scheda)", []string{"ROSSI MARIO", "BIANCHI ANNA", "ROSSI GIULIA", "ROSSI NICOLÒ", "VERDI LUCIA"}},
		{FamilyWithRelationships, "ROSSI MARIO", []string{"ROSSI MARIO", "BIANCHI ANNA", "ROSSI GIULIA", "ROSSI NICOLÒ", "VERDI LUCIA"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ.Title(), func(t *testing.T) {
			d := compose(t, rec, Request{Types: []Type{tt.typ}})
			f := d.Facts[0]
			if want := "fa parte della famiglia anagrafica residente in Via Roma 12, 03012 Anagni, che è così composta:"; f.Certify != want {
				t.Errorf("sentence %q, want %q", f.Certify, want)
			}
			if f.Table.Rows[0][0] != tt.first {
				t.Errorf("first row %q, want %q", f.Table.Rows[0][0], tt.first)
			}
			for i, name := range tt.order {
				if !strings.HasPrefix(f.Table.Rows[i][0], name) {
					t.Errorf("row %d is %q, want %s", i, f.Table.Rows[i][0], name)
				}
			}
			if tt.typ == FamilyWithRelationships && f.Table.Rows[0][3] != "intestatario scheda" {
				t.Errorf("relationship %q", f.Table.Rows[0][3])
			}
		})
	}
	// A woman householder is the intestataria.
	woman := family()
	woman.Members[0].Person.Sex = registry.Female
	d := compose(t, woman, Request{Types: []Type{Family}})
	if got := d.Facts[0].Table.Rows[0][0]; got != "ROSSI MARIO (intestataria scheda)" {
		t.Errorf("woman householder %q", got)
	}
}

// aireAbroad is an Italian who lived in the municipality and now lives abroad,
// registered in AIRE: the period abroad is in the history, at a foreign
// address.
func aireAbroad() registry.Record {
	rec := family()
	abroad := registry.Address{Toponym: "RUE", Street: "DE LA PAIX", HouseNumber: "3", Place: "Z110"}
	rec.Person.Status, rec.Person.StatusSince = registry.AIRE, day(2015, 1, 1)
	rec.Address = abroad
	rec.Residences[1].To = day(2014, 12, 31)
	rec.Residences = append(rec.Residences, registry.Residence{Address: abroad, From: day(2015, 1, 1)})
	return rec
}

func TestResidenceHistoryOnlyHere(t *testing.T) {
	d := compose(t, aireAbroad(), Request{Types: []Type{ResidenceHistory}})
	rows := d.Facts[0].Table.Rows
	if len(rows) != 2 {
		t.Fatalf("rows %v, want the two periods in the municipality", rows)
	}
	for _, r := range rows {
		if strings.Contains(r[2], "Paix") || strings.Contains(r[2], "Francia") {
			t.Errorf("a foreign address listed as a residence here: %v", r)
		}
	}
	if rows[1][1] != "31/12/2014" {
		t.Errorf("last period here ends %q", rows[1][1])
	}
	at := compose(t, aireAbroad(), Request{Types: []Type{ResidenceHistoryAtDate}, AtDate: day(2020, 5, 5)})
	if want := "alla data del 05/05/2020 non risiedeva in questo Comune."; at.Facts[0].Certify != want {
		t.Errorf("at a date abroad: %q, want %q", at.Facts[0].Certify, want)
	}
	here := compose(t, aireAbroad(), Request{Types: []Type{ResidenceHistoryAtDate}, AtDate: day(2010, 5, 5)})
	if !strings.Contains(here.Facts[0].Certify, "risiedeva in questo Comune, Via Roma 12") {
		t.Errorf("at a date here: %q", here.Facts[0].Certify)
	}
}

func TestCancellationAndDeathWording(t *testing.T) {
	cancelled := func(sex registry.Sex, reason registry.CancelReason, place string) registry.Record {
		rec := family()
		rec.Person.Sex, rec.Person.Status, rec.Person.StatusSince = sex, registry.Cancelled, day(2024, 4, 1)
		rec.Person.CancelReason, rec.Person.StatusPlace = reason, place
		return rec
	}
	deceased := func(sex registry.Sex, place string) registry.Record {
		rec := family()
		rec.Person.Sex, rec.Person.Status, rec.Person.StatusSince, rec.Person.StatusPlace = sex, registry.Deceased, day(2024, 4, 1), place
		return rec
	}
	tests := []struct {
		name string
		rec  registry.Record
		typ  Type
		want string
	}{
		{"woman moved to another municipality", cancelled(registry.Female, registry.CancelMoved, "H501"), Cancellation,
			"è stata cancellata dall'anagrafe della popolazione residente di questo Comune il 01/04/2024 per trasferimento della residenza a Roma (RM)."},
		{"man emigrated with AIRE", cancelled(registry.Male, registry.CancelAIRE, "Z112"), Cancellation,
			"è stato cancellato dall'anagrafe della popolazione residente di questo Comune il 01/04/2024 per trasferimento della residenza in Germania, con iscrizione nell'Anagrafe degli Italiani Residenti all'Estero (AIRE)."},
		{"foreigner gone abroad, destination unknown", cancelled(registry.Male, registry.CancelForeignerAbroad, ""), Cancellation,
			"il 01/04/2024 per trasferimento della residenza all'estero."},
		{"untraceable woman", cancelled(registry.Female, registry.CancelUntraceable, ""), Cancellation,
			"è stata cancellata dall'anagrafe della popolazione residente di questo Comune il 01/04/2024 per irreperibilità."},
		{"reason not recorded", cancelled(registry.Female, 0, ""), Cancellation,
			"è stata cancellata dall'anagrafe della popolazione residente di questo Comune il 01/04/2024."},
		{"woman died here", deceased(registry.Female, "A269"), Death, "è deceduta ad Anagni (FR) il 01/04/2024."},
		{"man died abroad", deceased(registry.Male, "Z114"), Death, "è deceduto nel Regno Unito il 01/04/2024."},
		{"place of death not recorded", deceased(registry.Female, ""), Death, "è deceduta il 01/04/2024."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := compose(t, tt.rec, Request{Types: []Type{tt.typ}})
			if got := d.Facts[0].Certify; !strings.HasSuffix(got, tt.want) {
				t.Errorf("fact %q, want it to end %q", got, tt.want)
			}
		})
	}
}

var authorised = Settings{BolloCents: 1600, FeeCents: 52, FeeExemptCents: 26, VirtualBollo: Authorisation{Number: "12345/2019", Date: day(2019, 5, 20)}}

func TestVirtualBollo(t *testing.T) {
	req := Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayVirtual}}
	if err := req.ApplySettings(DefaultSettings); fault.Code(err) != fault.Invalid || !strings.Contains(err.Error(), "bollo_virtual_authorisation") {
		t.Errorf("virtual bollo without the authorisation: %v", err)
	}
	if err := req.ApplySettings(authorised); err != nil {
		t.Fatal(err)
	}
	want := "Imposta di bollo assolta in modo virtuale, autorizzazione dell'Agenzia delle Entrate n. 12345/2019 del 20/05/2019 (art. 15 d.P.R. 26 ottobre 1972, n. 642)."
	if got := req.DutyWording(); got != want {
		t.Errorf("wording %q, want %q", got, want)
	}
	// A marca or an exemption needs no authorisation.
	for _, ok := range []Request{
		{Types: []Type{Residence}, Duty: StampDuty{Payment: PayMarca, Serial: "01234567890123"}},
		{Types: []Type{Residence}, Duty: StampDuty{Exemption: 1}},
		{Types: []Type{Birth}, Duty: StampDuty{Payment: PayVirtual}},
	} {
		if err := ok.ApplySettings(DefaultSettings); err != nil {
			t.Errorf("%+v: %v", ok.Duty, err)
		}
	}
	other := Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayOther}}
	if got := other.DutyWording(); strings.Contains(got, "virtuale") {
		t.Errorf("the other payment printed as virtual: %q", got)
	}
}

func TestExemptionCaptions(t *testing.T) {
	abbreviations := map[string]bool{"ONLUS": true, "C.T.U.": true, "M-DG.DAG.14803.U": true, "70/E": true}
	for _, e := range Exemptions() {
		if e.Caption == "" {
			t.Errorf("exemption %d has no caption", e.Code)
		}
		for _, w := range strings.FieldsFunc(e.Caption, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '(' || r == ')' }) {
			if len(w) > 2 && strings.ToUpper(w) == w && strings.ToLower(w) != w && !abbreviations[w] {
				t.Errorf("exemption %d: %q is in capitals in %q", e.Code, w, e.Caption)
			}
		}
	}
	req := Request{Types: []Type{Residence}, Use: UseCourt, Duty: StampDuty{Exemption: 3}}
	if want := "Esente dall'imposta di bollo: processuale (certificati da produrre nel procedimento) - art. 18 d.P.R. 30 maggio 2002, n. 115"; !strings.HasPrefix(req.DutyWording(), want) {
		t.Errorf("wording %q, want it to open %q", req.DutyWording(), want)
	}
	onlus := Request{Types: []Type{Residence}, Duty: StampDuty{Exemption: 1}}
	if !strings.HasPrefix(onlus.DutyWording(), "Esente dall'imposta di bollo: ONLUS - art. 27-bis") {
		t.Errorf("wording %q", onlus.DutyWording())
	}
}

func TestOtherExemptionNeedsItsNorm(t *testing.T) {
	no := Request{Types: []Type{Residence}, Duty: StampDuty{Exemption: 99, Reason: "Organizzazione di volontariato"}}
	no.Normalise()
	if err := no.Validate(); fault.Code(err) != fault.Invalid || !strings.Contains(err.Error(), "legal reference") {
		t.Errorf("exemption 99 without its norm: %v", err)
	}
	yes := no
	yes.Duty.Norm = "art. 8, comma 1, legge 11 agosto 1991, n. 266"
	if err := yes.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := "Esente dall'imposta di bollo: organizzazione di volontariato (art. 8, comma 1, legge 11 agosto 1991, n. 266)."; yes.DutyWording() != want {
		t.Errorf("wording %q, want %q", yes.DutyWording(), want)
	}
}

func TestUseAgreesWithExemption(t *testing.T) {
	tests := []struct {
		exemption int
		use       Use
		types     []Type
		ok        bool
	}{
		{10, UsePrivate, []Type{Residence}, false},
		{10, UseOffice, []Type{Residence}, true},
		{0, UseOffice, []Type{Residence}, false},
		{0, UseOffice, []Type{Birth}, true},
		{3, UseCourt, []Type{Residence}, true},
		{3, UsePrivate, []Type{Residence}, false},
		{3, UseAbroad, []Type{Residence}, false},
		{7, UseCourt, []Type{Family}, true},
		{9, UseAbroad, []Type{Residence}, true},
		{9, UsePrivate, []Type{Residence}, false},
		{6, UseAbroad, []Type{Family}, true},
		{1, UsePrivate, []Type{Residence}, true},
		{1, UseImmigration, []Type{Residence}, false},
		{0, UseImmigration, []Type{Residence}, true},
		{99, UseOffice, []Type{Residence}, false},
	}
	for _, tt := range tests {
		req := Request{Types: tt.types, Use: tt.use, Duty: StampDuty{Exemption: tt.exemption, Reason: "motivo", Norm: "norma"}}
		if tt.exemption == 0 {
			req.Duty = StampDuty{Payment: PayMarca, Serial: "01234567890123"}
		}
		req.Normalise()
		err := req.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("exemption %d with use %s: %v, want ok %v", tt.exemption, tt.use, err, tt.ok)
		}
	}
	d := compose(t, family(), Request{Types: []Type{Residence}, Use: UseOffice, Duty: StampDuty{Exemption: 10}})
	if strings.Contains(d.Text(), "tra privati") || strings.Contains(d.Text(), "non può essere prodotto agli organi della pubblica amministrazione") {
		t.Errorf("a certificate for a public office says it is for private parties:\n%s", d.Text())
	}
}

func TestImmigrationWording(t *testing.T) {
	d := compose(t, family(), Request{Types: []Type{Residence}, Use: UseImmigration})
	if strings.Contains(d.Text(), "non può essere prodotto") {
		t.Errorf("the art. 40 ban on a certificate for the immigration proceedings:\n%s", d.Text())
	}
	if want := "Certificato rilasciato per i procedimenti disciplinati dalle norme sull'immigrazione"; !strings.HasPrefix(d.Art40, want) {
		t.Errorf("art. 40 line %q, want %q", d.Art40, want)
	}
}

func TestMarcaSerial(t *testing.T) {
	tests := []struct {
		serial string
		ok     bool
	}{
		{"01234567890123", true},
		{"0123 4567 8901 23", true},
		{"0123456789012", false},
		{"012345678901234", false},
		{"0123456789012A", false},
		{"00000000000000", false},
		{"", false},
	}
	for _, tt := range tests {
		req := Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayMarca, Serial: tt.serial}}
		req.Normalise()
		if err := req.Validate(); (err == nil) != tt.ok {
			t.Errorf("serial %q: %v, want ok %v", tt.serial, err, tt.ok)
		}
	}
}

func TestCashCloseCSV(t *testing.T) {
	c := CloseDay(day(2026, 3, 2), []CashEntry{
		{At: "2026-03-02T08:30:00.000000Z", Operator: "op", Number: "D01-2026-000001-K", Kind: "bollo", Cents: 812050, Method: PayVirtual},
		{At: "2026-03-02T08:30:00.000000Z", Operator: "op", Number: "D01-2026-000001-K", Kind: "fee", Cents: 52, Method: PayCash},
	})
	c.Marche = []Marca{{At: "2026-03-02T09:00:00.000000Z", Operator: "op", Number: "D01-2026-000002-X", Serial: "01234567890123"}}
	c.Closed, c.ClosedAt, c.ClosedBy = true, "2026-03-02T17:05:00.000000Z", "uff"
	var b strings.Builder
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	csv := b.String()
	for _, want := range []string{
		"\uFEFFgiorno;ora;operatore;",
		"02/03/2026;09:30:00;op;D01-2026-000001-K;Imposta di bollo;bollo virtuale;8120,50\r\n",
		"02/03/2026;10:00:00;op;D01-2026-000002-X;marca da bollo;n. 01234567890123;",
		"Cassa chiusa il 02/03/2026 18:05 da uff",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("csv lacks %q:\n%s", want, csv)
		}
	}
	if got := Euro(812050); got != "8.120,50" {
		t.Errorf("Euro = %q", got)
	}
	if got := Euro(-123456789); got != "-1.234.567,89" {
		t.Errorf("Euro = %q", got)
	}
	if open := (DailyClose{}).State(); !strings.HasPrefix(open, "Cassa aperta") {
		t.Errorf("open day: %q", open)
	}
}

// TestEveryUseSeals checks that a certificate of each use, the office's
// included, seals and verifies with its use.
func TestEveryUseSeals(t *testing.T) {
	priv := testKey(t)
	pub := priv.Public().(ed25519.PublicKey)
	for _, use := range Uses() {
		req := Request{Types: []Type{Birth}, Use: use}
		d := compose(t, family(), req)
		if err := d.SealWith(func(s *Seal) error { return s.Sign(priv) }); err != nil {
			t.Fatalf("%s: %v", use, err)
		}
		s, err := Verify(d.SealText, Keys{KeyID(pub): TrustedKey{PublicKey: pub, DeskCode: "D01"}})
		if err != nil || s.Use != use {
			t.Errorf("%s: verified %v, %v", use, s.Use, err)
		}
	}
}

// TestWomanFormsEverywhere composes every type for a woman, as resident,
// cancelled, deceased and AIRE, and looks for a masculine form.
func TestWomanFormsEverywhere(t *testing.T) {
	masculine := []string{"nato ", "cancellato", "deceduto", "iscritto ", "cittadino ", "celibe", "coniugato", "vedovo", "divorziato", "stato cancellat", "intestatario"}
	for _, status := range []registry.Status{registry.Resident, registry.Cancelled, registry.Deceased, registry.AIRE} {
		for _, typ := range Types() {
			rec := family()
			rec.Person.Sex, rec.Person.Name, rec.Person.Status, rec.Person.StatusSince = registry.Female, "Maria", status, day(2024, 1, 1)
			rec.Members[0].Person = rec.Person
			rec.Person.CancelReason = registry.CancelUntraceable
			if typ == ResidenceInstitution {
				rec.Family.Convivenza = registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare}
			}
			d := compose(t, rec, Request{Types: []Type{typ}, AtDate: day(2010, 1, 1)})
			text := d.PersonLine + "\n"
			for _, f := range d.Facts {
				text += f.Certify + "\n" + f.Declare + "\n"
				if f.Table != nil {
					for _, r := range f.Table.Rows {
						if strings.HasPrefix(r[0], "ROSSI MARIA") {
							text += strings.Join(r, " ") + "\n"
						}
					}
				}
			}
			for _, m := range masculine {
				if strings.Contains(text, m) {
					t.Errorf("%s, %s: masculine %q in\n%s", status, typ.Title(), m, text)
				}
			}
		}
	}
}
