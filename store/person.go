package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"sportello/fault"
	"sportello/registry"
)

// insertPersonSQL writes one person; AddPerson and Load share it.
const insertPersonSQL = `INSERT INTO person(id, uid, cf, cf_base, cf_checked, surname, name, surname_key, name_key, surname_fts, name_fts,
sex, birth_date, birth_place, birth_place_name, civil_status, status, status_since, family_id, relationship, version, updated_at,
cancel_reason, status_place, status_place_name)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertCitizenshipSQL = `INSERT OR IGNORE INTO citizenship(person_id, code) VALUES (?, ?)`

// appendPersonArgs appends the arguments of insertPersonSQL; a zero id lets
// SQLite choose the row id.
func appendPersonArgs(dst []any, p *registry.Person, updatedAt string) []any {
	var id, family any
	if p.ID != 0 {
		id = p.ID
	}
	if p.FamilyID != 0 {
		family = p.FamilyID
	}
	cf := strings.ToUpper(strings.TrimSpace(p.CF))
	return append(dst,
		id, p.UID, cf, cfBase(cf), p.CFChecked,
		p.Surname, p.Name, registry.SearchKey(p.Surname), registry.SearchKey(p.Name),
		registry.SearchTokens(p.Surname), registry.SearchTokens(p.Name),
		string(p.Sex), isoDate(p.BirthDate), p.BirthPlace, p.BirthPlaceName,
		int64(p.CivilStatus), string(p.Status), dateArg(p.StatusSince), family, int64(p.Relationship),
		p.Version, updatedAt,
		int64(p.CancelReason), p.StatusPlace, p.StatusPlaceName,
	)
}

func cfBase(cf string) string {
	if cf == "" {
		return ""
	}
	return registry.OmocodeBase(cf)
}

// AddPerson records a new person: it validates p, gives it a UID if it has
// none and version 1, and writes the row, the outbox mutation and the audit
// entry in one transaction. It returns the person as stored.
func (s *Store) AddPerson(ctx context.Context, operator string, p registry.Person) (registry.Person, error) {
	if err := p.Validate(); err != nil {
		return registry.Person{}, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return registry.Person{}, err
	}
	defer tx.Rollback()
	familyUID, err := s.addPerson(ctx, tx, &p)
	if err != nil {
		return registry.Person{}, err
	}
	c := change{
		Entity: "person", EntityUID: p.UID, Op: "create",
		Payload: newPersonPayload(p, familyUID),
		Action:  "person.create",
		Detail:  fmt.Sprintf(`{"version":%d}`, p.Version),
	}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return registry.Person{}, err
	}
	if err := tx.Commit(); err != nil {
		return registry.Person{}, fmt.Errorf("add person: %w", err)
	}
	return p, nil
}

// addPerson inserts p (and its citizenships) within tx, filling its ID, UID
// and version; it returns the UID of its family, "" if none.
func (s *Store) addPerson(ctx context.Context, tx *sql.Tx, p *registry.Person) (string, error) {
	p.ID, p.Version = 0, 1
	if p.UID == "" {
		p.UID = newUID()
	}
	p.CF = strings.ToUpper(strings.TrimSpace(p.CF))
	if p.CF != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE cf_base = ? AND cf = ?`, cfBase(p.CF), p.CF).Scan(&n); err != nil {
			return "", fmt.Errorf("add person: %w", err)
		}
		if n > 0 {
			return "", fault.New(fault.Conflict, "A person with the codice fiscale {{.CF}} is already in the register", map[string]any{"CF": p.CF})
		}
	}
	var familyUID string
	if p.FamilyID != 0 {
		err := tx.QueryRowContext(ctx, `SELECT uid FROM family WHERE id = ?`, p.FamilyID).Scan(&familyUID)
		if errors.Is(err, sql.ErrNoRows) {
			return "", fault.New(fault.NotFound, "The family was not found", nil)
		}
		if err != nil {
			return "", fmt.Errorf("add person: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, insertPersonSQL, appendPersonArgs(nil, p, timestamp(s.now()))...)
	if err != nil {
		if isUniqueViolation(err) {
			return "", fault.New(fault.Conflict, "The person is already in the register", nil)
		}
		return "", fmt.Errorf("add person: %w", err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return "", fmt.Errorf("add person: %w", err)
	}
	for _, code := range p.Citizenships {
		if _, err := tx.ExecContext(ctx, insertCitizenshipSQL, p.ID, code); err != nil {
			return "", fmt.Errorf("add person: %w", err)
		}
	}
	return familyUID, nil
}

// personPayload is a person as a mutation carries it: references by UID.
type personPayload struct {
	UID            string   `json:"uid"`
	CF             string   `json:"cf"`
	CFChecked      bool     `json:"cf_checked"`
	Surname        string   `json:"surname"`
	Name           string   `json:"name"`
	Sex            string   `json:"sex"`
	BirthDate      string   `json:"birth_date"`
	BirthPlace     string   `json:"birth_place"`
	BirthPlaceName string   `json:"birth_place_name"`
	Citizenships   []string `json:"citizenships"`
	CivilStatus    int      `json:"civil_status"`
	Status         string   `json:"status"`
	StatusSince    string   `json:"status_since,omitempty"`
	FamilyUID      string   `json:"family_uid,omitempty"`
	Relationship   int      `json:"relationship,omitempty"`
	Version        int64    `json:"version"`
}

func newPersonPayload(p registry.Person, familyUID string) personPayload {
	return personPayload{
		UID: p.UID, CF: p.CF, CFChecked: p.CFChecked, Surname: p.Surname, Name: p.Name,
		Sex: string(p.Sex), BirthDate: p.BirthDate.String(), BirthPlace: p.BirthPlace, BirthPlaceName: p.BirthPlaceName,
		Citizenships: p.Citizenships, CivilStatus: int(p.CivilStatus), Status: string(p.Status),
		StatusSince: p.StatusSince.String(), FamilyUID: familyUID, Relationship: int(p.Relationship), Version: p.Version,
	}
}

// CountPersons returns how many persons the register holds, whatever their status.
func (s *Store) CountPersons(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM person`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count persons: %w", err)
	}
	return n, nil
}

const personColumns = `p.id, p.uid, p.cf, p.cf_checked, p.surname, p.name, p.sex, p.birth_date, p.birth_place, p.birth_place_name,
p.civil_status, p.status, p.status_since, coalesce(p.family_id, 0), p.relationship, p.version,
p.cancel_reason, p.status_place, p.status_place_name`

// scanPerson reads the columns of personColumns.
func scanPerson(sc interface{ Scan(...any) error }) (registry.Person, error) {
	var p registry.Person
	var sex, status string
	var civil, rel, cancel int
	err := sc.Scan(&p.ID, &p.UID, &p.CF, &p.CFChecked, &p.Surname, &p.Name, &sex, dateCol{&p.BirthDate},
		&p.BirthPlace, &p.BirthPlaceName, &civil, &status, dateCol{&p.StatusSince}, &p.FamilyID, &rel, &p.Version,
		&cancel, &p.StatusPlace, &p.StatusPlaceName)
	p.CancelReason = registry.CancelReason(cancel)
	p.Sex, p.Status = registry.Sex(sex), registry.Status(status)
	p.CivilStatus, p.Relationship = registry.CivilStatus(civil), registry.Relationship(rel)
	return p, err
}

// Record returns everything the desk shows about one person: the person,
// the current address, the residence history (oldest first), the civil
// events (oldest first, the other person named), and the family with its
// members, householder first. A person not in the register is a
// fault.NotFound error.
func (s *Store) Record(ctx context.Context, personID int64) (registry.Record, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return registry.Record{}, fmt.Errorf("read record: %w", err)
	}
	defer tx.Rollback()
	rec, err := readRecord(ctx, tx, personID)
	if err != nil {
		if fault.Code(err) == fault.Internal {
			err = fmt.Errorf("read record: %w", err)
		}
		return registry.Record{}, err
	}
	return rec, tx.Commit()
}

func readRecord(ctx context.Context, tx *sql.Tx, personID int64) (registry.Record, error) {
	var rec registry.Record
	var err error
	rec.Person, err = scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = ?`, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return rec, fault.New(fault.NotFound, "The person was not found", nil)
	}
	if err != nil {
		return rec, err
	}
	if rec.Person.Citizenships, err = citizenships(ctx, tx, personID); err != nil {
		return rec, err
	}
	if rec.Address, err = currentAddress(ctx, tx, personID); err != nil {
		return rec, err
	}
	if rec.Residences, err = residences(ctx, tx, rec.Person); err != nil {
		return rec, err
	}
	if rec.CivilEvents, err = civilEvents(ctx, tx, rec.Person); err != nil {
		return rec, err
	}
	if rec.Person.FamilyID != 0 {
		if rec.Family, rec.Members, err = family(ctx, tx, rec.Person.FamilyID); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

func citizenships(ctx context.Context, tx *sql.Tx, personID int64) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT code FROM citizenship WHERE person_id = ? ORDER BY code = 'IT' DESC, code`, personID)
}

// queryStrings runs a query of one text column and returns its values.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const addressColumns = `a.id, a.uid, a.toponym, a.street, a.house_number, a.internal, a.postcode, a.place, a.off_stradario, a.version`

func scanAddress(dst *registry.Address) []any {
	return []any{&dst.ID, &dst.UID, &dst.Toponym, &dst.Street, &dst.HouseNumber, &dst.Internal, &dst.Postcode, &dst.Place, &dst.OffStradario, &dst.Version}
}

func currentAddress(ctx context.Context, tx *sql.Tx, personID int64) (registry.Address, error) {
	var a registry.Address
	err := tx.QueryRowContext(ctx, `SELECT `+addressColumns+` FROM person_address pa JOIN address a ON a.id = pa.address_id
WHERE pa.person_id = ?`, personID).Scan(scanAddress(&a)...)
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Address{}, nil
	}
	return a, err
}

func residences(ctx context.Context, tx *sql.Tx, p registry.Person) ([]registry.Residence, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.from_date, r.to_date, r.reason, `+addressColumns+`
FROM residence r JOIN address a ON a.id = r.address_id
WHERE r.person_id = ? ORDER BY r.from_date IS NOT NULL, r.from_date, r.id`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.Residence
	for rows.Next() {
		r := registry.Residence{PersonID: p.ID, PersonUID: p.UID}
		dst := append([]any{&r.ID, dateCol{&r.From}, dateCol{&r.To}, &r.Reason}, scanAddress(&r.Address)...)
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func civilEvents(ctx context.Context, tx *sql.Tx, p registry.Person) ([]registry.CivilEvent, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.uid, e.kind, e.date, e.place, coalesce(e.other_person_id, 0), e.other_name,
coalesce(o.uid, ''), coalesce(o.surname, ''), coalesce(o.name, '')
FROM civil_event e LEFT JOIN person o ON o.id = e.other_person_id
WHERE e.person_id = ? ORDER BY e.date IS NOT NULL, e.date, e.id`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.CivilEvent
	for rows.Next() {
		e := registry.CivilEvent{PersonID: p.ID, PersonUID: p.UID}
		var kind, surname, name string
		if err := rows.Scan(&e.ID, &e.UID, &kind, dateCol{&e.Date}, &e.Place, &e.OtherPersonID, &e.OtherName,
			&e.OtherPersonUID, &surname, &name); err != nil {
			return nil, err
		}
		e.Kind = registry.CivilEventKind(kind)
		if e.OtherName == "" && e.OtherPersonID != 0 {
			e.OtherName = surname + " " + name
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// family reads a family (with its convivenza, for an institutional
// household) and its members, householder first, then by relationship and
// birth date.
func family(ctx context.Context, tx *sql.Tx, familyID int64) (registry.Family, []registry.Member, error) {
	var f registry.Family
	var householder sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, uid, householder_id, formed_on, version FROM family WHERE id = ?`, familyID).
		Scan(&f.ID, &f.UID, &householder, dateCol{&f.FormedOn}, &f.Version)
	if err != nil {
		return f, nil, err
	}
	f.HouseholderID = householder.Int64
	if f.Convivenza, err = convivenzaOf(ctx, tx, familyID); err != nil {
		return f, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM person p WHERE p.family_id = ?
ORDER BY p.id = ? DESC, p.relationship, p.birth_date, p.id`, familyID, f.HouseholderID)
	if err != nil {
		return f, nil, err
	}
	defer rows.Close()
	var members []registry.Member
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return f, nil, err
		}
		members = append(members, registry.Member{Person: p, Relationship: p.Relationship})
	}
	return f, members, rows.Err()
}

// convivenzaOf is what makes the family a convivenza; zero for a family.
func convivenzaOf(ctx context.Context, tx *sql.Tx, familyID int64) (registry.Convivenza, error) {
	var c registry.Convivenza
	var responsible sql.NullInt64
	var species string
	err := tx.QueryRowContext(ctx, `SELECT name, species, responsible, responsible_id FROM convivenza WHERE family_id = ?`, familyID).
		Scan(&c.Name, &species, &c.Responsible, &responsible)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return registry.Convivenza{}, nil
	case err != nil:
		return c, err
	}
	c.Species, c.ResponsibleID = registry.ConvivenzaSpecies(species), responsible.Int64
	return c, nil
}
