package store

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"
	"strings"

	"sportello/fault"
	"sportello/registry"
)

// The import CSV (README, "Importing a register"): a header row naming the
// columns below, in any order, then one row per person. The rows of a
// family are consecutive; the family column groups them and exactly one of
// them is the householder (relationship 1). The address is on the
// householder's row; the other rows leave it empty or repeat it.
var importColumns = []string{
	"family", "relationship", "surname", "name", "sex", "birth_date", "birth_place", "cf",
	"citizenship", "civil_status", "toponym", "street", "house_number", "internal", "postcode", "resident_since",
}

// ImportOptions says how to import.
type ImportOptions struct {
	Municipality string // cadastral code of the municipality the addresses are in
	SkipBad      bool   // import the good families of a file that has bad rows
	// Progress, if set, is told the rows read so far in each pass: "check"
	// while validating, "load" while loading.
	Progress func(pass string, rows int)
}

// ImportProblem is a bad row: its line in the file (1 is the header) and
// why, as a fault message key and its args.
type ImportProblem struct {
	Line    int
	Message string
	Args    map[string]any
}

// ImportReport says what an import read and did.
type ImportReport struct {
	Rows           int // persons read
	Families       int // families read
	Problems       []ImportProblem
	SkippedRows    int // rows left out with --skip-bad: the bad ones and the rest of their family
	ImportedPeople int
}

// maxReportedProblems bounds the problems a report lists; the count of bad
// rows is always exact.
const maxReportedProblems = 1000

// importProgressEvery is how many rows pass between progress calls.
const importProgressEvery = 100_000

// Import validates the CSV file at path and loads it into an empty
// register. A file with any bad row imports nothing, unless SkipBad: then
// every family with a bad row is left out whole and the rest is loaded. The
// report lists the bad rows with their line numbers either way.
func (s *Store) Import(ctx context.Context, path string, opt ImportOptions) (ImportReport, error) {
	var rep ImportReport
	if n, err := s.CountPersons(ctx); err != nil {
		return rep, err
	} else if n > 0 {
		return rep, fault.New(fault.Conflict, "The database already holds a register", nil)
	}
	bad := map[string]bool{} // families with a bad row
	badRows := 0
	err := scanImportFile(path, opt, func(f importFamily) error {
		rep.Families++
		rep.Rows += len(f.rows)
		for _, p := range f.problems {
			badRows++
			if len(rep.Problems) < maxReportedProblems {
				rep.Problems = append(rep.Problems, p)
			}
		}
		if len(f.problems) > 0 {
			bad[f.key] = true
			rep.SkippedRows += len(f.rows)
		}
		return ctx.Err()
	}, "check")
	if err != nil {
		return rep, err
	}
	if badRows > 0 && !opt.SkipBad {
		return rep, fault.New(fault.Invalid, "The file has {{.Count}} bad rows: nothing was imported", map[string]any{"Count": badRows})
	}
	if rep.Rows-rep.SkippedRows == 0 {
		return rep, fault.New(fault.Invalid, "The file holds no person to import", nil)
	}
	households := func(yield func(registry.Household, error) bool) {
		err := scanImportFile(path, opt, func(f importFamily) error {
			if bad[f.key] {
				return nil
			}
			if !yield(f.household(), nil) {
				return errStopImport
			}
			return nil
		}, "")
		if err != nil && !errors.Is(err, errStopImport) {
			yield(registry.Household{}, err)
		}
	}
	var progress func(int)
	if opt.Progress != nil {
		progress = func(n int) { opt.Progress("load", n) }
	}
	rep.ImportedPeople, err = s.Load(ctx, iter.Seq2[registry.Household, error](households), progress)
	return rep, err
}

var errStopImport = errors.New("import stopped")

func importProblem(line int, err error) ImportProblem {
	msg, args := fault.Message(err)
	return ImportProblem{Line: line, Message: msg, Args: args}
}

// importRow is one valid row.
type importRow struct {
	line         int
	person       registry.Person
	relationship registry.Relationship
	address      registry.Address // zero when the row leaves it empty
	since        registry.Date
}

// importFamily is the consecutive rows of one family.
type importFamily struct {
	key      string
	rows     []importRow
	problems []ImportProblem
}

// household is the family as the bulk load takes it.
func (f importFamily) household() registry.Household {
	var h registry.Household
	for _, r := range f.rows {
		if r.relationship == registry.Householder {
			h.Address = r.address
		}
	}
	for _, r := range f.rows {
		p := r.person
		p.UID = newUID()
		h.Members = append(h.Members, registry.Member{Person: p, Relationship: r.relationship})
		if !r.since.IsZero() {
			h.Residences = append(h.Residences, registry.Residence{PersonUID: p.UID, Address: h.Address, From: r.since})
		}
	}
	return h
}

// scanImportFile reads the file and hands each family, validated, to fn.
func scanImportFile(path string, opt ImportOptions, fn func(importFamily) error, pass string) error {
	file, err := os.Open(path)
	if err != nil {
		return fault.New(fault.NotFound, "The file {{.Path}} cannot be read", map[string]any{"Path": path})
	}
	defer file.Close()
	return scanImport(file, opt, fn, pass)
}

// scanImport reads CSV rows from r and hands each family, validated, to fn.
func scanImport(r io.Reader, opt ImportOptions, fn func(importFamily) error, pass string) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fault.New(fault.Invalid, "The file is empty or not a CSV file", nil)
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idx := make([]int, len(importColumns))
	for i, c := range importColumns {
		j, ok := cols[c]
		if !ok {
			return fault.New(fault.Invalid, "The header lacks the column {{.Column}}", map[string]any{"Column": c})
		}
		idx[i] = j
	}
	v := importValidator{municipality: strings.ToUpper(opt.Municipality), today: registry.Today(),
		cfs: map[string]int{}, families: map[string]bool{}}
	var fam importFamily
	flush := func() error {
		if fam.key == "" && len(fam.rows) == 0 && len(fam.problems) == 0 {
			return nil
		}
		v.checkFamily(&fam)
		err := fn(fam)
		fam = importFamily{}
		return err
	}
	rows := 0
	fields := make([]string, len(importColumns))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			fam.problems = append(fam.problems, importProblem(pe.StartLine, fault.New(fault.Invalid, "The row is not valid CSV", nil)))
			continue
		}
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rows++
		if opt.Progress != nil && pass != "" && rows%importProgressEvery == 0 {
			opt.Progress(pass, rows)
		}
		for i, j := range idx {
			fields[i] = ""
			if j < len(rec) {
				fields[i] = strings.TrimSpace(rec[j])
			}
		}
		key := fields[0]
		if key != fam.key || len(fam.rows)+len(fam.problems) == 0 {
			if err := flush(); err != nil {
				return err
			}
			fam.key = key
			if key != "" && v.families[key] {
				fam.problems = append(fam.problems, importProblem(line, fault.New(fault.Invalid, "The rows of family {{.Family}} are not consecutive", map[string]any{"Family": key})))
			}
			v.families[key] = true
		}
		row, err := v.row(line, fields)
		if err != nil {
			fam.problems = append(fam.problems, importProblem(line, err))
			fam.rows = append(fam.rows, importRow{line: line})
			continue
		}
		fam.rows = append(fam.rows, row)
	}
	if opt.Progress != nil && pass != "" {
		opt.Progress(pass, rows)
	}
	return flush()
}

// importValidator checks rows against each other (codici fiscali used
// twice, families split) as well as one by one.
type importValidator struct {
	municipality string
	today        registry.Date
	cfs          map[string]int // line of each codice fiscale's base seen
	families     map[string]bool
}

var importRelationships = map[int]bool{1: true, 2: true, 3: true, 4: true, 6: true, 7: true, 9: true, 13: true, 16: true, 17: true, 18: true, 23: true, 28: true, 99: true}

var importCivilStatus = map[int]bool{1: true, 2: true, 3: true, 4: true, 6: true, 7: true, 8: true, 9: true}

func (v *importValidator) row(line int, f []string) (importRow, error) {
	r := importRow{line: line}
	if f[0] == "" {
		return r, fault.New(fault.Invalid, "The family column is empty", nil)
	}
	rel, err := strconv.Atoi(f[1])
	if err != nil || !importRelationships[rel] {
		return r, fault.New(fault.Invalid, "The relationship {{.Value}} is not an ANPR code", map[string]any{"Value": f[1]})
	}
	r.relationship = registry.Relationship(rel)
	born, err := registry.ParseDate(f[5])
	if err != nil {
		return r, fault.New(fault.Invalid, "The birth date {{.Value}} is not a date (YYYY-MM-DD)", map[string]any{"Value": f[5]})
	}
	cs := registry.CivilStatusUnknown
	if f[9] != "" {
		n, err := strconv.Atoi(f[9])
		if err != nil || !importCivilStatus[n] {
			return r, fault.New(fault.Invalid, "The civil status {{.Value}} is not an ANPR code", map[string]any{"Value": f[9]})
		}
		cs = registry.CivilStatus(n)
	}
	p := registry.Person{
		Surname: f[2], Name: f[3], Sex: registry.Sex(strings.ToUpper(f[4])), BirthDate: born,
		BirthPlace: strings.ToUpper(f[6]), CF: strings.ToUpper(f[7]), CivilStatus: cs, Status: registry.Resident,
	}
	if place, ok := registry.LookupPlace(p.BirthPlace, born); ok {
		p.BirthPlaceName = place.Name
	}
	if err := p.Validate(); err != nil {
		return r, err
	}
	if born.After(v.today) {
		return r, fault.New(fault.Invalid, "The birth date is in the future", nil)
	}
	if err := registry.CheckCF(p, false); err != nil {
		return r, err
	}
	if first, dup := v.cfs[p.CF]; dup {
		return r, fault.New(fault.Invalid, "The codice fiscale {{.CF}} is also on line {{.Line}}", map[string]any{"CF": p.CF, "Line": first})
	}
	v.cfs[p.CF] = line
	for _, c := range strings.Split(f[8], ";") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != registry.Italy && (len(c) != 4 || c[0] != 'Z') {
			return r, fault.New(fault.Invalid, "The citizenship {{.Value}} is neither IT nor the Z code of a state", map[string]any{"Value": f[8]})
		}
		p.Citizenships = append(p.Citizenships, c)
	}
	if f[11] != "" || f[12] != "" {
		if f[11] == "" || f[12] == "" {
			return r, fault.New(fault.Invalid, "The address needs both the street and the house number", nil)
		}
		r.address = registry.Address{Toponym: strings.ToUpper(f[10]), Street: strings.ToUpper(f[11]), HouseNumber: strings.ToUpper(f[12]),
			Internal: f[13], Postcode: f[14], Place: v.municipality}
	}
	if f[15] != "" {
		if r.since, err = registry.ParseDate(f[15]); err != nil {
			return r, fault.New(fault.Invalid, "The residence date {{.Value}} is not a date (YYYY-MM-DD)", map[string]any{"Value": f[15]})
		}
		if r.since.Before(born) || r.since.After(v.today) {
			return r, fault.New(fault.Invalid, "The residence date must fall between the birth date and today", nil)
		}
	}
	r.person = p
	return r, nil
}

// checkFamily adds the problems of the family as a whole: one householder
// with an address, the others at the same address.
func (v *importValidator) checkFamily(f *importFamily) {
	if len(f.problems) > 0 || len(f.rows) == 0 {
		return
	}
	var head *importRow
	for i := range f.rows {
		if f.rows[i].relationship == registry.Householder {
			if head != nil {
				f.problems = append(f.problems, importProblem(f.rows[i].line, fault.New(fault.Invalid, "Family {{.Family}} has more than one householder", map[string]any{"Family": f.key})))
				return
			}
			head = &f.rows[i]
		}
	}
	if head == nil {
		f.problems = append(f.problems, importProblem(f.rows[0].line, fault.New(fault.Invalid, "Family {{.Family}} has no householder (relationship 1)", map[string]any{"Family": f.key})))
		return
	}
	if head.address.Street == "" {
		f.problems = append(f.problems, importProblem(head.line, fault.New(fault.Invalid, "The householder's row needs the address", nil)))
		return
	}
	for _, r := range f.rows {
		if r.address.Street != "" && r.address != head.address {
			f.problems = append(f.problems, importProblem(r.line, fault.New(fault.Invalid, "A member's address differs from the householder's: a family lives at one address", nil)))
		}
	}
}
