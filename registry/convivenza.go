package registry

// ConvivenzaSpecies is the kind of a convivenza (ANPR Specie della
// convivenza): why its members live together.
type ConvivenzaSpecies string

const (
	SpeciesReligious  ConvivenzaSpecies = "religious"  // religious community, convent
	SpeciesCare       ConvivenzaSpecies = "care"       // care home, nursing home (RSA)
	SpeciesAssistance ConvivenzaSpecies = "assistance" // assistance institute, shelter
	SpeciesMilitary   ConvivenzaSpecies = "military"   // barracks
	SpeciesPenal      ConvivenzaSpecies = "penal"      // prison
	SpeciesOther      ConvivenzaSpecies = "other"
)

// Valid reports whether s is one of the species.
func (s ConvivenzaSpecies) Valid() bool {
	switch s {
	case SpeciesReligious, SpeciesCare, SpeciesAssistance, SpeciesMilitary, SpeciesPenal, SpeciesOther:
		return true
	}
	return false
}

// Convivenza is what makes a registry family a convivenza (an institutional
// household, kept apart from families): its name, species and the person
// responsible for it, who need not live there. The zero value is no
// convivenza: an ordinary family.
type Convivenza struct {
	Name           string // e.g. "RSA Villa Serena"
	Species        ConvivenzaSpecies
	Responsible    string // the person responsible, name as declared
	ResponsibleID  int64  // the person responsible when in the register, else 0
	ResponsibleUID string // the same by UID, set when loaded in bulk (a member of the household)
}

// IsConvivenza reports whether the family is a convivenza.
func (f Family) IsConvivenza() bool { return f.Convivenza.Species != "" }
