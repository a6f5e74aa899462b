package registry

import "slices"

// AsAt returns the record as it stood at the end of day d, from the
// histories the record holds: the residences and civil-status events after
// d are dropped, a residence that ended after d is open again, the civil
// status is the one the events up to d leave, a status taken after d
// (deceased, cancelled) was not yet, and the family lists the members born
// and registered by d. The personal data as corrected later are the
// caller's to put back (the store keeps earlier versions of the row).
func (r Record) AsAt(d Date) Record {
	out := r
	out.Residences = nil
	for _, res := range r.Residences {
		if !res.From.IsZero() && res.From.After(d) {
			continue
		}
		if !res.To.IsZero() && res.To.After(d) {
			res.To = Date{}
		}
		out.Residences = append(out.Residences, res)
	}
	// The civil status: the current one unless events came after d; then
	// the one the events up to d leave (single before any).
	out.CivilEvents = nil
	cs, later := Single, false
	for _, e := range r.CivilEvents {
		if e.Date.IsZero() || e.Date.After(d) {
			later = later || !e.Date.IsZero()
			continue
		}
		out.CivilEvents = append(out.CivilEvents, e)
		cs = statusAfter(cs, e.Kind)
	}
	if later {
		out.Person.CivilStatus = cs
	}
	out.Person = personAsAt(out.Person, d)
	out.Address = Address{}
	for _, res := range out.Residences {
		if res.To.IsZero() {
			out.Address = res.Address
		}
	}
	// The family: the members whose stay in it covers d, those who left
	// since included; without a stay's dates, those born and registered by d.
	out.Members, out.Former = nil, nil
	for _, m := range append(slices.Clip(r.Members), r.Former...) {
		if !m.From.IsZero() || !m.To.IsZero() {
			if m.From.After(d) || (!m.To.IsZero() && m.To.Before(d)) {
				continue
			}
		} else if m.Person.BirthDate.After(d) || (m.Person.Status == Resident && !m.Person.StatusSince.IsZero() && m.Person.StatusSince.After(d)) {
			continue
		}
		m.To = Date{}
		m.Person = personAsAt(m.Person, d)
		out.Members = append(out.Members, m)
	}
	var docs []Document
	for _, doc := range r.Documents {
		if doc.IssuedOn.IsZero() || !doc.IssuedOn.After(d) {
			docs = append(docs, doc)
		}
	}
	out.Documents = docs
	if e := out.Electoral; e.Registered && !e.Since.IsZero() && e.Since.After(d) {
		out.Electoral = Electoral{}
	}
	return out
}

// personAsAt undoes a status taken after d: the person was still resident.
func personAsAt(p Person, d Date) Person {
	if p.Status != Resident && !p.StatusSince.IsZero() && p.StatusSince.After(d) {
		p.Status, p.StatusSince = Resident, Date{}
	}
	return p
}

// statusAfter is the civil status an event of kind leaves, following cs
// when the history allows it.
func statusAfter(cs CivilStatus, kind CivilEventKind) CivilStatus {
	if next, err := NextCivilStatus(cs, kind); err == nil {
		return next
	}
	switch kind {
	case EventMarriage:
		return Married
	case EventCivilUnion:
		return CivilUnion
	case EventDivorce:
		return Divorced
	case EventUnionDissolved:
		return FreeAfterUnionEnded
	}
	return Widowed
}
