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

// bySex picks the key for the person's sex: key+".f" for women, key+".m"
// otherwise.
func bySex(sex registry.Sex, key, male, female string) string {
	if sex == registry.Female {
		return lang.X(key+".f", female)
	}
	return lang.X(key+".m", male)
}

// statusName is the register status; "" for residents, who need no badge.
func statusName(st registry.Status, sex registry.Sex) string {
	switch st {
	case registry.Cancelled:
		return bySex(sex, "status.cancelled", "Cancelled", "Cancelled")
	case registry.Deceased:
		return bySex(sex, "status.deceased", "Deceased", "Deceased")
	case registry.AIRE:
		return lang.X("status.aire", "AIRE")
	}
	return ""
}

// statusLong is the register status as a sentence of the person view.
func statusLong(st registry.Status, sex registry.Sex) string {
	switch st {
	case registry.Resident:
		return bySex(sex, "status.resident", "Resident", "Resident")
	case registry.Cancelled:
		return bySex(sex, "status.cancelled.long", "Cancelled from the register", "Cancelled from the register")
	case registry.Deceased:
		return statusName(st, sex)
	case registry.AIRE:
		return lang.X("status.aire.long", "Resident abroad, in the AIRE register")
	}
	return string(st)
}

func sexName(sex registry.Sex) string {
	if sex == registry.Female {
		return lang.X("sex.f", "Female")
	}
	return lang.X("sex.m", "Male")
}

func civilStatusName(c registry.CivilStatus, sex registry.Sex) string {
	switch c {
	case registry.Single:
		return bySex(sex, "civilstatus.single", "Single", "Single")
	case registry.Married:
		return bySex(sex, "civilstatus.married", "Married", "Married")
	case registry.Widowed:
		return bySex(sex, "civilstatus.widowed", "Widowed", "Widowed")
	case registry.Divorced:
		return bySex(sex, "civilstatus.divorced", "Divorced", "Divorced")
	case registry.CivilUnion:
		return bySex(sex, "civilstatus.civil_union", "In a civil union", "In a civil union")
	case registry.FreeAfterPartnerDied:
		return lang.X("civilstatus.free_partner_died", "Free after the death of the civil partner")
	case registry.FreeAfterUnionEnded:
		return lang.X("civilstatus.free_union_ended", "Free after the civil union was dissolved")
	}
	return lang.X("civilstatus.unknown", "Not known")
}

// relationshipName is the member's relationship to the householder.
func relationshipName(r registry.Relationship, sex registry.Sex) string {
	switch r {
	case registry.Householder:
		return lang.X("relationship.householder", "Householder")
	case registry.Spouse:
		return bySex(sex, "relationship.spouse", "Husband", "Wife")
	case registry.Child:
		return bySex(sex, "relationship.child", "Son", "Daughter")
	case registry.Grandchild:
		return lang.X("relationship.grandchild", "Grandchild")
	case registry.Parent:
		return bySex(sex, "relationship.parent", "Father", "Mother")
	case registry.Grandparent:
		return bySex(sex, "relationship.grandparent", "Grandfather", "Grandmother")
	case registry.Sibling:
		return bySex(sex, "relationship.sibling", "Brother", "Sister")
	case registry.ChildInLaw:
		return bySex(sex, "relationship.child_in_law", "Son-in-law", "Daughter-in-law")
	case registry.ParentInLaw:
		return bySex(sex, "relationship.parent_in_law", "Father-in-law", "Mother-in-law")
	case registry.SiblingInLaw:
		return bySex(sex, "relationship.sibling_in_law", "Brother-in-law", "Sister-in-law")
	case registry.Cohabitant:
		return lang.X("relationship.cohabitant", "Cohabiting partner")
	case registry.CivilPartner:
		return bySex(sex, "relationship.civil_partner", "Civil partner", "Civil partner")
	case registry.OtherRelative:
		return lang.X("relationship.other", "Other relative")
	}
	return lang.X("relationship.unknown", "Relationship not known")
}

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
	if code == "" {
		return recorded
	}
	p, ok := registry.LookupPlace(code, on)
	if !ok {
		p, ok = registry.LookupPlace(code, registry.Date{})
	}
	switch {
	case ok && p.Province != "":
		return registry.TitleCase(p.Name) + " (" + p.Province + ")"
	case ok:
		return registry.TitleCase(p.Name)
	case recorded != "":
		return recorded + " (" + code + ")"
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
