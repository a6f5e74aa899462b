package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// stradarioColumns are the columns of the national archive's (ANNCSU)
// street and house-number CSV that the loader reads, by header name (case
// does not matter; other columns are ignored). Each row is a street, and a
// house number on it when CIVICO is filled.
var stradarioColumns = struct{ code, toponym, name, number, suffix []string }{
	code:    []string{"PROGR_NAZIONALE", "CODICE_STRADA"},
	toponym: []string{"DUG"},
	name:    []string{"DENOM_UFF", "DENOMINAZIONE"},
	number:  []string{"CIVICO"},
	suffix:  []string{"ESPONENTE"},
}

// StradarioReport says what a load of the stradario read and kept.
type StradarioReport struct {
	Streets  int
	Numbers  int
	Problems []ImportProblem // the bad rows, left out (at most maxReportedProblems)
	BadRows  int
}

// LoadStradario replaces the stradario with the streets and house numbers
// of r, a CSV in the ANNCSU layout (comma or semicolon separated). Bad rows
// are left out and reported; the rest load in one transaction.
func (s *Store) LoadStradario(ctx context.Context, r io.Reader) (StradarioReport, error) {
	var rep StradarioReport
	br := bufio.NewReader(r)
	head, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	if first, _, _ := strings.Cut(string(head), "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return rep, fault.New(fault.Invalid, "The file has no header row", nil)
	}
	col := func(names []string) int {
		for i, h := range header {
			for _, n := range names {
				if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), n) {
					return i
				}
			}
		}
		return -1
	}
	code, toponym, name, number, suffix := col(stradarioColumns.code), col(stradarioColumns.toponym), col(stradarioColumns.name),
		col(stradarioColumns.number), col(stradarioColumns.suffix)
	if code < 0 || toponym < 0 || name < 0 {
		return rep, fault.New(fault.Invalid, "The file lacks the columns PROGR_NAZIONALE, DUG and DENOM_UFF", nil)
	}
	tx, err := s.begin(ctx, "stradario")
	if err != nil {
		return rep, err
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM street_number`, `DELETE FROM street`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return rep, fmt.Errorf("load stradario: %w", err)
		}
	}
	bad := func(line int, msg string, args map[string]any) {
		rep.BadRows++
		if len(rep.Problems) < maxReportedProblems {
			rep.Problems = append(rep.Problems, ImportProblem{Line: line, Message: msg, Args: args})
		}
	}
	seen := map[string]registry.Street{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad(line, "The row is not valid CSV", nil)
			continue
		}
		field := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		st := registry.Street{Code: field(code), Toponym: field(toponym), Name: field(name)}.Normalized()
		if err := st.Validate(); err != nil {
			var fe *fault.Error
			errors.As(err, &fe)
			bad(line, fe.Message, fe.Args)
			continue
		}
		if prev, ok := seen[st.Code]; ok && prev != st {
			bad(line, "The street code {{.Code}} already names {{.Street}}", map[string]any{"Code": st.Code, "Street": prev.Label()})
			continue
		}
		if _, ok := seen[st.Code]; !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO street(code, toponym, name, name_key) VALUES (?, ?, ?, ?)`,
				st.Code, st.Toponym, st.Name, registry.Fold(st.Name)); err != nil {
				bad(line, "The street {{.Street}} is in the file twice with different codes", map[string]any{"Street": st.Label()})
				continue
			}
			seen[st.Code] = st
			rep.Streets++
		}
		n := strings.ToUpper(field(number))
		if n == "" {
			continue
		}
		if sfx := strings.ToUpper(field(suffix)); sfx != "" {
			n += "/" + sfx
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO street_number(street_code, number) VALUES (?, ?) ON CONFLICT DO NOTHING`, st.Code, n)
		if err != nil {
			return rep, fmt.Errorf("load stradario: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			rep.Numbers++
		}
	}
	if err := tx.Commit(); err != nil {
		return rep, fmt.Errorf("load stradario: %w", err)
	}
	return rep, nil
}

// Streets looks up the streets of the stradario whose name (or toponym and
// name) starts with prefix, at most limit of them, in alphabetical order.
func (s *Store) Streets(ctx context.Context, prefix string, limit int) ([]registry.Street, error) {
	key := registry.Fold(prefix)
	if key == "" {
		return nil, nil
	}
	// A word of the name, or the toponym and name, starts with the prefix;
	// names that start with it come first.
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(key)
	rows, err := s.r.QueryContext(ctx, `SELECT code, toponym, name FROM street
WHERE (' ' || name_key) LIKE '% ' || ?1 || '%' ESCAPE '\' OR (lower(toponym) || ' ' || name_key) LIKE ?1 || '%' ESCAPE '\'
ORDER BY name_key NOT LIKE ?1 || '%' ESCAPE '\', name, toponym LIMIT ?2`, like, limit)
	if err != nil {
		return nil, fmt.Errorf("streets: %w", err)
	}
	defer rows.Close()
	var out []registry.Street
	for rows.Next() {
		var st registry.Street
		if err := rows.Scan(&st.Code, &st.Toponym, &st.Name); err != nil {
			return nil, fmt.Errorf("streets: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// StreetNumbers looks up the house numbers of the street code that start
// with prefix, at most limit of them, in numeric order.
func (s *Store) StreetNumbers(ctx context.Context, code, prefix string, limit int) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT number FROM street_number
WHERE street_code = ? AND substr(number, 1, length(?2)) = ?2 ORDER BY CAST(number AS INTEGER), number LIMIT ?3`,
		code, strings.ToUpper(strings.TrimSpace(prefix)), limit)
	if err != nil {
		return nil, fmt.Errorf("street numbers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("street numbers: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// offStradario reports whether a street is missing from a stradario that
// has been loaded (an empty stradario checks nothing), and refuses it
// unless u may record it and confirmed.
func offStradario(ctx context.Context, tx *sql.Tx, u access.User, toponym, street string, confirmed bool) (bool, error) {
	var loaded, found bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM street), EXISTS(SELECT 1 FROM street WHERE toponym = ? AND name = ?)`,
		toponym, strings.Join(strings.Fields(street), " ")).Scan(&loaded, &found)
	if err != nil {
		return false, fmt.Errorf("stradario: %w", err)
	}
	if !loaded || found {
		return false, nil
	}
	args := map[string]any{"Street": toponym + " " + street}
	if !u.Role.CanCorrectPersonalData() {
		return true, fault.New(fault.Forbidden, "{{.Street}} is not in the stradario: only the registrar may record it", args)
	}
	if !confirmed {
		return true, fault.New(fault.Invalid, "{{.Street}} is not in the stradario: confirm to record it anyway", args)
	}
	return true, nil
}

// checkAddressStradario is the server's check of a desk's change of
// address: a role that may not record a street off the stradario (see
// offStradario) sends no address flagged as such, nor one whose street is
// not in the server's stradario when it has one.
func checkAddressStradario(p pushCheck) error {
	if p.role.CanCorrectPersonalData() {
		return nil
	}
	var ed EditDocs
	if err := json.Unmarshal(p.m.Docs, &ed); err != nil {
		return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
	}
	for _, d := range ed.After {
		if d.Entity != docAddress {
			continue
		}
		var a addressFields
		if err := decodeFields(d.Fields, &a); err != nil {
			return fault.New(fault.Invalid, "The sync data holds a malformed address", nil)
		}
		if a.OffStradario {
			return errNotAllowed(p.m)
		}
		if _, err := offStradario(p.ctx, p.tx, access.User{Role: p.role}, a.Toponym, a.Street, false); err != nil {
			return err
		}
	}
	return nil
}
