package desk

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/certificate"
	"sportello/registry"
)

// edgeFixture is the desk's fixture with the register's edge cases added:
// Carlo Bruni, registered in AIRE and living in Paris; Elvira Fabi, a guest
// of the RSA Villa Serena; Piero Gatti, whose civil status is not
// documented; and the Conti family: Lina, the mother, with Marta (16) and
// Sofia (10).
func edgeFixture(t *testing.T) *fixture {
	t.Helper()
	cfs := map[string]string{}
	today := registry.Today()
	person := func(uid, surname, name string, sex registry.Sex, born registry.Date, cs registry.CivilStatus, st registry.Status) registry.Person {
		cf, err := registry.ComputeCF(surname, name, sex, born, "A269")
		if err != nil {
			t.Fatal(err)
		}
		cfs[name] = cf
		return registry.Person{UID: uid, CF: cf, Surname: surname, Name: name, Sex: sex, BirthDate: born, BirthPlace: "A269",
			Citizenships: []string{registry.Italy}, CivilStatus: cs, Status: st}
	}
	// Born so that Marta is 16 and Sofia 10 on the day the test runs.
	yearsAgo := func(n int) registry.Date {
		return registry.DateOf(today.Time().AddDate(-n, 0, -1))
	}
	carlo := person("e-carlo", "Bruni", "Carlo", registry.Male, registry.NewDate(1975, 2, 2), registry.Married, registry.AIRE)
	elvira := person("e-elvira", "Fabi", "Elvira", registry.Female, registry.NewDate(1931, 4, 4), registry.Widowed, registry.Resident)
	piero := person("e-piero", "Gatti", "Piero", registry.Male, registry.NewDate(1969, 8, 8), registry.CivilStatusUnknown, registry.Resident)
	lina := person("e-lina", "Conti", "Lina", registry.Female, registry.NewDate(1980, 5, 5), registry.Divorced, registry.Resident)
	marta := person("e-marta", "Conti", "Marta", registry.Female, yearsAgo(16), registry.Single, registry.Resident)
	sofia := person("e-sofia", "Conti", "Sofia", registry.Female, yearsAgo(10), registry.Single, registry.Resident)
	paris := registry.Address{Toponym: "RUE", Street: "DE RIVOLI", HouseNumber: "10", Place: "Z110"}
	rsa := registry.Address{Toponym: "VIA", Street: "DEI CASTAGNI", HouseNumber: "40", Postcode: "03012", Place: "A269"}
	po := registry.Address{Toponym: "VIA", Street: "PO", HouseNumber: "1", Postcode: "03012", Place: "A269"}
	conti := registry.Address{Toponym: "VIA", Street: "TEVERE", HouseNumber: "9", Postcode: "03012", Place: "A269"}
	since := registry.NewDate(2010, 1, 1)
	households := []registry.Household{
		{Address: paris, Members: []registry.Member{{Person: carlo, Relationship: registry.Householder}},
			Residences: []registry.Residence{{PersonUID: carlo.UID, Address: paris, From: since}}},
		{Family: registry.Family{Convivenza: registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Dott.ssa Anna Neri"}},
			Address: rsa, Members: []registry.Member{{Person: elvira, Relationship: registry.Householder}},
			Residences: []registry.Residence{{PersonUID: elvira.UID, Address: rsa, From: since}}},
		{Address: po, Members: []registry.Member{{Person: piero, Relationship: registry.Householder}},
			Residences: []registry.Residence{{PersonUID: piero.UID, Address: po, From: since}}},
		{Address: conti, Members: []registry.Member{
			{Person: lina, Relationship: registry.Householder}, {Person: marta, Relationship: registry.Child}, {Person: sofia, Relationship: registry.Child}},
			Residences: []registry.Residence{
				{PersonUID: lina.UID, Address: conti, From: since}, {PersonUID: marta.UID, Address: conti, From: marta.BirthDate},
				{PersonUID: sofia.UID, Address: conti, From: sofia.BirthDate}}},
	}
	fx, err := newFixtureWith(filepath.Join(t.TempDir(), "desk.db"), households)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fx.store.Close() })
	for name, cf := range cfs {
		fx.cf[name] = cf
	}
	return fx
}

// TestCertificateScreenEdgeCases checks what the desk offers and refuses on
// the register's edge cases: the refusal's reason, the types offered
// instead, and the force only where the law allows one.
func TestCertificateScreenEdgeCases(t *testing.T) {
	fx := edgeFixture(t)
	tests := []struct {
		name    string
		person  string
		role    access.Role
		typ     certificate.Type
		enabled bool
		verdict string
		instead string // the offer's button, "" for none
		force   bool
	}{
		{"AIRE: residence", "Carlo", access.Registrar, certificate.Residence, false, "AIRE", "10 · Certificato di residenza AIRE", false},
		{"AIRE: stato di famiglia", "Carlo", access.Clerk, certificate.Family, false, "AIRE", "15 · Certificato di stato di famiglia AIRE", false},
		{"AIRE: residence AIRE", "Carlo", access.Clerk, certificate.ResidenceAIRE, true, "Certificato di residenza AIRE", "", false},
		{"convivenza: stato di famiglia", "Elvira", access.Registrar, certificate.FamilyWithRelationships, false, "convivenza", "14 · Certificato di residenza in convivenza", false},
		{"convivenza: residence in convivenza", "Elvira", access.Clerk, certificate.ResidenceInstitution, true, "Certificato di residenza in convivenza", "", false},
		{"unknown civil status: stato libero by a registrar", "Piero", access.Registrar, certificate.Free, false, "non risulta", "", false},
		{"unknown civil status: stato civile by a registrar", "Piero", access.Registrar, certificate.CivilStatus, false, "non risulta", "", false},
		{"16-year-old: stato libero by a registrar", "Marta", access.Registrar, certificate.Free, false, "tribunale", "", true},
		{"16-year-old: stato libero by a clerk", "Marta", access.Clerk, certificate.Free, false, "tribunale", "", false},
		{"10-year-old: stato libero by a registrar", "Sofia", access.Registrar, certificate.Free, false, "16 anni", "", false},
		{"10-year-old: residence", "Sofia", access.Clerk, certificate.Residence, true, "Certificato di residenza", "", false},
		{"deceased: cancellation", "Giulia", access.Clerk, certificate.Cancellation, true, "cancellazione", "", false},
		{"deceased: alive", "Giulia", access.Registrar, certificate.Alive, false, "deceduta", "", false},
		{"deceased: stato libero", "Giulia", access.Registrar, certificate.Free, false, "deceduta", "", false},
		{"resident: stato di famiglia", "Mario", access.Clerk, certificate.Family, true, "Certificato di stato di famiglia", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := openCertificateScreen(t, fx, tt.person, tt.role)
			h.chooseType(tt.typ)
			s := h.s
			if s.previewBtn.Disabled() == tt.enabled {
				t.Errorf("issue enabled %v, want %v (verdict %q)", !s.previewBtn.Disabled(), tt.enabled, s.verdict.Text)
			}
			if !strings.Contains(s.verdict.Text, tt.verdict) {
				t.Errorf("verdict %q lacks %q", s.verdict.Text, tt.verdict)
			}
			if s.force.Visible() != tt.force {
				t.Errorf("force offered %v, want %v", s.force.Visible(), tt.force)
			}
			offer := insteadButton(s)
			switch {
			case tt.instead == "" && offer != nil:
				t.Errorf("offers %q", offer.Text)
			case tt.instead != "" && (offer == nil || !s.instead.Visible() || !strings.Contains(offer.Text, tt.instead)):
				t.Fatalf("offer %v, want %q", offer, tt.instead)
			case tt.instead != "":
				test.Tap(offer)
				if s.previewBtn.Disabled() || s.verdict.Importance != widget.SuccessImportance {
					t.Errorf("after the offer: verdict %q", s.verdict.Text)
				}
			}
		})
	}
}

func insteadButton(s *certificateScreen) *widget.Button {
	for _, o := range s.instead.Objects {
		if b, ok := o.(*widget.Button); ok {
			return b
		}
	}
	return nil
}

// TestCertificateScreenAIREContestuale checks that the offers turn an AIRE
// citizen's contestuale into one of the AIRE types.
func TestCertificateScreenAIREContestuale(t *testing.T) {
	h := openCertificateScreen(t, edgeFixture(t), "Carlo", access.Clerk)
	s := h.s
	s.typeSel.SetSelectedIndex(len(s.typeLabels) - 1)
	for _, want := range []string{"10 · ", "15 · "} {
		offer := insteadButton(s)
		if offer == nil || !strings.Contains(offer.Text, want) {
			t.Fatalf("offer %v, want %q (verdict %q)", offer, want, s.verdict.Text)
		}
		test.Tap(offer)
	}
	if s.previewBtn.Disabled() {
		t.Fatalf("contestuale still refused: %q", s.verdict.Text)
	}
	req := s.request()
	for _, bad := range []certificate.Type{certificate.Residence, certificate.Family} {
		for _, typ := range req.Types {
			if typ == bad {
				t.Errorf("the contestuale still holds %s", bad.Title())
			}
		}
	}
	if !strings.Contains(s.verdict.Text, "residenza AIRE, ") || !strings.Contains(s.verdict.Text, " e stato di famiglia AIRE") {
		t.Errorf("verdict %q", s.verdict.Text)
	}
}

// TestSelfDeclarationWithoutIssuing checks that the self-declaration is
// offered on the form, issues nothing, is refused for the dead and, for a
// minor, is declared by the parent the clerk names.
func TestSelfDeclarationWithoutIssuing(t *testing.T) {
	fx := edgeFixture(t)
	ctx := context.Background()

	h := openCertificateScreen(t, fx, "Mario", access.Clerk)
	if !h.s.selfBtn.Disabled() {
		t.Error("self-declaration offered before a type is chosen")
	}
	h.chooseType(certificate.Residence)
	if h.s.selfBtn.Disabled() || h.s.declarantName.Visible() {
		t.Fatalf("self-declaration of an adult: enabled %v, declarant asked %v (%q)", !h.s.selfBtn.Disabled(), h.s.declarantName.Visible(), h.s.selfNote.Text)
	}
	test.Tap(h.s.selfBtn)
	if len(h.svc.declared) != 1 || h.svc.declared[0].By.For() || h.svc.declared[0].Person.Name != "Mario" {
		t.Fatalf("declared %+v", h.svc.declared)
	}
	if entries, err := fx.store.CertificatesOn(ctx, registry.Today()); err != nil || len(entries) != 0 {
		t.Errorf("the self-declaration registered certificates: %v, %v", entries, err)
	}

	dead := openCertificateScreen(t, fx, "Giulia", access.Registrar)
	dead.chooseType(certificate.Birth)
	if !dead.s.selfBtn.Disabled() || !strings.Contains(dead.s.selfNote.Text, "deceduta") {
		t.Errorf("self-declaration of a deceased person: enabled %v, note %q", !dead.s.selfBtn.Disabled(), dead.s.selfNote.Text)
	}

	child := openCertificateScreen(t, fx, "Sofia", access.Clerk)
	child.chooseType(certificate.Residence)
	if !child.s.declarantName.Visible() || child.s.declarantName.Text != "Conti Lina" {
		t.Fatalf("a minor's self-declaration: declarant asked %v, proposed %q, want her mother", child.s.declarantName.Visible(), child.s.declarantName.Text)
	}
	child.s.declarantName.SetText("")
	if !child.s.selfBtn.Disabled() || !strings.Contains(child.s.selfNote.Text, "genitore") {
		t.Fatalf("a minor's self-declaration with no declarant: enabled %v, note %q", !child.s.selfBtn.Disabled(), child.s.selfNote.Text)
	}
	test.Type(child.s.declarantName, "Conti Lina")
	if child.s.selfBtn.Disabled() {
		t.Fatalf("refused with the parent named: %q", child.s.selfNote.Text)
	}
	test.Tap(child.s.selfBtn)
	if n := len(child.svc.declared); n != 1 {
		t.Fatalf("declared %d", n)
	}
	if d := child.svc.declared[0]; d.By.Name != "Conti Lina" || d.By.Sex != registry.Female || d.By.Capacity != certificate.Parent || d.Person.Name != "Sofia" {
		t.Errorf("declared by %+v about %s", d.By, d.Person.Name)
	}
}

// TestSupervisorsIssueOnlyBySetting checks the person view's certificate
// button: a supervisor gets it only when the setting says supervisors issue.
func TestSupervisorsIssueOnlyBySetting(t *testing.T) {
	fx := sharedFixture(t)
	supervisor := access.User{Username: "sblu", FullName: "Sara Blu", Role: access.Supervisor}
	for _, tt := range []struct {
		user   access.User
		policy certificate.IssuePolicy
		want   bool
	}{
		{supervisor, certificate.IssuePolicy{}, false},
		{supervisor, certificate.IssuePolicy{Supervisors: true}, true},
		{access.User{Username: clerkUser, FullName: clerkName, Role: access.Clerk}, certificate.IssuePolicy{}, true},
		{access.User{Username: "admin", FullName: "Aldo Admin", Role: access.Admin}, certificate.IssuePolicy{Supervisors: true}, false},
	} {
		d := &Desk{deps: Deps{Certificates: &testCertificates{st: fx.store, policy: tt.policy}}, now: func() time.Time { return testNow }}
		if got := certificateLauncher(d, tt.user) != nil; got != tt.want {
			t.Errorf("%s with %+v: button %v, want %v", tt.user.Role, tt.policy, got, tt.want)
		}
	}
}
