// Package certificate is the domain of registry certificates: the types of
// ANPR's table 13 and which may be combined into a certificato contestuale,
// the uses, the stamp-duty exemptions of table 39 with their legal wording,
// the secretarial fees, the rules the registry applies before issuing, the
// validity, the numbering, the content a certificate certifies and the
// Ed25519 seal that anyone can verify. It imports no UI, SQL or HTTP.
package certificate

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"sportello/assets"
	"sportello/fault"
)

// Type is a certificate type, ANPR table 13.
type Type int

const (
	Birth                   Type = 1
	Death                   Type = 2
	Marriage                Type = 3
	Cancellation            Type = 4
	Citizenship             Type = 5
	CitizenshipHistory      Type = 6
	Alive                   Type = 7
	Residence               Type = 8
	ResidenceHistory        Type = 9
	ResidenceAIRE           Type = 10
	CivilStatus             Type = 11
	Family                  Type = 12
	FamilyAndCivilStatus    Type = 13
	ResidenceInstitution    Type = 14
	FamilyAIRE              Type = 15
	FamilyWithRelationships Type = 16
	Free                    Type = 17
	CivilUnion              Type = 18
	CohabitationContract    Type = 19
	ResidenceHistoryAtDate  Type = 20
)

// tables are ANPR's lists as embedded in assets.
type tables struct {
	types      map[Type]string
	exemptions map[int]Exemption
}

var loadTables = sync.OnceValue(func() tables {
	t := tables{types: map[Type]string{}, exemptions: map[int]Exemption{}}
	for _, row := range readCSV(assets.CertificateTypes) {
		if id, err := strconv.Atoi(row[0]); err == nil && len(row) > 1 {
			t.types[Type(id)] = strings.TrimSpace(row[1])
		}
	}
	for _, row := range readCSV(assets.StampDutyExemptions) {
		id, err := strconv.Atoi(row[0])
		if err != nil || len(row) < 2 {
			continue
		}
		e := Exemption{Code: id, Wording: strings.Join(strings.Fields(row[1]), " "), Caption: captions[id]}
		if e.Caption == "" {
			e.Caption = e.Wording
		}
		e.WaivesFee = len(row) > 2 && strings.EqualFold(strings.TrimSpace(row[2]), "SI")
		t.exemptions[id] = e
	}
	return t
})

func readCSV(data []byte) [][]string {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("certificate: embedded table: %v", err))
	}
	if len(rows) > 0 {
		rows = rows[1:] // header
	}
	return rows
}

// Types lists every type of table 13 in code order.
func Types() []Type {
	var out []Type
	for t := range loadTables().types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Valid reports whether t is a code of table 13.
func (t Type) Valid() bool {
	_, ok := loadTables().types[t]
	return ok
}

// Name is the table's description, as printed after "Certificato":
// "di Residenza", "Anagrafico di nascita".
func (t Type) Name() string { return loadTables().types[t] }

// Title is the certificate's printed title: "Certificato di residenza".
func (t Type) Title() string {
	n := t.Name()
	if n == "" {
		return ""
	}
	return "Certificato " + capitalFix(n)
}

// capitalFix lowers the table's inner capitals ("di Stato di famiglia" ->
// "di stato di famiglia") but keeps AIRE.
func capitalFix(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if w != "AIRE" {
			words[i] = strings.ToLower(w)
		}
	}
	return strings.Join(words, " ")
}

// slugs are the names the command line accepts beside the codes.
var slugs = map[string]Type{
	"nascita": Birth, "morte": Death, "matrimonio": Marriage, "cancellazione": Cancellation,
	"cittadinanza": Citizenship, "storico-cittadinanza": CitizenshipHistory,
	"esistenza-in-vita": Alive, "residenza": Residence, "storico-residenza": ResidenceHistory,
	"residenza-aire": ResidenceAIRE, "stato-civile": CivilStatus, "stato-di-famiglia": Family,
	"famiglia-e-stato-civile": FamilyAndCivilStatus, "residenza-in-convivenza": ResidenceInstitution,
	"stato-di-famiglia-aire": FamilyAIRE, "stato-di-famiglia-con-parentela": FamilyWithRelationships,
	"stato-libero": Free, "unione-civile": CivilUnion, "contratto-di-convivenza": CohabitationContract,
	"storico-residenza-alla-data": ResidenceHistoryAtDate,
}

// Slug is the command-line name of a type ("residenza"), "" if it has none.
func (t Type) Slug() string {
	for s, tt := range slugs {
		if tt == t {
			return s
		}
	}
	return ""
}

// Contestuale is what "contestuale" stands for when no list is given: the
// usual combined certificate of birth, residence, citizenship, being alive,
// civil status and family.
var Contestuale = []Type{Birth, Citizenship, Alive, Residence, CivilStatus, Family}

// ParseTypes reads a type as the command line takes it: a code ("8"), a name
// ("residenza"), "contestuale", or a comma-separated list of codes and names
// to combine.
func ParseTypes(s string) ([]Type, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "contestuale" {
		return slices.Clone(Contestuale), nil
	}
	var out []Type
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		t, ok := slugs[part]
		if !ok {
			n, err := strconv.Atoi(part)
			if err != nil || !Type(n).Valid() {
				return nil, fault.New(fault.Invalid, "{{.Type}} is not a certificate type", map[string]any{"Type": part})
			}
			t = Type(n)
		}
		if slices.Contains(out, t) {
			continue
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fault.New(fault.Invalid, "The certificate type is required", nil)
	}
	return out, nil
}

// Alone reports whether the type must be issued on its own, never combined
// into a contestuale: death, cancellation and the historical certificates.
func (t Type) Alone() bool {
	switch t {
	case Death, Cancellation, CitizenshipHistory, ResidenceHistory, ResidenceHistoryAtDate:
		return true
	}
	return false
}

// Unlimited reports whether a certificate of the type is valid with no time
// limit (art. 41 DPR 445/2000): it certifies facts that cannot change.
func (t Type) Unlimited() bool { return t == Birth || t == Death }

// CivilStatusFact reports whether the type certifies a civil-status fact
// (birth, death, marriage, civil union), exempt from stamp duty by art. 7
// L. 405/1990.
func (t Type) CivilStatusFact() bool {
	return t == Birth || t == Death || t == Marriage || t == CivilUnion
}

// Use is what the certificate will be used for.
type Use string

const (
	UsePrivate     Use = "private"     // for Italian private parties
	UseAbroad      Use = "abroad"      // for use abroad (art. 40 "solo per l'estero")
	UseCourt       Use = "court"       // in court proceedings
	UseImmigration Use = "immigration" // proceedings under the immigration rules (circular 3/2012)
	UseOffice      Use = "office"      // asked by a public office: exchange between public offices (exemption 10)
)

// Uses lists the uses in the order the desk offers them.
func Uses() []Use { return []Use{UsePrivate, UseAbroad, UseCourt, UseImmigration, UseOffice} }

// ParseUse reads a use; "" is UsePrivate.
func ParseUse(s string) (Use, error) {
	switch u := Use(strings.ToLower(strings.TrimSpace(s))); u {
	case "":
		return UsePrivate, nil
	case UsePrivate, UseAbroad, UseCourt, UseImmigration, UseOffice:
		return u, nil
	}
	return "", fault.New(fault.Invalid, "{{.Use}} is not a use: write private, abroad, court, immigration or office", map[string]any{"Use": s})
}

// Label is the use in a sentence, as the certificate puts it after "Si
// rilascia": "per uso tra privati".
func (u Use) Label() string {
	switch u {
	case UseAbroad:
		return "per uso estero"
	case UseCourt:
		return "per uso giudiziario"
	case UseImmigration:
		return "per i procedimenti disciplinati dalle norme sull'immigrazione"
	case UseOffice:
		return "per uso d'ufficio di una pubblica amministrazione"
	}
	return "per uso tra privati"
}

// Wording is the printed use: "Si rilascia per uso ...".
func (u Use) Wording() string {
	switch u {
	case UseImmigration:
		return "Si rilascia per i procedimenti disciplinati dalle norme sull'immigrazione e sulla condizione dello straniero (d.lgs. 25 luglio 1998, n. 286)."
	case UseOffice:
		return "Si rilascia a richiesta di una pubblica amministrazione, per lo scambio di atti e documenti fra pubbliche amministrazioni."
	}
	return "Si rilascia " + u.Label() + "."
}

// Art40 is the mandatory sentence of art. 40 c. 02 DPR 445/2000: the one
// for use in Italy, or its form for a certificate for use abroad. For the
// proceedings under the immigration rules the joint circular n. 3 of 17
// April 2012 (Funzione Pubblica and Interior) replaces it with the sentence
// saying what the certificate is for; a certificate a public office asks
// for is not produced by a private party, so the ban would be false on it.
func (u Use) Art40() string {
	switch u {
	case UseAbroad:
		return "Ai sensi dell'art. 40, d.P.R. 28 dicembre 2000, n. 445, il presente certificato è rilasciato solo per l'estero."
	case UseImmigration:
		return "Certificato rilasciato per i procedimenti disciplinati dalle norme sull'immigrazione (circolare congiunta del Ministro per la pubblica amministrazione e la semplificazione e del Ministro dell'interno 17 aprile 2012, n. 3)."
	case UseOffice:
		return "Certificato rilasciato a una pubblica amministrazione per l'acquisizione d'ufficio (art. 43, d.P.R. 28 dicembre 2000, n. 445)."
	}
	return "Il presente certificato non può essere prodotto agli organi della pubblica amministrazione o ai privati gestori di pubblici servizi."
}

// Exemption is a stamp-duty exemption of table 39.
type Exemption struct {
	Code      int
	Wording   string // legal wording as the table gives it
	Caption   string // the same in sentence case, as the certificate prints it
	WaivesFee bool   // also waives the secretarial fee
}

// captions are table 39's wordings in sentence case, with the laws named as
// a certificate writes them; the table writes its captions in capitals.
var captions = map[int]string{
	1:  "ONLUS - art. 27-bis, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642",
	2:  "Società sportive - art. 8-bis, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642",
	3:  "Processuale (certificati da produrre nel procedimento) - art. 18 d.P.R. 30 maggio 2002, n. 115 e circolare dell'Agenzia delle entrate 14 agosto 2002, n. 70/E",
	4:  "C.T.U. nominato dal Tribunale o dal Pubblico ministero; curatore fallimentare - art. 16, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642",
	5:  "Interdizione, inabilitazione, amministrazione di sostegno (certificati da produrre nel procedimento) - art. 13, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642 e circolare del Ministero della giustizia 5 febbraio 2007, prot. M-DG.DAG.14803.U",
	6:  "Adozione, affidamento, tutela dei minori - art. 13, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642 e art. 82 legge 4 maggio 1983, n. 184",
	7:  "Separazione e divorzio - art. 19 legge 6 marzo 1987, n. 74",
	8:  "Variazione della toponomastica stradale e della numerazione civica - art. 16, comma 8, legge 24 dicembre 1993, n. 537",
	9:  "Pensione estera - art. 9, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642",
	10: "Scambio di atti e documenti fra pubbliche amministrazioni - art. 16, tabella allegato B) al d.P.R. 26 ottobre 1972, n. 642",
	99: "Altro motivo di esenzione",
}

// OtherExemption is code 99: another reason, given in free text.
const OtherExemption = 99

// Exemptions lists table 39 in code order.
func Exemptions() []Exemption {
	var out []Exemption
	for _, e := range loadTables().exemptions {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Exemption) int { return a.Code - b.Code })
	return out
}

// LookupExemption returns the exemption with the code.
func LookupExemption(code int) (Exemption, bool) {
	e, ok := loadTables().exemptions[code]
	return e, ok
}
