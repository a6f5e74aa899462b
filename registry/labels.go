package registry

// The translation keys of the register's codes (assets/translations), each
// with its English, so the desk and the online desk name a code with the
// same words. Words whose Italian depends on the person's sex have one key
// per sex (".m", ".f"); the Italian terms are ANPR's.

// Label is a translation key and its English text.
type Label struct {
	Key, English string
}

// bySex picks key+".f" (with female) for women, key+".m" (male) otherwise.
func bySex(sex Sex, key, male, female string) Label {
	if sex == Female {
		return Label{key + ".f", female}
	}
	return Label{key + ".m", male}
}

// Label names the sex.
func (s Sex) Label() Label {
	if s == Female {
		return Label{"sex.f", "Female"}
	}
	return Label{"sex.m", "Male"}
}

// Label names the civil status of a person of sex.
func (c CivilStatus) Label(sex Sex) Label {
	switch c {
	case Single:
		return bySex(sex, "civilstatus.single", "Single", "Single")
	case Married:
		return bySex(sex, "civilstatus.married", "Married", "Married")
	case Widowed:
		return bySex(sex, "civilstatus.widowed", "Widowed", "Widowed")
	case Divorced:
		return bySex(sex, "civilstatus.divorced", "Divorced", "Divorced")
	case CivilUnion:
		return bySex(sex, "civilstatus.civil_union", "In a civil union", "In a civil union")
	case FreeAfterPartnerDied:
		return Label{"civilstatus.free_partner_died", "Free after the death of the civil partner"}
	case FreeAfterUnionEnded:
		return Label{"civilstatus.free_union_ended", "Free after the civil union was dissolved"}
	}
	return Label{"civilstatus.unknown", "Not known"}
}

// Label names a member's relationship to the householder, for a member of sex.
func (r Relationship) Label(sex Sex) Label {
	switch r {
	case Householder:
		return Label{"relationship.householder", "Householder"}
	case Spouse:
		return bySex(sex, "relationship.spouse", "Husband", "Wife")
	case Child:
		return bySex(sex, "relationship.child", "Son", "Daughter")
	case Grandchild:
		return Label{"relationship.grandchild", "Grandchild"}
	case Parent:
		return bySex(sex, "relationship.parent", "Father", "Mother")
	case Grandparent:
		return bySex(sex, "relationship.grandparent", "Grandfather", "Grandmother")
	case Sibling:
		return bySex(sex, "relationship.sibling", "Brother", "Sister")
	case ChildInLaw:
		return bySex(sex, "relationship.child_in_law", "Son-in-law", "Daughter-in-law")
	case ParentInLaw:
		return bySex(sex, "relationship.parent_in_law", "Father-in-law", "Mother-in-law")
	case SiblingInLaw:
		return bySex(sex, "relationship.sibling_in_law", "Brother-in-law", "Sister-in-law")
	case Cohabitant:
		return Label{"relationship.cohabitant", "Cohabiting partner"}
	case CivilPartner:
		return bySex(sex, "relationship.civil_partner", "Civil partner", "Civil partner")
	case OtherRelative:
		return Label{"relationship.other", "Other relative"}
	}
	return Label{"relationship.unknown", "Relationship not known"}
}

// ShortLabel is the status as a badge; the zero Label for residents, who
// need none.
func (st Status) ShortLabel(sex Sex) Label {
	switch st {
	case Cancelled:
		return bySex(sex, "status.cancelled", "Cancelled", "Cancelled")
	case Deceased:
		return bySex(sex, "status.deceased", "Deceased", "Deceased")
	case AIRE:
		return Label{"status.aire", "AIRE"}
	}
	return Label{}
}

// Label is the status as a sentence of the person's record.
func (st Status) Label(sex Sex) Label {
	switch st {
	case Resident:
		return bySex(sex, "status.resident", "Resident", "Resident")
	case Cancelled:
		return bySex(sex, "status.cancelled.long", "Cancelled from the register", "Cancelled from the register")
	case Deceased:
		return st.ShortLabel(sex)
	case AIRE:
		return Label{"status.aire.long", "Resident abroad, in the AIRE register"}
	}
	return Label{string(st), string(st)}
}

// PlaceName names a municipality, "Anagni (FR)", or a foreign state,
// "Marocco", in title case with the entry in force on the date (else its
// latest), or as recorded with the person, "Name (X123)", for a code in no
// list. ok is false when the code is in no list and nothing was recorded.
func PlaceName(code string, on Date, recorded string) (name string, ok bool) {
	if code == "" {
		return recorded, recorded != ""
	}
	p, found := LookupPlace(code, on)
	if !found {
		p, found = LookupPlace(code, Date{})
	}
	switch {
	case found && p.Province != "":
		return TitleCase(p.Name) + " (" + p.Province + ")", true
	case found:
		return TitleCase(p.Name), true
	case recorded != "":
		return recorded + " (" + code + ")", true
	}
	return "", false
}
