package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/registry"
)

// The parts of the record beyond the person's own data: the electoral
// lists, and the convivenza a person lives in.

// electoral says whether the person is in the electoral lists, with the
// section and number, or why not.
func electoral(rec registry.Record, today registry.Date) fyne.CanvasObject {
	e := rec.Electoral
	if e.Registered {
		text := lang.L("Registered: section {{.Section}}, number {{.Number}}", map[string]any{"Section": e.Section, "Number": e.Number})
		if !e.Since.IsZero() {
			text = lang.L("Registered since {{.Date}}: section {{.Section}}, number {{.Number}}",
				map[string]any{"Date": e.Since.Italian(), "Section": e.Section, "Number": e.Number})
		}
		return &widget.Label{Text: text, Importance: widget.SuccessImportance, Wrapping: fyne.TextWrapWord}
	}
	return &widget.Label{Text: lang.L("Not registered: {{.Reason}}", map[string]any{"Reason": electoralReasonName(registry.ElectoralReasonFor(rec.Person, e, today))}), Wrapping: fyne.TextWrapWord}
}

func electoralReasonName(r registry.ElectoralReason) string {
	switch r {
	case registry.ElectoralMinor:
		return lang.X("electoral.minor", "a minor")
	case registry.ElectoralForeignEU:
		return lang.X("electoral.foreign_eu", "a citizen of another EU state (may ask to be in the additional lists)")
	case registry.ElectoralForeign:
		return lang.X("electoral.foreign", "a citizen of a state outside the EU")
	case registry.ElectoralNotResident:
		return lang.X("electoral.not_resident", "not resident in the municipality")
	case registry.ElectoralDeceased:
		return lang.X("electoral.deceased", "deceased")
	}
	return lang.X("electoral.not_listed", "not in the lists of the municipality: ask the electoral office")
}

// familyTitle is the title of the family section: a convivenza is not a
// family.
func familyTitle(f registry.Family) string {
	if f.IsConvivenza() {
		return lang.L("Convivenza")
	}
	return lang.L("Family")
}

// convivenzaRows heads the members of a convivenza with its name, species
// and the person responsible.
func convivenzaRows(rows *fyne.Container, c registry.Convivenza) {
	for _, pair := range [][2]string{
		{lang.L("Name"), c.Name},
		{lang.L("Species"), speciesName(c.Species)},
		{lang.L("Responsible"), c.Responsible},
	} {
		rows.Add(&widget.Label{Text: pair[0], Importance: widget.LowImportance})
		rows.Add(&widget.Label{Text: pair[1], TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	}
}

func speciesName(s registry.ConvivenzaSpecies) string {
	switch s {
	case registry.SpeciesReligious:
		return lang.X("convivenza.religious", "Religious institution")
	case registry.SpeciesCare:
		return lang.X("convivenza.care", "Care institution")
	case registry.SpeciesAssistance:
		return lang.X("convivenza.assistance", "Assistance institution")
	case registry.SpeciesMilitary:
		return lang.X("convivenza.military", "Military")
	case registry.SpeciesPenal:
		return lang.X("convivenza.penal", "Penal institution")
	}
	return lang.X("convivenza.other", "Other convivenza")
}

// memberRole is how a member is listed: the relationship to the
// householder in a family; in a convivenza, responsible or member.
func memberRole(f registry.Family, m registry.Member) string {
	if !f.IsConvivenza() {
		return relationshipName(m.Relationship, m.Person.Sex)
	}
	if c := f.Convivenza; c.ResponsibleID != 0 && c.ResponsibleID == m.Person.ID {
		return lang.L("Responsible for the convivenza")
	}
	return lang.L("Member of the convivenza")
}
