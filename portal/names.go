package portal

import (
	"strings"

	"sportello/registry"
)

// The register's codes as a citizen reads them, with the desk's own keys
// (desk/names.go), so the portal and the desk say the same words.

func (t *tr) bySex(sex registry.Sex, key string) string {
	if sex == registry.Female {
		return t.L(key + ".f")
	}
	return t.L(key + ".m")
}

func (t *tr) sexName(sex registry.Sex) string {
	if sex == registry.Female {
		return t.L("sex.f")
	}
	return t.L("sex.m")
}

func (t *tr) civilStatusName(c registry.CivilStatus, sex registry.Sex) string {
	switch c {
	case registry.Single:
		return t.bySex(sex, "civilstatus.single")
	case registry.Married:
		return t.bySex(sex, "civilstatus.married")
	case registry.Widowed:
		return t.bySex(sex, "civilstatus.widowed")
	case registry.Divorced:
		return t.bySex(sex, "civilstatus.divorced")
	case registry.CivilUnion:
		return t.bySex(sex, "civilstatus.civil_union")
	case registry.FreeAfterPartnerDied:
		return t.L("civilstatus.free_partner_died")
	case registry.FreeAfterUnionEnded:
		return t.L("civilstatus.free_union_ended")
	}
	return t.L("civilstatus.unknown")
}

func (t *tr) relationshipName(r registry.Relationship, sex registry.Sex) string {
	switch r {
	case registry.Householder:
		return t.L("relationship.householder")
	case registry.Spouse:
		return t.bySex(sex, "relationship.spouse")
	case registry.Child:
		return t.bySex(sex, "relationship.child")
	case registry.Grandchild:
		return t.L("relationship.grandchild")
	case registry.Parent:
		return t.bySex(sex, "relationship.parent")
	case registry.Grandparent:
		return t.bySex(sex, "relationship.grandparent")
	case registry.Sibling:
		return t.bySex(sex, "relationship.sibling")
	case registry.ChildInLaw:
		return t.bySex(sex, "relationship.child_in_law")
	case registry.ParentInLaw:
		return t.bySex(sex, "relationship.parent_in_law")
	case registry.SiblingInLaw:
		return t.bySex(sex, "relationship.sibling_in_law")
	case registry.Cohabitant:
		return t.L("relationship.cohabitant")
	case registry.CivilPartner:
		return t.bySex(sex, "relationship.civil_partner")
	case registry.OtherRelative:
		return t.L("relationship.other")
	}
	return t.L("relationship.unknown")
}

func (t *tr) statusLong(st registry.Status, sex registry.Sex) string {
	switch st {
	case registry.Resident:
		return t.bySex(sex, "status.resident")
	case registry.Cancelled:
		return t.bySex(sex, "status.cancelled.long")
	case registry.Deceased:
		return t.bySex(sex, "status.deceased")
	case registry.AIRE:
		return t.L("status.aire.long")
	}
	return string(st)
}

// placeName names a municipality or foreign state, "Anagni (FR)" or
// "Marocco", as in force on the date.
func (t *tr) placeName(code string, on registry.Date, recorded string) string {
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
		return t.L("Unknown foreign state ({{.Code}})", "Code", code)
	}
	return t.L("Unknown municipality ({{.Code}})", "Code", code)
}

func (t *tr) citizenshipName(code string, on registry.Date) string {
	if code == registry.Italy {
		return t.L("citizenship.it")
	}
	return t.placeName(code, on, "")
}
