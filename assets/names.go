package assets

import _ "embed"

// The name lists the demo municipality is generated from (package demo). Each
// is a tab-separated UTF-8 text, one entry a line, lines starting with # are
// comments; the header comment of each file names its columns. They are lists
// of common names and streets written for this project, not personal data.
var (
	// Surnames: surname, relative frequency.
	//
	//go:embed names/surnames.tsv
	Surnames []byte

	// MaleNames: name, relative frequency for people born before 1960,
	// 1960-1989 and 1990 or later.
	//
	//go:embed names/male.tsv
	MaleNames []byte

	// FemaleNames: as MaleNames.
	//
	//go:embed names/female.tsv
	FemaleNames []byte

	// Streets: ANPR toponym kind (VIA, PIAZZA ...), street name, relative
	// length.
	//
	//go:embed names/streets.tsv
	Streets []byte

	// ForeignNames: name group, kind (S surname, M male name, F female name),
	// comma-separated names.
	//
	//go:embed names/foreign.tsv
	ForeignNames []byte

	// BirthCountries: Z code, share among people born abroad, women per 100,
	// name group, citizenship.
	//
	//go:embed names/countries.tsv
	BirthCountries []byte

	// AbroadAddresses: Z code, weight, street, city, postcode of addresses of
	// Italians resident abroad (AIRE).
	//
	//go:embed names/abroad.tsv
	AbroadAddresses []byte
)
