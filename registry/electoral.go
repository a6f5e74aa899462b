package registry

// Electoral is a person's entry in the municipality's electoral lists
// (liste elettorali, kept by the electoral office): the polling section and
// the number in the section's list.
type Electoral struct {
	Registered bool
	Section    int  // polling section (sezione), from 1
	Number     int  // number in the section's list, from 1
	Since      Date // registered on; zero when not known
}

// ElectoralEntry is an electoral registration as loaded in bulk with a
// household.
type ElectoralEntry struct {
	PersonUID string
	Electoral
}

// ElectoralReason says why a person is not in the electoral lists.
type ElectoralReason string

const (
	ElectoralRegistered  ElectoralReason = ""             // in the lists
	ElectoralMinor       ElectoralReason = "minor"        // under 18
	ElectoralForeignEU   ElectoralReason = "foreign_eu"   // an EU citizen, who may ask for the additional lists
	ElectoralForeign     ElectoralReason = "foreign"      // a citizen of a state outside the EU
	ElectoralNotResident ElectoralReason = "not_resident" // cancelled, or resident abroad (AIRE)
	ElectoralDeceased    ElectoralReason = "deceased"
	ElectoralNotListed   ElectoralReason = "not_listed" // an adult Italian resident the lists do not hold
)

// euStates are the Z codes of the other member states of the European Union.
var euStates = map[string]bool{
	"Z102": true, "Z103": true, "Z104": true, "Z211": true, "Z149": true, "Z107": true, "Z144": true,
	"Z109": true, "Z110": true, "Z112": true, "Z115": true, "Z116": true, "Z145": true, "Z146": true,
	"Z120": true, "Z121": true, "Z126": true, "Z127": true, "Z128": true, "Z156": true, "Z129": true,
	"Z155": true, "Z150": true, "Z131": true, "Z132": true,
}

// IsEUState reports whether code is the Z code of a member state of the
// European Union other than Italy.
func IsEUState(code string) bool { return euStates[code] }

// Voter reports whether a person may be in the electoral lists of the
// municipality on the date: resident, an Italian citizen, 18 or older.
func Voter(p Person, on Date) bool {
	return ElectoralReasonFor(p, Electoral{}, on) == ElectoralNotListed
}

// ElectoralReasonFor says why p, with the registration e, is not in the
// lists on the date; ElectoralRegistered when e is a registration.
func ElectoralReasonFor(p Person, e Electoral, on Date) ElectoralReason {
	if e.Registered {
		return ElectoralRegistered
	}
	switch p.Status {
	case Deceased:
		return ElectoralDeceased
	case Cancelled, AIRE:
		return ElectoralNotResident
	}
	italian, eu := false, false
	for _, c := range p.Citizenships {
		italian = italian || c == Italy
		eu = eu || IsEUState(c)
	}
	switch {
	case !italian && eu:
		return ElectoralForeignEU
	case !italian:
		return ElectoralForeign
	case p.BirthDate.AgeOn(on) < 18:
		return ElectoralMinor
	}
	return ElectoralNotListed
}
