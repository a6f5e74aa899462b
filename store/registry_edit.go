package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// The registry edits of the desk (registry.Editor). Each one reads the
// record in its write transaction, refuses a stale base version, validates
// with the domain's rules, keeps the person rows it replaces in
// person_version, and records its mutation and audit entry through
// logChange, all in one transaction.

var _ registry.Editor = (*Store)(nil)

var errStale = fault.New(fault.Conflict, "Someone else changed this record meanwhile: nothing was saved. Reopen the record and make the change again", nil)

// beginEdit checks that u may edit the register and starts the transaction.
func (s *Store) beginEdit(ctx context.Context, u access.User) (*sql.Tx, error) {
	if !u.Role.CanEditRegistry() {
		return nil, fault.New(fault.Forbidden, "Your role may not change the register", nil)
	}
	return s.begin(ctx, u.Username)
}

// beginPersonEdit begins an edit by u of the record of personID and reads
// the record, refused when it is no longer at version base.
func (s *Store) beginPersonEdit(ctx context.Context, u access.User, personID, base int64) (*sql.Tx, registry.Record, error) {
	tx, err := s.beginEdit(ctx, u)
	if err != nil {
		return nil, registry.Record{}, err
	}
	rec, err := editRecord(ctx, tx, personID, base)
	if err != nil {
		tx.Rollback()
		return nil, registry.Record{}, err
	}
	return tx, rec, nil
}

func (s *Store) today() registry.Date {
	return registry.DateOf(s.now().In(registry.Rome))
}

// editRecord reads the record of personID within tx and checks it is still
// at version base.
func editRecord(ctx context.Context, tx *sql.Tx, personID, base int64) (registry.Record, error) {
	rec, err := readRecord(ctx, tx, personID)
	if err != nil {
		if fault.Code(err) == fault.Internal {
			err = fmt.Errorf("read record: %w", err)
		}
		return rec, err
	}
	if rec.Person.Version != base {
		return rec, errStale
	}
	return rec, nil
}

// snapshotPersonSQL keeps the columns an edit may change of the current row.
const snapshotPersonSQL = `INSERT INTO person_version(person_id, version, replaced_at, data)
SELECT id, version, ?, json_object('cf', cf, 'cf_checked', cf_checked, 'surname', surname, 'name', name, 'sex', sex,
'birth_date', birth_date, 'birth_place', birth_place, 'birth_place_name', birth_place_name, 'civil_status', civil_status,
'status', status, 'status_since', status_since, 'family_id', family_id, 'relationship', relationship)
FROM person WHERE id = ? AND version = ?`

// newPersonVersion keeps the current row of person id in person_version and
// moves it to the next version; a row no longer at version base is errStale.
// It returns the new version.
func (s *Store) newPersonVersion(ctx context.Context, tx *sql.Tx, id, base int64) (int64, error) {
	now := timestamp(s.now())
	res, err := tx.ExecContext(ctx, snapshotPersonSQL, now, id, base)
	if err != nil {
		return 0, fmt.Errorf("keep person version: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, errStale
	}
	if _, err := tx.ExecContext(ctx, `UPDATE person SET version = version + 1, updated_at = ? WHERE id = ?`, now, id); err != nil {
		return 0, fmt.Errorf("new person version: %w", err)
	}
	return base + 1, nil
}

// newFamilyVersion moves family id from version base to the next.
func newFamilyVersion(ctx context.Context, tx *sql.Tx, id, base int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE family SET version = version + 1 WHERE id = ? AND version = ?`, id, base)
	if err != nil {
		return fmt.Errorf("new family version: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errStale
	}
	return nil
}

// commitEdit records the change and commits.
func (s *Store) commitEdit(ctx context.Context, tx *sql.Tx, u access.User, c change) error {
	if err := s.logChange(ctx, tx, u.Username, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", c.Action, err)
	}
	return nil
}

// addressPayload is an address as a mutation carries it.
type addressPayload struct {
	UID         string `json:"uid"`
	Toponym     string `json:"toponym"`
	Street      string `json:"street"`
	HouseNumber string `json:"house_number"`
	Internal    string `json:"internal,omitempty"`
	Postcode    string `json:"postcode"`
	Place       string `json:"place"`
	// OffStradario: a registrar recorded a street not in the stradario.
	OffStradario bool `json:"off_stradario,omitempty"`
}

// ChangeAddress moves the person, and the family they belong to, to a new
// address of the municipality from c.From: every open residence of those
// moving ends the day before and a new one starts.
func (s *Store) ChangeAddress(ctx context.Context, u access.User, c registry.AddressChange) error {
	tx, rec, err := s.beginPersonEdit(ctx, u, c.PersonID, c.BaseVersion)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := c.Validate(rec, s.today()); err != nil {
		return err
	}
	a := c.Address
	a.UID = newUID()
	a.Toponym, a.Street = strings.ToUpper(strings.TrimSpace(a.Toponym)), strings.ToUpper(strings.TrimSpace(a.Street))
	a.HouseNumber, a.Internal, a.Postcode = strings.ToUpper(strings.TrimSpace(a.HouseNumber)), strings.TrimSpace(a.Internal), strings.TrimSpace(a.Postcode)
	if rec.Address.Place != "" {
		a.Place = rec.Address.Place
	}
	if a.Postcode == "" {
		a.Postcode = rec.Address.Postcode
	}
	if a.OffStradario, err = offStradario(ctx, tx, u, a.Toponym, a.Street, c.ConfirmOffStradario); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO address(uid, toponym, street, house_number, internal, postcode, place, street_key, off_stradario, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`, a.UID, a.Toponym, a.Street, a.HouseNumber, a.Internal, a.Postcode, a.Place, registry.SearchKey(a.Street), a.OffStradario)
	if err != nil {
		return fmt.Errorf("change address: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("change address: %w", err)
	}
	// Who moves: the family (a registry family lives at one address), or
	// the person alone.
	movers := []registry.Person{rec.Person}
	if rec.Person.FamilyID != 0 {
		movers = movers[:0]
		for _, m := range rec.Members {
			if m.Person.Status == registry.Resident {
				movers = append(movers, m.Person)
			}
		}
		if err := newFamilyVersion(ctx, tx, rec.Family.ID, rec.Family.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE family SET address_id = ? WHERE id = ?`, a.ID, rec.Family.ID); err != nil {
			return fmt.Errorf("change address: %w", err)
		}
	}
	dayBefore := registry.DateOf(c.From.Time().AddDate(0, 0, -1))
	uids := make([]string, 0, len(movers))
	for _, p := range movers {
		if _, err := s.newPersonVersion(ctx, tx, p.ID, p.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE residence SET to_date = ?, version = version + 1 WHERE person_id = ? AND to_date IS NULL`,
			isoDate(dayBefore), p.ID); err != nil {
			return fmt.Errorf("change address: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, NULL, ?, 1)`,
			p.ID, a.ID, isoDate(c.From), registry.ReasonMove); err != nil {
			return fmt.Errorf("change address: %w", err)
		}
		uids = append(uids, p.UID)
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: rec.Person.UID, Op: "change_address", BaseVersion: c.BaseVersion,
		Payload: map[string]any{
			"address": addressPayload{a.UID, a.Toponym, a.Street, a.HouseNumber, a.Internal, a.Postcode, a.Place, a.OffStradario},
			"from":    c.From.String(), "family_uid": rec.Family.UID, "movers": uids,
		},
		Action: "person.change_address",
		Detail: fmt.Sprintf(`{"version":%d,"movers":%d,"off_stradario":%t}`, c.BaseVersion+1, len(uids), a.OffStradario),
	})
}

// readFamily reads family id with its members within tx and checks it is
// still at version base.
func readFamily(ctx context.Context, tx *sql.Tx, id, base int64) (registry.Family, []registry.Member, error) {
	f, members, err := family(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil, fault.New(fault.NotFound, "The family was not found", nil)
	}
	if err != nil {
		return f, nil, fmt.Errorf("read family: %w", err)
	}
	if f.Version != base {
		return f, nil, errStale
	}
	return f, members, nil
}

// AddMember registers a new person in a family, living at the family's
// address from m.From.
func (s *Store) AddMember(ctx context.Context, u access.User, m registry.NewMember) (registry.Person, error) {
	if m.ConfirmMismatch && !u.Role.CanCorrectPersonalData() {
		return registry.Person{}, fault.New(fault.Forbidden, "Only a registrar may confirm a codice fiscale that does not match the data", nil)
	}
	m.Person.CF = strings.ToUpper(strings.TrimSpace(m.Person.CF))
	m.Person.Surname, m.Person.Name = strings.TrimSpace(m.Person.Surname), strings.TrimSpace(m.Person.Name)
	m.Person.Status = registry.Resident
	if m.Person.CivilStatus == 0 {
		m.Person.CivilStatus = registry.Single
	}
	tx, err := s.beginEdit(ctx, u)
	if err != nil {
		return registry.Person{}, err
	}
	defer tx.Rollback()
	f, members, err := readFamily(ctx, tx, m.FamilyID, m.FamilyVersion)
	if err != nil {
		return registry.Person{}, err
	}
	if err := m.Validate(f, members, s.today()); err != nil {
		return registry.Person{}, err
	}
	var addressID sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT address_id FROM family WHERE id = ?`, f.ID).Scan(&addressID); err != nil {
		return registry.Person{}, fmt.Errorf("add member: %w", err)
	}
	if !addressID.Valid {
		return registry.Person{}, fault.New(fault.Invalid, "The family has no address", nil)
	}
	p := m.Person
	p.FamilyID, p.Relationship = f.ID, m.Relationship
	p.StatusSince = m.From
	familyUID, err := s.addPerson(ctx, tx, &p)
	if err != nil {
		return registry.Person{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, NULL, ?, 1)`,
		p.ID, addressID.Int64, isoDate(m.From), m.Reason); err != nil {
		return registry.Person{}, fmt.Errorf("add member: %w", err)
	}
	if _, err := tx.ExecContext(ctx, insertFamilyMemberSQL, f.ID, p.ID, int64(p.Relationship), isoDate(m.From)); err != nil {
		return registry.Person{}, fmt.Errorf("add member: %w", err)
	}
	if err := newFamilyVersion(ctx, tx, f.ID, f.Version); err != nil {
		return registry.Person{}, err
	}
	err = s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: p.UID, Op: "create",
		Payload: map[string]any{"person": newPersonPayload(p, familyUID), "from": m.From.String(), "reason": m.Reason},
		Action:  "family.add_member",
		Detail:  fmt.Sprintf(`{"family":%q,"family_version":%d,"confirmed_mismatch":%t}`, familyUID, f.Version+1, m.ConfirmMismatch),
	})
	return p, err
}

// ChangeHouseholder makes another member the householder; the family keeps
// one householder.
func (s *Store) ChangeHouseholder(ctx context.Context, u access.User, c registry.HouseholderChange) error {
	tx, err := s.beginEdit(ctx, u)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	f, members, err := readFamily(ctx, tx, c.FamilyID, c.FamilyVersion)
	if err != nil {
		return err
	}
	if err := c.Validate(f, members); err != nil {
		return err
	}
	var newUID, oldUID string
	for _, m := range members {
		p := m.Person
		var rel registry.Relationship
		switch {
		case p.ID == c.NewHouseholderID:
			rel, newUID = registry.Householder, p.UID
		case p.ID == f.HouseholderID || p.Relationship == registry.Householder:
			rel, oldUID = c.FormerRelationship, p.UID
		default:
			continue
		}
		if _, err := s.newPersonVersion(ctx, tx, p.ID, p.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE person SET relationship = ? WHERE id = ?`, int64(rel), p.ID); err != nil {
			return fmt.Errorf("change householder: %w", err)
		}
	}
	if err := newFamilyVersion(ctx, tx, f.ID, f.Version); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE family SET householder_id = ? WHERE id = ?`, c.NewHouseholderID, f.ID); err != nil {
		return fmt.Errorf("change householder: %w", err)
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: "family", EntityUID: f.UID, Op: "change_householder", BaseVersion: c.FamilyVersion,
		Payload: map[string]any{"householder_uid": newUID, "former_uid": oldUID, "former_relationship": int(c.FormerRelationship)},
		Action:  "family.change_householder",
		Detail:  fmt.Sprintf(`{"version":%d}`, c.FamilyVersion+1),
	})
}

// RecordCivilEvent records a civil-status event for the person and, when
// the spouse or partner is in the register, for them too (a marriage links
// both); the civil status of both follows the event.
func (s *Store) RecordCivilEvent(ctx context.Context, u access.User, e registry.CivilStatusEvent) error {
	tx, rec, err := s.beginPersonEdit(ctx, u, e.PersonID, e.BaseVersion)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var last registry.CivilEvent
	if n := len(rec.CivilEvents); n > 0 {
		last = rec.CivilEvents[n-1]
	}
	// A divorce, an end of union or a widowhood concerns the spouse of the
	// last marriage or union when none is named.
	if e.OtherPersonID == 0 && e.OtherName == "" && last.Kind != "" && (last.Kind == registry.EventMarriage || last.Kind == registry.EventCivilUnion) {
		e.OtherPersonID, e.OtherName = last.OtherPersonID, last.OtherName
	}
	var other registry.Person
	if e.OtherPersonID != 0 {
		other, err = scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = ?`, e.OtherPersonID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "The other person was not found", nil)
		}
		if err != nil {
			return fmt.Errorf("record civil event: %w", err)
		}
	}
	if err := e.Validate(rec.Person, other, last, s.today()); err != nil {
		return err
	}
	eventUID := newUID()
	if err := s.applyCivilEvent(ctx, tx, rec.Person, e.BaseVersion, e, eventUID, other); err != nil {
		return err
	}
	// The other person: a marriage or union links both; a divorce or end of
	// union frees both; a widowhood concerns the survivor only.
	var otherUID string
	if other.ID != 0 && e.Kind != registry.EventWidowhood {
		if _, err := registry.NextCivilStatus(other.CivilStatus, e.Kind); err == nil {
			mirror := e
			mirror.PersonID, mirror.OtherPersonID, mirror.OtherName = other.ID, rec.Person.ID, ""
			if err := s.applyCivilEvent(ctx, tx, other, other.Version, mirror, newUID(), rec.Person); err != nil {
				return err
			}
			otherUID = other.UID
		}
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: rec.Person.UID, Op: "civil_event", BaseVersion: e.BaseVersion,
		Payload: map[string]any{"event_uid": eventUID, "kind": string(e.Kind), "date": e.Date.String(), "place": e.Place,
			"other_uid": otherUID, "other_name": e.OtherName},
		Action: "person.civil_event",
		Detail: fmt.Sprintf(`{"version":%d,"kind":%q,"both":%t}`, e.BaseVersion+1, e.Kind, otherUID != ""),
	})
}

// applyCivilEvent inserts the event for p and sets p's civil status.
func (s *Store) applyCivilEvent(ctx context.Context, tx *sql.Tx, p registry.Person, base int64, e registry.CivilStatusEvent, uid string, other registry.Person) error {
	next, err := registry.NextCivilStatus(p.CivilStatus, e.Kind)
	if err != nil {
		return err
	}
	if _, err := s.newPersonVersion(ctx, tx, p.ID, base); err != nil {
		return err
	}
	var otherID any
	otherName := strings.TrimSpace(e.OtherName)
	if other.ID != 0 {
		otherID, otherName = other.ID, ""
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO civil_event(uid, person_id, kind, date, place, other_person_id, other_name, version)
VALUES (?, ?, ?, ?, ?, ?, ?, 1)`, uid, p.ID, string(e.Kind), isoDate(e.Date), strings.ToUpper(strings.TrimSpace(e.Place)), otherID, otherName); err != nil {
		return fmt.Errorf("record civil event: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE person SET civil_status = ? WHERE id = ?`, int64(next), p.ID); err != nil {
		return fmt.Errorf("record civil event: %w", err)
	}
	return nil
}

// AddDocument records an identity document of the person.
func (s *Store) AddDocument(ctx context.Context, u access.User, d registry.DocumentEdit) error {
	tx, rec, err := s.beginPersonEdit(ctx, u, d.PersonID, d.BaseVersion)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := d.Validate(rec.Person, s.today()); err != nil {
		return err
	}
	doc := d.Document
	doc.UID = newUID()
	doc.Number = strings.ToUpper(strings.TrimSpace(doc.Number))
	doc.IssuedBy = strings.TrimSpace(doc.IssuedBy)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM identity_document WHERE kind = ? AND number = ?`, string(doc.Kind), doc.Number).Scan(&n); err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	if n > 0 {
		return fault.New(fault.Conflict, "A document of this type with the number {{.Number}} is already recorded", map[string]any{"Number": doc.Number})
	}
	if _, err := s.newPersonVersion(ctx, tx, rec.Person.ID, d.BaseVersion); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_document(uid, person_id, kind, number, issued_on, expires_on, issued_by, version)
VALUES (?, ?, ?, ?, ?, ?, ?, 1)`, doc.UID, rec.Person.ID, string(doc.Kind), doc.Number, dateArg(doc.IssuedOn), isoDate(doc.Expires), doc.IssuedBy); err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: rec.Person.UID, Op: "add_document", BaseVersion: d.BaseVersion,
		Payload: map[string]any{"document_uid": doc.UID, "kind": string(doc.Kind), "number": doc.Number,
			"issued_on": doc.IssuedOn.String(), "expires": doc.Expires.String(), "issued_by": doc.IssuedBy},
		Action: "person.add_document",
		Detail: fmt.Sprintf(`{"version":%d,"kind":%q}`, d.BaseVersion+1, doc.Kind),
	})
}

// CorrectPerson corrects the personal data of a person: registrars only.
func (s *Store) CorrectPerson(ctx context.Context, u access.User, c registry.Correction) error {
	if !u.Role.CanCorrectPersonalData() {
		return fault.New(fault.Forbidden, "Only a registrar may correct personal data", nil)
	}
	tx, rec, err := s.beginPersonEdit(ctx, u, c.PersonID, c.BaseVersion)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	p := c.Apply(rec.Person)
	if err := c.Validate(p, s.today()); err != nil {
		return err
	}
	if p.CF != rec.Person.CF {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE cf_base = ? AND cf = ? AND id <> ?`, cfBase(p.CF), p.CF, p.ID).Scan(&n); err != nil {
			return fmt.Errorf("correct person: %w", err)
		}
		if n > 0 {
			return fault.New(fault.Conflict, "A person with the codice fiscale {{.CF}} is already in the register", map[string]any{"CF": p.CF})
		}
	}
	if _, err := s.newPersonVersion(ctx, tx, p.ID, c.BaseVersion); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE person SET cf = ?, cf_base = ?, cf_checked = ?, surname = ?, name = ?, surname_key = ?, name_key = ?,
surname_fts = ?, name_fts = ?, sex = ?, birth_date = ?, birth_place = ?, birth_place_name = ? WHERE id = ?`,
		p.CF, cfBase(p.CF), p.CFChecked, p.Surname, p.Name, registry.SearchKey(p.Surname), registry.SearchKey(p.Name),
		registry.SearchTokens(p.Surname), registry.SearchTokens(p.Name), string(p.Sex), isoDate(p.BirthDate), p.BirthPlace, p.BirthPlaceName, p.ID); err != nil {
		return fmt.Errorf("correct person: %w", err)
	}
	p.Version = c.BaseVersion + 1
	return s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: p.UID, Op: "correct", BaseVersion: c.BaseVersion,
		Payload: newPersonPayload(p, rec.Family.UID),
		Action:  "person.correct",
		Detail:  fmt.Sprintf(`{"version":%d,"confirmed_mismatch":%t}`, p.Version, c.ConfirmMismatch),
	})
}

// readFullRecord reads the record and its extras (see recordExtras) inside
// tx.
func readFullRecord(ctx context.Context, tx *sql.Tx, personID int64) (registry.Record, error) {
	rec, err := readRecord(ctx, tx, personID)
	if err == nil {
		err = recordExtras(ctx, tx, &rec)
	}
	if err != nil && fault.Code(err) == fault.Internal {
		err = fmt.Errorf("read record: %w", err)
	}
	return rec, err
}

// FullRecord is Record with the identity documents.
func (s *Store) FullRecord(ctx context.Context, personID int64) (registry.Record, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return registry.Record{}, fmt.Errorf("read record: %w", err)
	}
	defer tx.Rollback()
	rec, err := readFullRecord(ctx, tx, personID)
	if err != nil {
		return registry.Record{}, err
	}
	return rec, tx.Commit()
}

// recordExtras reads what the record holds beyond the person, the family
// (with its convivenza) and the histories: the identity documents, the
// electoral registration and who was a member and left.
func recordExtras(ctx context.Context, tx *sql.Tx, rec *registry.Record) error {
	var err error
	if rec.Documents, err = documents(ctx, tx, rec.Person.ID); err != nil {
		return err
	}
	e := &rec.Electoral
	err = tx.QueryRowContext(ctx, `SELECT section, list_number, registered_on FROM electoral_registration WHERE person_id = ?`, rec.Person.ID).
		Scan(&e.Section, &e.Number, dateCol{&e.Since})
	switch {
	case err == nil:
		e.Registered = true
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if rec.Family.ID == 0 {
		return nil
	}
	return memberHistory(ctx, tx, rec)
}

// memberHistory sets when the members joined the family and reads who was
// a member and left, oldest stay first.
func memberHistory(ctx context.Context, tx *sql.Tx, rec *registry.Record) error {
	rows, err := tx.QueryContext(ctx, `SELECT person_id, relationship, from_date, to_date FROM family_member
WHERE family_id = ? ORDER BY from_date, id`, rec.Family.ID)
	if err != nil {
		return err
	}
	type stay struct {
		person   int64
		rel      int
		from, to registry.Date
	}
	var left []stay
	for rows.Next() {
		var s stay
		if err := rows.Scan(&s.person, &s.rel, dateCol{&s.from}, dateCol{&s.to}); err != nil {
			rows.Close()
			return err
		}
		if !s.to.IsZero() {
			left = append(left, s)
			continue
		}
		for i := range rec.Members {
			if rec.Members[i].Person.ID == s.person {
				rec.Members[i].From = s.from
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range left {
		p, err := scanPerson(tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = ?`, s.person))
		if err != nil {
			return err
		}
		rec.Former = append(rec.Former, registry.Member{Person: p, Relationship: registry.Relationship(s.rel), From: s.from, To: s.to})
	}
	return nil
}

func documents(ctx context.Context, tx *sql.Tx, personID int64) ([]registry.Document, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, uid, kind, number, issued_on, expires_on, issued_by
FROM identity_document WHERE person_id = ? ORDER BY expires_on DESC, id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.Document
	for rows.Next() {
		var d registry.Document
		var kind string
		if err := rows.Scan(&d.ID, &d.UID, &kind, &d.Number, dateCol{&d.IssuedOn}, dateCol{&d.Expires}, &d.IssuedBy); err != nil {
			return nil, err
		}
		d.Kind = registry.DocumentKind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordAsAt is the record as it stood at the end of day d (Europe/Rome):
// the personal data and relationships of the person and of the family
// members are taken from the version of their row current then, and the
// histories are cut at d (registry.Record.AsAt).
func (s *Store) RecordAsAt(ctx context.Context, personID int64, d registry.Date) (registry.Record, error) {
	if !d.Valid() {
		return registry.Record{}, fault.New(fault.Invalid, "The date is required", nil)
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return registry.Record{}, fmt.Errorf("read record: %w", err)
	}
	defer tx.Rollback()
	rec, err := readFullRecord(ctx, tx, personID)
	if err != nil {
		return registry.Record{}, err
	}
	end := timestamp(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, registry.Rome).AddDate(0, 0, 1))
	if err := personVersionAt(ctx, tx, &rec.Person, end); err != nil {
		return registry.Record{}, fmt.Errorf("read record: %w", err)
	}
	for i := range rec.Members {
		if err := personVersionAt(ctx, tx, &rec.Members[i].Person, end); err != nil {
			return registry.Record{}, fmt.Errorf("read record: %w", err)
		}
		rec.Members[i].Relationship = rec.Members[i].Person.Relationship
	}
	for i := range rec.Former {
		if err := personVersionAt(ctx, tx, &rec.Former[i].Person, end); err != nil {
			return registry.Record{}, fmt.Errorf("read record: %w", err)
		}
	}
	return rec.AsAt(d), tx.Commit()
}

// personVersionAt puts back in p the data of the first version of its row
// replaced after the instant end, if any: the data current at end.
func personVersionAt(ctx context.Context, tx *sql.Tx, p *registry.Person, end string) error {
	var data string
	err := tx.QueryRowContext(ctx, `SELECT data FROM person_version WHERE person_id = ? AND replaced_at >= ? ORDER BY version LIMIT 1`, p.ID, end).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var v struct {
		CF             string `json:"cf"`
		CFChecked      int    `json:"cf_checked"`
		Surname        string `json:"surname"`
		Name           string `json:"name"`
		Sex            string `json:"sex"`
		BirthDate      string `json:"birth_date"`
		BirthPlace     string `json:"birth_place"`
		BirthPlaceName string `json:"birth_place_name"`
		Relationship   int    `json:"relationship"`
	}
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		return err
	}
	born, err := registry.ParseDate(v.BirthDate)
	if err != nil {
		return err
	}
	p.CF, p.CFChecked, p.Surname, p.Name, p.Sex = v.CF, v.CFChecked == 1, v.Surname, v.Name, registry.Sex(v.Sex)
	p.BirthDate, p.BirthPlace, p.BirthPlaceName = born, v.BirthPlace, v.BirthPlaceName
	p.Relationship = registry.Relationship(v.Relationship)
	return nil
}

// MoveToFamily moves a resident into another family from m.From: the stay
// in the former family ends the day before and one in the new family
// starts; when the new family lives elsewhere, the residence follows. A
// householder alone leaves an empty family behind; one with other members
// must be replaced first.
func (s *Store) MoveToFamily(ctx context.Context, u access.User, m registry.FamilyMove) error {
	tx, rec, err := s.beginPersonEdit(ctx, u, m.PersonID, m.BaseVersion)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cf := strings.ToUpper(strings.TrimSpace(m.HouseholderCF))
	var toID int64
	err = tx.QueryRowContext(ctx, `SELECT f.id FROM person p JOIN family f ON f.householder_id = p.id
WHERE p.cf_base = ? AND p.cf = ? AND p.status = 'resident'`, cfBase(cf), cf).Scan(&toID)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.NotFound, "No householder of a family has the codice fiscale {{.CF}}", map[string]any{"CF": cf})
	}
	if err != nil {
		return fmt.Errorf("move to family: %w", err)
	}
	to, _, err := family(ctx, tx, toID)
	if err != nil {
		return fmt.Errorf("move to family: %w", err)
	}
	var since registry.Date
	if rec.Person.FamilyID != 0 {
		err = tx.QueryRowContext(ctx, `SELECT from_date FROM family_member WHERE person_id = ? AND family_id = ? AND to_date IS NULL`,
			rec.Person.ID, rec.Person.FamilyID).Scan(dateCol{&since})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("move to family: %w", err)
		}
	}
	if err := m.Validate(rec.Person, rec.Family, rec.Members, to, since, s.today()); err != nil {
		return err
	}
	version, err := s.newPersonVersion(ctx, tx, rec.Person.ID, m.BaseVersion)
	if err != nil {
		return err
	}
	dayBefore := isoDate(registry.DateOf(m.From.Time().AddDate(0, 0, -1)))
	for _, stmt := range []struct {
		query string
		args  []any
	}{
		{`UPDATE person SET family_id = ?, relationship = ? WHERE id = ?`, []any{to.ID, int64(m.Relationship), rec.Person.ID}},
		{`UPDATE family_member SET to_date = ? WHERE person_id = ? AND to_date IS NULL`, []any{dayBefore, rec.Person.ID}},
		{insertFamilyMemberSQL, []any{to.ID, rec.Person.ID, int64(m.Relationship), isoDate(m.From)}},
		{`UPDATE family SET householder_id = NULL WHERE id = ? AND householder_id = ?`, []any{rec.Family.ID, rec.Person.ID}},
	} {
		if _, err := tx.ExecContext(ctx, stmt.query, stmt.args...); err != nil {
			return fmt.Errorf("move to family: %w", err)
		}
	}
	var toAddress sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT address_id FROM family WHERE id = ?`, to.ID).Scan(&toAddress); err != nil {
		return fmt.Errorf("move to family: %w", err)
	}
	var open sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT address_id FROM residence WHERE person_id = ? AND to_date IS NULL ORDER BY from_date DESC, id DESC LIMIT 1`,
		rec.Person.ID).Scan(&open); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("move to family: %w", err)
	}
	if toAddress.Valid && open.Int64 != toAddress.Int64 {
		if _, err := tx.ExecContext(ctx, `UPDATE residence SET to_date = ?, version = version + 1 WHERE person_id = ? AND to_date IS NULL`,
			dayBefore, rec.Person.ID); err != nil {
			return fmt.Errorf("move to family: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, NULL, ?, 1)`,
			rec.Person.ID, toAddress.Int64, isoDate(m.From), registry.ReasonMove); err != nil {
			return fmt.Errorf("move to family: %w", err)
		}
	}
	if rec.Family.ID != 0 {
		if err := newFamilyVersion(ctx, tx, rec.Family.ID, rec.Family.Version); err != nil {
			return err
		}
	}
	if err := newFamilyVersion(ctx, tx, to.ID, to.Version); err != nil {
		return err
	}
	return s.commitEdit(ctx, tx, u, change{
		Entity: "person", EntityUID: rec.Person.UID, Op: "move_family", BaseVersion: m.BaseVersion,
		Payload: map[string]any{"from_family": rec.Family.UID, "to_family": to.UID, "relationship": int(m.Relationship), "from": m.From.String()},
		Action:  "family.move_member",
		Detail:  fmt.Sprintf(`{"version":%d,"from_family":%q,"to_family":%q}`, version, rec.Family.UID, to.UID),
	})
}
