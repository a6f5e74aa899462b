package desk

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// The register's codes as a clerk reads them. Words whose Italian depends on
// the person's sex have one key per sex (".m", ".f"); the Italian terms are
// ANPR's.

func roleName(r access.Role) string {
	switch r {
	case access.Clerk:
		return lang.X("role.clerk", "Counter clerk")
	case access.Registrar:
		return lang.X("role.registrar", "Registrar")
	case access.SocialWorker:
		return lang.X("role.social_worker", "Social worker")
	case access.Supervisor:
		return lang.X("role.supervisor", "Supervisor")
	case access.Admin:
		return lang.X("role.admin", "Administrator")
	}
	return string(r)
}

// label translates a code's label (registry/labels.go).
func label(l registry.Label) string {
	if l.Key == "" {
		return ""
	}
	return lang.X(l.Key, l.English)
}

// statusName is the register status; "" for residents, who need no badge.
func statusName(st registry.Status, sex registry.Sex) string { return label(st.ShortLabel(sex)) }

// statusLong is the register status as a sentence of the person view.
func statusLong(st registry.Status, sex registry.Sex) string { return label(st.Label(sex)) }

func sexName(sex registry.Sex) string { return label(sex.Label()) }

func civilStatusName(c registry.CivilStatus, sex registry.Sex) string { return label(c.Label(sex)) }

// relationshipName is the member's relationship to the householder.
func relationshipName(r registry.Relationship, sex registry.Sex) string { return label(r.Label(sex)) }

// eventName is a civil-status event of the person's history.
func eventName(k registry.CivilEventKind) string {
	switch k {
	case registry.EventMarriage:
		return lang.X("event.marriage", "Marriage")
	case registry.EventCivilUnion:
		return lang.X("event.civil_union", "Civil union")
	case registry.EventDivorce:
		return lang.X("event.divorce", "Divorce")
	case registry.EventUnionDissolved:
		return lang.X("event.union_dissolved", "Civil union dissolved")
	case registry.EventWidowhood:
		return lang.X("event.widowhood", "Widowhood")
	}
	return string(k)
}

// placeName names a municipality or foreign state in title case, "Anagni
// (FR)" or "Marocco", with the entry in force on the date. A code in
// none of the lists reads "Unknown place (X123)", or the name recorded with
// the person when there is one.
func placeName(code string, on registry.Date, recorded string) string {
	if name, ok := registry.PlaceName(code, on, recorded); ok || code == "" {
		return name
	}
	if strings.HasPrefix(strings.ToUpper(code), "Z") {
		return lang.L("Unknown foreign state ({{.Code}})", map[string]any{"Code": code})
	}
	return lang.L("Unknown municipality ({{.Code}})", map[string]any{"Code": code})
}

// citizenshipName is a citizenship: "Italiana" for Italians, else the state.
func citizenshipName(code string, on registry.Date) string {
	if code == registry.Italy {
		return lang.X("citizenship.it", "Italian")
	}
	return placeName(code, on, "")
}

// userMessage is what a clerk reads for err: the domain message translated,
// or the generic one for anything else, which is logged whole for the operator.
func userMessage(err error) string {
	if fault.Code(err) == fault.Internal {
		fyne.LogError("desk", err)
	}
	return translated(fault.Message(err))
}

// translated is the text of a key that comes from elsewhere (a domain error,
// the sync state the program reports): its translation, or the key itself.
func translated(key string, args map[string]any) string {
	return lang.L(key, args)
}

// fullName is surname and name as recorded, the order a register uses.
func fullName(surname, name string) string {
	return strings.TrimSpace(surname + " " + name)
}
