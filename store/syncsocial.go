package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"sportello/fault"
)

// The social desk's rows travel as documents too, one entity per row of
// each table: a case (with its declared household as a list), a visitor,
// and each consent record, document received, note, referral and
// appointment on its own, so that two desks adding notes to one case never
// meet as a conflict. Notes, documents and consent records are written
// once and never changed. The case-number counters stay on the desk that
// made them; the case-view log reaches the server as access_log mutations
// (access_sync.go). Only desks enabled for the social desk get these
// documents (socialdesk.go).

// socialTable describes how one social table becomes a document.
type socialTable struct {
	entity string
	table  string
	cols   []string          // plain columns, in order
	refs   map[string]string // column holding another table's row id -> that table (travels as its uid)
	blob   string            // a BLOB column, carried as hex; "" for none
	once   bool              // rows are never updated: a document already there is left alone
	list   *socialList       // rows of another table carried as one list field
}

// socialList is a child table carried whole as a field of its parent.
type socialList struct {
	field, table, parentCol, order string
	cols                           []string
}

// socialRefUID is the document field of a reference column: case_id travels
// as "case", visitor_id as "visitor".
func socialRefField(col string) string { return strings.TrimSuffix(col, "_id") }

var socialTables = []socialTable{
	{entity: "social_visitor", table: "social_visitor",
		cols: []string{"surname", "name", "cf", "birth_date", "phone", "email", "address", "created_at"}},
	{entity: "social_case", table: "social_case",
		cols: []string{"number", "person_uid", "person_name", "person_key", "type", "source", "referrer", "presenting_issue",
			"priority", "risks", "isee_cents", "isee_expiry", "next_step", "worker", "target_date", "phase", "opened_at",
			"closed_at", "closure_reason", "closure_note", "reopened", "created_by"},
		refs: map[string]string{"visitor_id": "social_visitor"},
		list: &socialList{field: "household", table: "social_household", parentCol: "case_id", order: "position",
			cols: []string{"position", "person_uid", "name", "relationship", "birth_date"}}},
	{entity: "social_consent", table: "social_consent", once: true,
		cols: []string{"given", "signed", "at", "recorded_by"}, refs: map[string]string{"case_id": "social_case"}},
	{entity: "social_document", table: "social_document", once: true, blob: "content",
		cols: []string{"kind", "name", "mime", "size", "sha256", "received_at", "received_by"}, refs: map[string]string{"case_id": "social_case"}},
	{entity: "social_note", table: "social_note", once: true,
		cols: []string{"author", "at", "text"}, refs: map[string]string{"case_id": "social_case"}},
	{entity: "social_referral", table: "social_referral",
		cols: []string{"service", "status", "follow_up", "note", "created_at", "created_by"}, refs: map[string]string{"case_id": "social_case"}},
	{entity: "social_appointment", table: "social_appointment",
		cols: []string{"worker", "at", "minutes", "place", "state", "ticket_uid", "created_at", "created_by"},
		refs: map[string]string{"case_id": "social_case"}},
}

// socialDocSQL is each social entity's document query, built once.
var socialDocSQL = func() map[string]string {
	m := make(map[string]string, len(socialTables))
	for _, t := range socialTables {
		m[t.entity] = t.docSQL()
	}
	return m
}()

// socialTableOf finds the description of a social entity.
func socialTableOf(entity string) (socialTable, bool) {
	for _, t := range socialTables {
		if t.entity == entity {
			return t, true
		}
	}
	return socialTable{}, false
}

// hasVersion reports whether the table keeps a row version.
func (t socialTable) hasVersion() bool { return !t.once }

// docSQL builds the query of one row's document. Names come from the
// constant descriptions above.
func (t socialTable) docSQL() string {
	var parts []string
	for _, c := range t.cols {
		parts = append(parts, "'"+c+"', r."+c)
	}
	for col, table := range t.refs {
		parts = append(parts, "'"+socialRefField(col)+"', (SELECT x.uid FROM "+table+" x WHERE x.id = r."+col+")")
	}
	if t.blob != "" {
		parts = append(parts, "'"+t.blob+"', hex(r."+t.blob+")")
	}
	if l := t.list; l != nil {
		var item []string
		for _, c := range l.cols {
			item = append(item, "'"+c+"', l."+c)
		}
		parts = append(parts, "'"+l.field+"', json((SELECT json_group_array(json_object("+strings.Join(item, ", ")+
			")) FROM (SELECT * FROM "+l.table+" WHERE "+l.parentCol+" = r.id ORDER BY "+l.order+") l))")
	}
	version := "1"
	if t.hasVersion() {
		version = "r.version"
	}
	return "SELECT " + version + ", json_object(" + strings.Join(parts, ", ") + ") FROM " + t.table + " r WHERE r.uid = ?"
}

// write puts a document's row in the table: inserted, or updated in place
// (left alone for rows written once), then its list replaced.
func (t socialTable) write(ctx context.Context, tx *sql.Tx, d Doc) error {
	malformed := fault.New(fault.Invalid, "The sync data holds a malformed social-desk record", nil)
	cols := []string{"uid"}
	args := []any{d.UID}
	for _, c := range t.cols {
		v, err := jsonValue(d.Fields[c])
		if err != nil {
			return malformed
		}
		cols, args = append(cols, c), append(args, v)
	}
	for col, table := range t.refs {
		var uid *string
		if err := json.Unmarshal(nullIfEmpty(d.Fields[socialRefField(col)]), &uid); err != nil {
			return malformed
		}
		id, err := refID(ctx, tx, table, uid)
		if err != nil {
			return err
		}
		cols, args = append(cols, col), append(args, id)
	}
	if t.blob != "" {
		var h string
		if err := json.Unmarshal(nullIfEmpty(d.Fields[t.blob]), &h); err != nil {
			return malformed
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			return malformed
		}
		cols, args = append(cols, t.blob), append(args, b)
	}
	if t.hasVersion() {
		cols, args = append(cols, "version"), append(args, d.Version)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	query := "INSERT INTO " + t.table + "(" + strings.Join(cols, ", ") + ") VALUES (" + marks + ")"
	if t.once {
		query += " ON CONFLICT(uid) DO NOTHING"
	} else {
		var set []string
		for _, c := range cols[1:] {
			set = append(set, c+" = excluded."+c)
		}
		query += " ON CONFLICT(uid) DO UPDATE SET " + strings.Join(set, ", ")
	}
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("write %s: %w", t.entity, err)
	}
	if t.list == nil {
		return nil
	}
	return t.writeList(ctx, tx, d, malformed)
}

// writeList replaces the rows of the document's list.
func (t socialTable) writeList(ctx context.Context, tx *sql.Tx, d Doc, malformed error) error {
	l := t.list
	id, err := rowIDOf(ctx, tx, t.table, d.UID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+l.table+" WHERE "+l.parentCol+" = ?", id); err != nil {
		return fmt.Errorf("write %s: %w", t.entity, err)
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(nullIfEmpty(d.Fields[l.field]), &items); err != nil {
		return malformed
	}
	marks := strings.Repeat(", ?", len(l.cols))
	query := "INSERT INTO " + l.table + "(" + l.parentCol + ", " + strings.Join(l.cols, ", ") + ") VALUES (?" + marks + ")"
	for _, item := range items {
		args := []any{id}
		for _, c := range l.cols {
			v, err := jsonValue(item[c])
			if err != nil {
				return malformed
			}
			args = append(args, v)
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("write %s: %w", t.entity, err)
		}
	}
	return nil
}

// references lists the rows a social document names.
func (t socialTable) references(d Doc) []DocKey {
	var out []DocKey
	for col, table := range t.refs {
		var uid string
		if json.Unmarshal(d.Fields[socialRefField(col)], &uid) == nil && uid != "" {
			out = append(out, DocKey{table, uid})
		}
	}
	return out
}

// jsonValue turns a JSON scalar into the value bound to a column: text,
// an integer when the number has no fraction, a float, or NULL.
func jsonValue(raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(nullIfEmpty(raw), &v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
		return x, nil
	}
	return nil, fmt.Errorf("not a scalar")
}

func nullIfEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}
