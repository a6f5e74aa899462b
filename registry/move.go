package registry

import "sportello/fault"

// FamilyMove moves a resident from their family into another family of the
// register from a date: the stay in the former family ends the day before,
// the person lives at the new family's address from the date.
type FamilyMove struct {
	PersonID      int64
	BaseVersion   int64        // the person's version the clerk saw
	HouseholderCF string       // the family joined, named by its householder's codice fiscale
	Relationship  Relationship // to the new householder
	From          Date
}

// Validate checks the move of p, a member since `since` of the family
// `from` (members fromMembers), into the family `to`.
func (m FamilyMove) Validate(p Person, from Family, fromMembers []Member, to Family, since, today Date) error {
	switch {
	case p.Status != Resident:
		return fault.New(fault.Invalid, "Only a resident can join another family", nil)
	case to.ID == p.FamilyID:
		return fault.New(fault.Invalid, "The person is already a member of that family", nil)
	case m.Relationship == 0 || m.Relationship == Householder:
		return fault.New(fault.Invalid, "Choose the relationship to the new householder", nil)
	case !m.From.Valid() || m.From.After(today) || (!since.IsZero() && !m.From.After(since)):
		return fault.New(fault.Invalid, "The date must fall after the start of the present family and not after today", nil)
	}
	if from.ID != 0 && from.HouseholderID == p.ID {
		for _, o := range fromMembers {
			if o.Person.ID != p.ID && o.Person.Status == Resident {
				return fault.New(fault.Invalid, "The householder of a family with other members cannot leave it: change the householder first", nil)
			}
		}
	}
	return nil
}
