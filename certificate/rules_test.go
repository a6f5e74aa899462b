package certificate

import (
	"slices"
	"strings"
	"testing"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// issueDay is the day the edge-case tests judge on.
var issueDay = day(2026, 3, 2)

// edge cases of the register, each built from the ordinary resident family.
func aire() registry.Record {
	r := family()
	r.Person.Status = registry.AIRE
	for i := range r.Members {
		r.Members[i].Person.Status = registry.AIRE // the whole family lives abroad
	}
	r.Address = registry.Address{Toponym: "RUE", Street: "DE RIVOLI", HouseNumber: "10", Place: "Z110"}
	return r
}

func convivenzaMember() registry.Record {
	r := family()
	r.Family.Convivenza = registry.Convivenza{Name: "RSA Villa Serena", Species: registry.SpeciesCare, Responsible: "Anna Neri"}
	return r
}

func deceased() registry.Record {
	r := family()
	r.Person.Status, r.Person.StatusSince = registry.Deceased, day(2020, 2, 2)
	r.Residences[1].To = day(2020, 2, 2)
	return r
}

// minor is a single resident born on the date.
func minor(born registry.Date) registry.Record {
	r := family()
	r.Person.BirthDate, r.Person.CivilStatus, r.CivilEvents = born, registry.Single, nil
	return r
}

func unknownStatus() registry.Record {
	r := family()
	r.Person.CivilStatus, r.CivilEvents = registry.CivilStatusUnknown, nil
	return r
}

// TestIssuingRulesEdgeCases checks each rule on the register's legal edge
// cases: what is refused, whether anyone may force it, and what the refusal
// offers instead.
func TestIssuingRulesEdgeCases(t *testing.T) {
	unknownMember := family()
	unknownMember.Members[1].Person.CivilStatus = registry.CivilStatusUnknown
	deadMember := family()
	deadMember.Members[1].Person.Status = registry.Deceased
	noSpouseName := family()
	noSpouseName.CivilEvents[0].OtherName, noSpouseName.CivilEvents[0].OtherPersonID = "", 0
	tests := []struct {
		name      string
		rec       registry.Record
		types     []Type
		at        registry.Date // for ResidenceHistoryAtDate
		refused   bool
		forceable bool
		instead   []Type
		message   string // part of the refusal's message
	}{
		// the ordinary resident
		{"resident: residence", family(), []Type{Residence}, registry.Date{}, false, false, nil, ""},
		{"resident: contestuale", family(), Contestuale, registry.Date{}, false, false, nil, ""},
		{"resident: family with relationships", family(), []Type{FamilyWithRelationships}, registry.Date{}, false, false, nil, ""},
		{"resident: alive", family(), []Type{Alive}, registry.Date{}, false, false, nil, ""},
		{"resident: historical residence at a date", family(), []Type{ResidenceHistoryAtDate}, day(2000, 1, 1), false, false, nil, ""},
		{"resident: AIRE residence", family(), []Type{ResidenceAIRE}, registry.Date{}, true, false, nil, "AIRE"},

		// AIRE: not a resident
		{"AIRE: residence", aire(), []Type{Residence}, registry.Date{}, true, false, []Type{ResidenceAIRE}, "AIRE"},
		{"AIRE: family", aire(), []Type{Family}, registry.Date{}, true, false, []Type{FamilyAIRE}, "AIRE"},
		{"AIRE: family and civil status", aire(), []Type{FamilyAndCivilStatus}, registry.Date{}, true, false, []Type{FamilyAIRE}, "AIRE"},
		{"AIRE: family with relationships", aire(), []Type{FamilyWithRelationships}, registry.Date{}, true, false, []Type{FamilyAIRE}, "AIRE"},
		{"AIRE: contestuale with residence", aire(), Contestuale, registry.Date{}, true, false, []Type{ResidenceAIRE}, "AIRE"},
		{"AIRE: AIRE residence", aire(), []Type{ResidenceAIRE}, registry.Date{}, false, false, nil, ""},
		{"AIRE: AIRE family", aire(), []Type{FamilyAIRE}, registry.Date{}, false, false, nil, ""},
		{"AIRE: contestuale of AIRE residence, citizenship and civil status", aire(), []Type{ResidenceAIRE, Citizenship, CivilStatus}, registry.Date{}, false, false, nil, ""},
		{"AIRE: alive", aire(), []Type{Alive}, registry.Date{}, false, false, nil, ""},

		// convivenza: not a family
		{"convivenza: family", convivenzaMember(), []Type{Family}, registry.Date{}, true, false, []Type{ResidenceInstitution}, "convivenza"},
		{"convivenza: family and civil status", convivenzaMember(), []Type{FamilyAndCivilStatus}, registry.Date{}, true, false, []Type{ResidenceInstitution}, "convivenza"},
		{"convivenza: family with relationships", convivenzaMember(), []Type{FamilyWithRelationships}, registry.Date{}, true, false, []Type{ResidenceInstitution}, "convivenza"},
		{"convivenza: residence in convivenza", convivenzaMember(), []Type{ResidenceInstitution}, registry.Date{}, false, false, nil, ""},

		// an unknown fact is never certified, whoever asks
		{"unknown civil status: stato libero", unknownStatus(), []Type{Free}, registry.Date{}, true, false, nil, "not known"},
		{"unknown civil status: stato civile", unknownStatus(), []Type{CivilStatus}, registry.Date{}, true, false, nil, "not known"},
		{"unknown civil status: contestuale", unknownStatus(), Contestuale, registry.Date{}, true, false, nil, "not known"},
		{"unknown civil status of a member: family and civil status", unknownMember, []Type{FamilyAndCivilStatus}, registry.Date{}, true, false, nil, "not known"},
		{"unknown civil status: residence", unknownStatus(), []Type{Residence}, registry.Date{}, false, false, nil, ""},
		{"marriage with no spouse in the register", noSpouseName, []Type{Marriage}, registry.Date{}, true, false, nil, "spouse"},

		// historical residence at a date
		{"at a date in the future", family(), []Type{ResidenceHistoryAtDate}, day(2026, 3, 3), true, false, nil, "future"},
		{"at a date before birth", family(), []Type{ResidenceHistoryAtDate}, day(1979, 12, 31), true, false, nil, "birth"},
		{"at the birth date", family(), []Type{ResidenceHistoryAtDate}, day(1980, 1, 1), false, false, nil, ""},
		{"at today", family(), []Type{ResidenceHistoryAtDate}, issueDay, false, false, nil, ""},

		// stato libero of a minor (art. 84 c.c.)
		{"minor of 15: stato libero", minor(day(2010, 3, 3)), []Type{Free}, registry.Date{}, true, false, nil, "16"},
		{"minor of 16: stato libero", minor(day(2010, 3, 2)), []Type{Free}, registry.Date{}, true, true, nil, "court"},
		{"minor of 17: stato libero", minor(day(2008, 3, 3)), []Type{Free}, registry.Date{}, true, true, nil, "court"},
		{"of age: stato libero", minor(day(2008, 3, 2)), []Type{Free}, registry.Date{}, false, false, nil, ""},
		{"minor: residence", minor(day(2015, 1, 1)), []Type{Residence}, registry.Date{}, false, false, nil, ""},

		// the dead
		{"deceased: death", deceased(), []Type{Death}, registry.Date{}, false, false, nil, ""},
		{"deceased: birth", deceased(), []Type{Birth}, registry.Date{}, false, false, nil, ""},
		{"deceased: cancellation", deceased(), []Type{Cancellation}, registry.Date{}, false, false, nil, ""},
		{"deceased: historical residence", deceased(), []Type{ResidenceHistory}, registry.Date{}, false, false, nil, ""},
		{"deceased: historical residence at a date in life", deceased(), []Type{ResidenceHistoryAtDate}, day(2010, 1, 1), false, false, nil, ""},
		{"deceased: historical residence at a date after death", deceased(), []Type{ResidenceHistoryAtDate}, day(2021, 1, 1), true, false, nil, "death"},
		{"deceased: residence", deceased(), []Type{Residence}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: alive", deceased(), []Type{Alive}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: family", deceased(), []Type{Family}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: family and civil status", deceased(), []Type{FamilyAndCivilStatus}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: family with relationships", deceased(), []Type{FamilyWithRelationships}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: stato libero", deceased(), []Type{Free}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: stato civile", deceased(), []Type{CivilStatus}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: citizenship", deceased(), []Type{Citizenship}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: residence in convivenza", deceased(), []Type{ResidenceInstitution}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: marriage", deceased(), []Type{Marriage}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: civil union", deceased(), []Type{CivilUnion}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: AIRE residence", deceased(), []Type{ResidenceAIRE}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: AIRE family", deceased(), []Type{FamilyAIRE}, registry.Date{}, true, false, nil, "deceased"},
		{"deceased: historical citizenship", deceased(), []Type{CitizenshipHistory}, registry.Date{}, true, false, nil, "does not hold"},
		{"deceased: cohabitation contract", deceased(), []Type{CohabitationContract}, registry.Date{}, true, false, nil, "deceased"},
		{"a deceased member still in the family: stato di famiglia", deadMember, []Type{Family}, registry.Date{}, true, false, nil, "deceased"},
		{"a deceased member still in the family: residence", deadMember, []Type{Residence}, registry.Date{}, false, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Types: tt.types, Use: UsePrivate, Duty: StampDuty{Payment: PayVirtual}, AtDate: tt.at, On: issueDay}
			req.Normalise()
			refusals := Refusals(tt.rec, req)
			if got := len(refusals) > 0; got != tt.refused {
				t.Fatalf("refused %v, want %v (%v)", got, tt.refused, refusals)
			}
			if !tt.refused {
				if _, err := Check(tt.rec, req, clerk); err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			r := refusals[0]
			if r.Forceable != tt.forceable {
				t.Errorf("forceable %v, want %v: %v", r.Forceable, tt.forceable, r.Err)
			}
			if !slices.Equal(r.Instead, tt.instead) {
				t.Errorf("instead %v, want %v", r.Instead, tt.instead)
			}
			msg, args := fault.Message(r.Error())
			if text := msg + " " + argText(args); !strings.Contains(text, tt.message) {
				t.Errorf("message %q lacks %q", text, tt.message)
			}
			for _, it := range tt.instead {
				if !strings.Contains(argText(args), titleInText(it)) {
					t.Errorf("message %q does not name the %s", argText(args), it.Title())
				}
			}
			// A registrar forces only what the law lets them.
			req.Force, req.ForceReason = true, "decreto del Tribunale per i minorenni n. 12/2026"
			_, err := Check(tt.rec, req, registrar)
			if (err == nil) != tt.forceable {
				t.Errorf("registrar's force: %v, forceable %v", err, tt.forceable)
			}
		})
	}
}

func argText(args map[string]any) string {
	var parts []string
	for _, v := range args {
		if s, ok := v.(string); ok {
			parts = append(parts, s)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// TestForceableRefusals pins the forces the law allows: a stato di famiglia
// whose intestatario scheda the register lacks (the members are the
// register's facts) and the stato libero of a 16- or 17-year-old with the
// court's authorisation (art. 84 c.c.). Nothing else.
func TestForceableRefusals(t *testing.T) {
	noHead := family()
	noHead.Family.HouseholderID = 0
	cases := map[string]registry.Record{
		"family without householder": noHead, "unknown status": unknownStatus(), "AIRE": aire(),
		"convivenza": convivenzaMember(), "deceased": deceased(), "minor of 16": minor(day(2010, 1, 1)),
		"minor of 10": minor(day(2016, 1, 1)), "resident": family(),
	}
	var forceable []string
	for name, rec := range cases {
		for _, typ := range Types() {
			req := Request{Types: []Type{typ}, On: issueDay, AtDate: day(2010, 1, 1)}
			for _, r := range Refusals(rec, req) {
				if r.Forceable {
					forceable = append(forceable, name+": "+r.Type.Title())
				}
			}
		}
	}
	slices.Sort(forceable)
	want := []string{
		"family without householder: Certificato di stato di famiglia",
		"family without householder: Certificato di stato di famiglia con rapporti di parentela",
		"family without householder: Certificato di stato di famiglia e di stato civile",
		"minor of 16: Certificato di stato libero",
	}
	if !slices.Equal(forceable, want) {
		t.Errorf("forceable refusals:\n%s\nwant:\n%s", strings.Join(forceable, "\n"), strings.Join(want, "\n"))
	}
}

// TestMayIssue checks who issues: clerks and registrars; supervisors only
// when the setting lets them; nobody else.
func TestMayIssue(t *testing.T) {
	for _, tt := range []struct {
		role        string
		supervisors bool
		want        bool
	}{
		{"clerk", false, true}, {"registrar", false, true}, {"supervisor", false, false},
		{"supervisor", true, true}, {"admin", true, false}, {"social_worker", true, false}, {"", true, false},
	} {
		p := IssuePolicy{Supervisors: tt.supervisors}
		if got := p.MayIssue(access.Role(tt.role)); got != tt.want {
			t.Errorf("%s with supervisors %v: %v, want %v", tt.role, tt.supervisors, got, tt.want)
		}
	}
}
