package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// Registry rows travel between desks and the server as documents: an
// entity (person, family, address) named by its uid, its version, and its
// fields as JSON, references by uid. A person's document carries its lists
// (citizenships, residences, civil events, identity documents, electoral
// entry, family stays) as fields of their own; a family's its householder,
// address and convivenza. Every write path records, with its mutation, the
// documents it touched as they were before and after (the triggers of
// migration 10 name them), so the server can merge field by field.

// Doc is one registry entity as sync carries it.
type Doc struct {
	Entity  string          `json:"entity"`
	UID     string          `json:"uid"`
	Version int64           `json:"version"`
	Fields  registry.Fields `json:"fields"`
}

// DocKey names an entity.
type DocKey struct {
	Entity string `json:"entity"`
	UID    string `json:"uid"`
}

func (d Doc) key() DocKey { return DocKey{d.Entity, d.UID} }

// EditDocs are the documents a mutation touched: before (absent for an
// entity it created) and after.
type EditDocs struct {
	Before []Doc `json:"before,omitempty"`
	After  []Doc `json:"after"`
}

// Entity names.
const (
	docPerson  = "person"
	docFamily  = "family"
	docAddress = "address"
	docDeskKey = "desk_key" // a desk's public key, to verify its seals
	docUser    = "user"     // a clerk, with the bcrypt hash of the password
)

// The documents as SQLite builds them. json() keeps a sub-select's JSON a
// value rather than a string.
const (
	personDocSQL = `SELECT p.version, json_object(
 'cf', p.cf, 'cf_checked', json(CASE WHEN p.cf_checked = 1 THEN 'true' ELSE 'false' END), 'surname', p.surname, 'name', p.name, 'sex', p.sex,
 'birth_date', p.birth_date, 'birth_place', p.birth_place, 'birth_place_name', p.birth_place_name,
 'civil_status', p.civil_status, 'status', p.status, 'status_since', p.status_since,
 'cancel_reason', p.cancel_reason, 'status_place', p.status_place, 'status_place_name', p.status_place_name,
 'family', (SELECT f.uid FROM family f WHERE f.id = p.family_id), 'relationship', p.relationship,
 'citizenship', json((SELECT json_group_array(code) FROM (SELECT code FROM citizenship WHERE person_id = p.id ORDER BY code))),
 'residences', json((SELECT json_group_array(json_object('address', a.uid, 'from', r.from_date, 'to', r.to_date, 'reason', r.reason))
    FROM (SELECT * FROM residence WHERE person_id = p.id ORDER BY from_date, id) r JOIN address a ON a.id = r.address_id)),
 'civil_events', json((SELECT json_group_array(json_object('uid', e.uid, 'kind', e.kind, 'date', e.date, 'place', e.place,
    'other', (SELECT o.uid FROM person o WHERE o.id = e.other_person_id), 'other_name', e.other_name))
    FROM (SELECT * FROM civil_event WHERE person_id = p.id ORDER BY date, uid) e)),
 'documents', json((SELECT json_group_array(json_object('uid', d.uid, 'kind', d.kind, 'number', d.number,
    'issued_on', d.issued_on, 'expires_on', d.expires_on, 'issued_by', d.issued_by))
    FROM (SELECT * FROM identity_document WHERE person_id = p.id ORDER BY uid) d)),
 'electoral', json((SELECT json_object('section', section, 'list_number', list_number, 'registered_on', registered_on)
    FROM electoral_registration WHERE person_id = p.id)),
 'memberships', json((SELECT json_group_array(json_object('family', f.uid, 'relationship', m.relationship, 'from', m.from_date, 'to', m.to_date))
    FROM (SELECT * FROM family_member WHERE person_id = p.id ORDER BY from_date, id) m JOIN family f ON f.id = m.family_id))
) FROM person p WHERE p.uid = ?`

	familyDocSQL = `SELECT f.version, json_object(
 'householder', (SELECT uid FROM person WHERE id = f.householder_id),
 'address', (SELECT uid FROM address WHERE id = f.address_id),
 'formed_on', f.formed_on,
 'convivenza', json((SELECT json_object('name', c.name, 'species', c.species, 'responsible', c.responsible,
    'responsible_uid', (SELECT uid FROM person WHERE id = c.responsible_id)) FROM convivenza c WHERE c.family_id = f.id))
) FROM family f WHERE f.uid = ?`

	userDocSQL = `SELECT version, json_object('username', username, 'full_name', full_name, 'role', role, 'password_hash', password_hash)
 FROM users WHERE uid = ?`

	deskKeyDocSQL = `SELECT 1, json_object('desk_code', desk_code, 'public_key', hex(public_key), 'revoked_at', revoked_at) FROM desk_key WHERE key_id = ?`

	addressDocSQL = `SELECT version, json_object('toponym', toponym, 'street', street, 'house_number', house_number,
 'internal', internal, 'postcode', postcode, 'place', place, 'off_stradario', json(iif(off_stradario, 'true', 'false'))) FROM address WHERE uid = ?`
)

// readDoc reads the document of k; ok is false when the entity does not exist.
func readDoc(ctx context.Context, q querier, k DocKey) (d Doc, ok bool, err error) {
	var query string
	switch k.Entity {
	case docPerson:
		query = personDocSQL
	case docFamily:
		query = familyDocSQL
	case docAddress:
		query = addressDocSQL
	case docDeskKey:
		query = deskKeyDocSQL
	case docUser:
		query = userDocSQL
	default:
		var ok bool
		if query, ok = socialDocSQL[k.Entity]; !ok {
			return d, false, fmt.Errorf("sync document: unknown entity %q", k.Entity)
		}
	}
	var fields string
	err = q.QueryRowContext(ctx, query, k.UID).Scan(&d.Version, &fields)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("sync document: %w", err)
	}
	if err := json.Unmarshal([]byte(fields), &d.Fields); err != nil {
		return d, false, fmt.Errorf("sync document: %w", err)
	}
	d.Entity, d.UID = k.Entity, k.UID
	return d, true, nil
}

// takeTouched returns the entities the transaction's writes touched so far
// and forgets them.
func takeTouched(ctx context.Context, tx *sql.Tx) ([]DocKey, error) {
	rows, err := tx.QueryContext(ctx, `SELECT entity, uid FROM sync_touched ORDER BY entity, uid`)
	if err != nil {
		return nil, fmt.Errorf("touched rows: %w", err)
	}
	var keys []DocKey
	for rows.Next() {
		var k DocKey
		if err := rows.Scan(&k.Entity, &k.UID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("touched rows: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("touched rows: %w", err)
	}
	if len(keys) == 0 {
		return nil, nil // most writes (tickets, cash) touch no document
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_touched`); err != nil {
		return nil, fmt.Errorf("touched rows: %w", err)
	}
	return keys, nil
}

// editDocs reads the documents of the entities tx touched: after through
// tx, before through a reader, which sees the last commit (the writer is
// the only one, so that is the state the edit started from).
func (s *Store) editDocs(ctx context.Context, tx *sql.Tx) (EditDocs, []DocKey, error) {
	keys, err := takeTouched(ctx, tx)
	if err != nil || len(keys) == 0 {
		return EditDocs{}, nil, err
	}
	var ed EditDocs
	for _, k := range keys {
		after, ok, err := readDoc(ctx, tx, k)
		if err != nil {
			return ed, nil, err
		}
		if !ok {
			continue
		}
		before, ok, err := readDoc(ctx, s.r, k)
		if err != nil {
			return ed, nil, err
		}
		if ok {
			before, after = changedFields(before, after)
			ed.Before = append(ed.Before, before)
		}
		ed.After = append(ed.After, after)
	}
	return ed, keys, nil
}

// changedFields keeps, of an edit's before and after, only the fields the
// edit changed: the server merges those and keeps its own values of the
// others. A new entity travels whole.
func changedFields(before, after Doc) (Doc, Doc) {
	b, a := before, after
	b.Fields, a.Fields = registry.Fields{}, registry.Fields{}
	for k, v := range after.Fields {
		if !registry.SameJSON(before.Fields[k], v) {
			b.Fields[k], a.Fields[k] = before.Fields[k], v
		}
	}
	return b, a
}

// Document field types, for writing.
type (
	personFields struct {
		CF             string            `json:"cf"`
		CFChecked      bool              `json:"cf_checked"`
		Surname        string            `json:"surname"`
		Name           string            `json:"name"`
		Sex            string            `json:"sex"`
		BirthDate      string            `json:"birth_date"`
		BirthPlace     string            `json:"birth_place"`
		BirthPlaceName string            `json:"birth_place_name"`
		CivilStatus    int64             `json:"civil_status"`
		Status         string            `json:"status"`
		StatusSince    *string           `json:"status_since"`
		Family         *string           `json:"family"`
		Relationship   int64             `json:"relationship"`
		Citizenship    []string          `json:"citizenship"`
		Residences     []residenceField  `json:"residences"`
		CivilEvents    []civilEventField `json:"civil_events"`
		Documents      []documentField   `json:"documents"`
		Electoral      *electoralField   `json:"electoral"`
		Memberships    []membershipField `json:"memberships"`

		CancelReason    int64  `json:"cancel_reason"`
		StatusPlace     string `json:"status_place"`
		StatusPlaceName string `json:"status_place_name"`
	}
	residenceField struct {
		Address string  `json:"address"`
		From    *string `json:"from"`
		To      *string `json:"to"`
		Reason  int64   `json:"reason"`
	}
	civilEventField struct {
		UID       string  `json:"uid"`
		Kind      string  `json:"kind"`
		Date      *string `json:"date"`
		Place     string  `json:"place"`
		Other     *string `json:"other"`
		OtherName string  `json:"other_name"`
	}
	documentField struct {
		UID       string  `json:"uid"`
		Kind      string  `json:"kind"`
		Number    string  `json:"number"`
		IssuedOn  *string `json:"issued_on"`
		ExpiresOn string  `json:"expires_on"`
		IssuedBy  string  `json:"issued_by"`
	}
	electoralField struct {
		Section      int64   `json:"section"`
		ListNumber   int64   `json:"list_number"`
		RegisteredOn *string `json:"registered_on"`
	}
	membershipField struct {
		Family       string  `json:"family"`
		Relationship int64   `json:"relationship"`
		From         *string `json:"from"`
		To           *string `json:"to"`
	}
	familyFields struct {
		Householder *string          `json:"householder"`
		Address     *string          `json:"address"`
		FormedOn    *string          `json:"formed_on"`
		Convivenza  *convivenzaField `json:"convivenza"`
	}
	convivenzaField struct {
		Name           string  `json:"name"`
		Species        string  `json:"species"`
		Responsible    string  `json:"responsible"`
		ResponsibleUID *string `json:"responsible_uid"`
	}
	addressFields struct {
		Toponym     string `json:"toponym"`
		Street      string `json:"street"`
		HouseNumber string `json:"house_number"`
		Internal    string `json:"internal"`
		Postcode    string `json:"postcode"`
		Place       string `json:"place"`
		// OffStradario: a registrar recorded a street not in the stradario.
		OffStradario bool `json:"off_stradario"`
	}
)

// decodeFields turns a document's fields into v: one JSON object made of
// the raw values, one decode.
func decodeFields(f registry.Fields, v any) error {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for k, raw := range f {
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		if len(raw) == 0 {
			b.WriteString("null")
		} else {
			b.Write(raw)
		}
	}
	b.WriteByte('}')
	return json.Unmarshal(b.Bytes(), v)
}

// errMissingRef is a document that names an entity the file does not hold.
func errMissingRef(entity, uid string) error {
	return fault.New(fault.Invalid, "The sync data names a {{.Entity}} that is not in the register ({{.UID}})",
		map[string]any{"Entity": entity, "UID": uid})
}

// rowIDOf finds the row id of the entity with uid in table; 0 when absent.
func rowIDOf(ctx context.Context, tx *sql.Tx, table, uid string) (int64, error) {
	var id int64
	// table is one of the constant entity tables of this file.
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE uid = ?`, uid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sync document: %w", err)
	}
	return id, nil
}

// refID finds the row id of a required reference.
func refID(ctx context.Context, tx *sql.Tx, table string, uid *string) (any, error) {
	if uid == nil || *uid == "" {
		return nil, nil
	}
	id, err := rowIDOf(ctx, tx, table, *uid)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, errMissingRef(table, *uid)
	}
	return id, nil
}

// optionalID finds the row id of a reference that may not have arrived yet
// (the other spouse of a civil event, the responsible of a convivenza).
func optionalID(ctx context.Context, tx *sql.Tx, table string, uid *string) (any, error) {
	if uid == nil || *uid == "" {
		return nil, nil
	}
	id, err := rowIDOf(ctx, tx, table, *uid)
	if err != nil || id == 0 {
		return nil, err
	}
	return id, nil
}

// writeDocs writes documents as they are, in an order that lets each find
// what it names: addresses, families, persons, and the families' householders
// last (a householder may arrive with the family). Documents of the same
// entity are written in the order given.
func writeDocs(ctx context.Context, tx *sql.Tx, docs []Doc, updatedAt string) error {
	return writeDocsKnown(ctx, tx, docs, updatedAt, nil)
}

// writeDocsKnown is writeDocs when the caller already read the current
// documents of some entities (known), to spare reading them again.
func writeDocsKnown(ctx context.Context, tx *sql.Tx, docs []Doc, updatedAt string, known map[DocKey]Doc) error {
	order := map[string]int{docDeskKey: 0, docUser: 0, docAddress: 1, docFamily: 2, docPerson: 3, "social_visitor": 4, "social_case": 5}
	sorted := slices.Clone(docs)
	rank := func(entity string) int {
		if r, ok := order[entity]; ok {
			return r
		}
		return 6 // the rows of a social case, after the case
	}
	slices.SortStableFunc(sorted, func(a, b Doc) int { return rank(a.Entity) - rank(b.Entity) })
	var families []Doc
	for _, d := range sorted {
		cur, exists := known[d.key()]
		var err error
		if !exists {
			if cur, exists, err = readDoc(ctx, tx, d.key()); err != nil {
				return err
			}
		}
		if exists && cur.Version == d.Version && sameFields(cur.Fields, d.Fields) {
			continue // already so: a desk pulling back its own change
		}
		if !exists {
			cur = Doc{}
		}
		switch d.Entity {
		case docAddress:
			err = writeAddress(ctx, tx, d)
		case docFamily:
			err = writeFamily(ctx, tx, d)
			families = append(families, d)
		case docPerson:
			err = writePerson(ctx, tx, d, cur, updatedAt)
		case docDeskKey:
			err = writeDeskKey(ctx, tx, d, updatedAt)
		case docUser:
			err = writeUser(ctx, tx, d, updatedAt)
		default:
			if t, ok := socialTableOf(d.Entity); ok {
				err = t.write(ctx, tx, d)
			} else {
				err = fault.New(fault.Invalid, "The sync data holds an unknown kind of record", nil)
			}
		}
		if err != nil {
			return err
		}
	}
	for _, d := range families {
		if err := writeFamilyPeople(ctx, tx, d); err != nil {
			return err
		}
	}
	// The other person of a civil event may come later in the batch.
	for _, d := range sorted {
		if d.Entity != docPerson {
			continue
		}
		var p personFields
		if err := decodeFields(d.Fields, &p); err != nil {
			return fault.New(fault.Invalid, "The sync data holds a malformed person", nil)
		}
		for _, e := range p.CivilEvents {
			if e.Other == nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE civil_event SET other_person_id = (SELECT id FROM person WHERE uid = ?)
WHERE uid = ? AND other_person_id IS NULL`, *e.Other, e.UID); err != nil {
				return fmt.Errorf("write person: %w", err)
			}
		}
	}
	return nil
}

func writeAddress(ctx context.Context, tx *sql.Tx, d Doc) error {
	var a addressFields
	if err := decodeFields(d.Fields, &a); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed address", nil)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO address(uid, toponym, street, house_number, internal, postcode, place, street_key, off_stradario, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(uid) DO UPDATE SET toponym = excluded.toponym, street = excluded.street, house_number = excluded.house_number,
 internal = excluded.internal, postcode = excluded.postcode, place = excluded.place, street_key = excluded.street_key,
 off_stradario = excluded.off_stradario, version = excluded.version`,
		d.UID, a.Toponym, a.Street, a.HouseNumber, a.Internal, a.Postcode, a.Place, registry.SearchKey(a.Street), a.OffStradario, d.Version)
	if err != nil {
		return fmt.Errorf("write address: %w", err)
	}
	return nil
}

func writeFamily(ctx context.Context, tx *sql.Tx, d Doc) error {
	var f familyFields
	if err := decodeFields(d.Fields, &f); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed family", nil)
	}
	address, err := refID(ctx, tx, "address", f.Address)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO family(uid, householder_id, address_id, formed_on, version) VALUES (?, NULL, ?, ?, ?)
ON CONFLICT(uid) DO UPDATE SET address_id = excluded.address_id, formed_on = excluded.formed_on, version = excluded.version`,
		d.UID, address, f.FormedOn, d.Version)
	if err != nil {
		return fmt.Errorf("write family: %w", err)
	}
	return nil
}

// writeFamilyPeople sets what a family names among the persons: its
// householder and its convivenza's responsible.
func writeFamilyPeople(ctx context.Context, tx *sql.Tx, d Doc) error {
	var f familyFields
	if err := decodeFields(d.Fields, &f); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed family", nil)
	}
	householder, err := optionalID(ctx, tx, "person", f.Householder)
	if err != nil {
		return err
	}
	id, err := rowIDOf(ctx, tx, "family", d.UID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE family SET householder_id = ? WHERE id = ? AND householder_id IS NOT ?`, householder, id, householder); err != nil {
		return fmt.Errorf("write family: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM convivenza WHERE family_id = ?`, id); err != nil {
		return fmt.Errorf("write family: %w", err)
	}
	if c := f.Convivenza; c != nil {
		responsible, err := optionalID(ctx, tx, "person", c.ResponsibleUID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertConvivenzaSQL, id, c.Name, c.Species, c.Responsible, responsible); err != nil {
			return fmt.Errorf("write family: %w", err)
		}
	}
	return nil
}

func writePerson(ctx context.Context, tx *sql.Tx, d Doc, cur Doc, updatedAt string) error {
	var p personFields
	if err := decodeFields(d.Fields, &p); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed person", nil)
	}
	changed := func(field string) bool {
		return cur.Fields == nil || !registry.SameJSON(cur.Fields[field], d.Fields[field])
	}
	rowChanged := false
	for _, f := range personRowFields {
		rowChanged = rowChanged || changed(f)
	}
	if !rowChanged {
		// Only the lists or the version: the row's names and search
		// index stay as they are.
		if _, err := tx.ExecContext(ctx, `UPDATE person SET version = ?, updated_at = ? WHERE uid = ?`, d.Version, updatedAt, d.UID); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	} else {
		family, err := refID(ctx, tx, "family", p.Family)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO person(uid, cf, cf_base, cf_checked, surname, name, surname_key, name_key, surname_fts, name_fts,
sex, birth_date, birth_place, birth_place_name, civil_status, status, status_since, family_id, relationship, version, updated_at,
cancel_reason, status_place, status_place_name)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(uid) DO UPDATE SET cf = excluded.cf, cf_base = excluded.cf_base, cf_checked = excluded.cf_checked,
 surname = excluded.surname, name = excluded.name, surname_key = excluded.surname_key, name_key = excluded.name_key,
 surname_fts = excluded.surname_fts, name_fts = excluded.name_fts, sex = excluded.sex, birth_date = excluded.birth_date,
 birth_place = excluded.birth_place, birth_place_name = excluded.birth_place_name, civil_status = excluded.civil_status,
 status = excluded.status, status_since = excluded.status_since, family_id = excluded.family_id,
 relationship = excluded.relationship, version = excluded.version, updated_at = excluded.updated_at,
 cancel_reason = excluded.cancel_reason, status_place = excluded.status_place, status_place_name = excluded.status_place_name`,
			d.UID, p.CF, cfBase(p.CF), p.CFChecked, p.Surname, p.Name, registry.SearchKey(p.Surname), registry.SearchKey(p.Name),
			registry.SearchTokens(p.Surname), registry.SearchTokens(p.Name), p.Sex, p.BirthDate, p.BirthPlace, p.BirthPlaceName,
			p.CivilStatus, p.Status, p.StatusSince, family, p.Relationship, d.Version, updatedAt,
			p.CancelReason, p.StatusPlace, p.StatusPlaceName)
		if err != nil {
			if isUniqueViolation(err) {
				return fault.New(fault.Conflict, "Another person in the register has the codice fiscale {{.CF}}", map[string]any{"CF": p.CF})
			}
			return fmt.Errorf("write person: %w", err)
		}
	}
	id, err := rowIDOf(ctx, tx, "person", d.UID)
	if err != nil {
		return err
	}
	return writePersonLists(ctx, tx, id, p, changed)
}

// personRowFields are the document fields kept in the person row itself.
var personRowFields = []string{"cf", "cf_checked", "surname", "name", "sex", "birth_date", "birth_place", "birth_place_name",
	"civil_status", "status", "status_since", "family", "relationship", "cancel_reason", "status_place", "status_place_name"}

// sameFields reports whether two documents' fields hold the same values.
func sameFields(a, b registry.Fields) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !registry.SameJSON(v, b[k]) {
			return false
		}
	}
	return true
}

// writePersonLists replaces the person's lists that changed with the
// document's.
func writePersonLists(ctx context.Context, tx *sql.Tx, id int64, p personFields, changed func(field string) bool) error {
	lists := []struct{ field, table string }{{"citizenship", "citizenship"}, {"residences", "residence"}, {"civil_events", "civil_event"},
		{"documents", "identity_document"}, {"electoral", "electoral_registration"}, {"memberships", "family_member"}}
	for _, l := range lists {
		if !changed(l.field) {
			continue
		}
		// table is one of the constant names above.
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+l.table+` WHERE person_id = ?`, id); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	if !changed("citizenship") {
		p.Citizenship = nil
	}
	if !changed("residences") {
		p.Residences = nil
	}
	if !changed("civil_events") {
		p.CivilEvents = nil
	}
	if !changed("documents") {
		p.Documents = nil
	}
	if !changed("electoral") {
		p.Electoral = nil
	}
	if !changed("memberships") {
		p.Memberships = nil
	}
	for _, code := range p.Citizenship {
		if _, err := tx.ExecContext(ctx, insertCitizenshipSQL, id, code); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	for _, r := range p.Residences {
		address, err := refID(ctx, tx, "address", &r.Address)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, ?, ?, 1)`,
			id, address, r.From, r.To, r.Reason); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	for _, e := range p.CivilEvents {
		other, err := optionalID(ctx, tx, "person", e.Other)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO civil_event(uid, person_id, kind, date, place, other_person_id, other_name, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			e.UID, id, e.Kind, e.Date, e.Place, other, e.OtherName); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	for _, doc := range p.Documents {
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_document(uid, person_id, kind, number, issued_on, expires_on, issued_by, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)`,
			doc.UID, id, doc.Kind, doc.Number, doc.IssuedOn, doc.ExpiresOn, doc.IssuedBy); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	if e := p.Electoral; e != nil {
		if _, err := tx.ExecContext(ctx, insertElectoralSQL, id, e.Section, e.ListNumber, e.RegisteredOn); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	for _, m := range p.Memberships {
		family, err := refID(ctx, tx, "family", &m.Family)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO family_member(family_id, person_id, relationship, from_date, to_date) VALUES (?, ?, ?, ?, ?)`,
			family, id, m.Relationship, m.From, m.To); err != nil {
			return fmt.Errorf("write person: %w", err)
		}
	}
	return nil
}

// writeDeskKey adds another desk's public key; a key already known (this
// desk's own among them) stays as it is but for its revocation, which is
// written once and never undone.
func writeDeskKey(ctx context.Context, tx *sql.Tx, d Doc, at string) error {
	var k struct {
		DeskCode  string  `json:"desk_code"`
		PublicKey string  `json:"public_key"`
		RevokedAt *string `json:"revoked_at"`
	}
	if err := decodeFields(d.Fields, &k); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed desk key", nil)
	}
	pub, err := hex.DecodeString(k.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize || certificate.KeyID(pub) != d.UID {
		return fault.New(fault.Invalid, "The sync data holds a malformed desk key", nil)
	}
	var revoked any
	if k.RevokedAt != nil {
		if _, err := time.Parse(time.RFC3339Nano, *k.RevokedAt); err != nil {
			return fault.New(fault.Invalid, "The sync data holds a malformed desk key", nil)
		}
		revoked = *k.RevokedAt
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_key(key_id, desk_code, public_key, private_key, created_at, revoked_at) VALUES (?, ?, ?, NULL, ?, ?)
ON CONFLICT(key_id) DO UPDATE SET revoked_at = coalesce(revoked_at, excluded.revoked_at)`,
		d.UID, k.DeskCode, pub, at, revoked); err != nil {
		return fmt.Errorf("write desk key: %w", err)
	}
	return nil
}

// Document reads the current document of an entity (person, family,
// address); ok is false when the register does not hold it.
func (s *Store) Document(ctx context.Context, entity, uid string) (d Doc, ok bool, err error) {
	return readDoc(ctx, s.r, DocKey{entity, uid})
}

// writeUser writes a clerk. A desk that had its own user of the same name
// (a demo desk joining a server) takes the server's.
func writeUser(ctx context.Context, tx *sql.Tx, d Doc, at string) error {
	var u struct {
		Username     string `json:"username"`
		FullName     string `json:"full_name"`
		Role         string `json:"role"`
		PasswordHash string `json:"password_hash"`
	}
	if err := decodeFields(d.Fields, &u); err != nil || u.Username == "" || !access.Role(u.Role).Valid() {
		return fault.New(fault.Invalid, "The sync data holds a malformed user", nil)
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET uid = ?, username = ?, full_name = ?, role = ?, password_hash = ?, version = ?
WHERE uid = ? OR username = ?`, d.UID, u.Username, u.FullName, u.Role, u.PasswordHash, d.Version, d.UID, u.Username)
	if err != nil {
		return fmt.Errorf("write user: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO users(uid, username, full_name, role, password_hash, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.UID, u.Username, u.FullName, u.Role, u.PasswordHash, d.Version, at); err != nil {
		return fmt.Errorf("write user: %w", err)
	}
	return nil
}
