package store

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// The server's side of sync: the desks it trusts, the mutations they push,
// and the change log they pull. The server's file has the desk's schema;
// these functions are what sportellod calls on it.

// MetaEpoch is the server's epoch: made when its file is created and made
// again in every backup copy, so a server restored from a backup has an
// epoch its desks have not seen, and they push again what it lost.
const MetaEpoch = "sync_epoch"

// Push statuses.
const (
	PushApplied  = "applied"  // applied as sent
	PushMerged   = "merged"   // applied beside changes made meanwhile on other fields
	PushConflict = "conflict" // applied but for fields changed two ways: see Conflicts
	PushRejected = "rejected" // refused, with the reason in Error
)

// PushResult is what the server answers for one mutation; a replayed
// mutation gets the same result again.
type PushResult struct {
	MutationID string           `json:"mutation_id"`
	Seq        int64            `json:"seq"`
	Status     string           `json:"status"`
	Error      string           `json:"error,omitempty"`      // a message key, as fault's
	ErrorArgs  map[string]any   `json:"error_args,omitempty"` // its template arguments
	Conflicts  []EntityConflict `json:"conflicts,omitempty"`
}

// EntityConflict is a field of an entity changed two ways.
type EntityConflict struct {
	Entity string `json:"entity"`
	UID    string `json:"uid"`
	registry.FieldConflict
}

// Epoch returns the server's epoch, making one the first time.
func (s *Store) Epoch(ctx context.Context) (string, error) {
	epoch, err := s.Meta(ctx, MetaEpoch)
	if err != nil || epoch != "" {
		return epoch, err
	}
	epoch = newUID()
	if _, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)`, MetaEpoch, epoch); err != nil {
		return "", fmt.Errorf("epoch: %w", err)
	}
	return s.Meta(ctx, MetaEpoch)
}

// EnrolCodeTTL is how long a one-time enrolment code stays valid.
const EnrolCodeTTL = 24 * time.Hour

// NewEnrolCode makes a one-time code with which the desk deskCode may enrol.
// Only its hash is kept.
func (s *Store) NewEnrolCode(ctx context.Context, operator, deskCode string) (string, error) {
	deskCode = strings.ToUpper(strings.TrimSpace(deskCode))
	if deskCode == "" {
		return "", fault.New(fault.Invalid, "The desk code is required", nil)
	}
	if deskCode == certificate.OnlineDesk {
		return "", fault.New(fault.Invalid, "The desk code {{.Code}} numbers the certificates of the online channel: choose another", map[string]any{"Code": deskCode})
	}
	code, err := oneTimeCode()
	if err != nil {
		return "", err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	now := s.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_enrol_code(code_hash, desk_code, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		codeHash(code), deskCode, timestamp(now), timestamp(now.Add(EnrolCodeTTL))); err != nil {
		return "", fmt.Errorf("enrolment code: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "desk.enrol_code", Entity: "desk", EntityUID: deskCode}); err != nil {
		return "", err
	}
	return code, tx.Commit()
}

func codeHash(code string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))))
	return hex.EncodeToString(sum[:])
}

// EnrolledDesk is a desk the server trusts (or trusted, when revoked).
type EnrolledDesk struct {
	DeskID     string
	DeskCode   string
	KeyID      string
	PublicKey  ed25519.PublicKey
	LastSeq    int64
	EnrolledAt string // UTC timestamp
	RevokedAt  string // UTC timestamp; "" while trusted
}

// Enrol trusts the desk that presents a valid unused code for its desk
// code, with its public key (the key that seals its certificates and signs
// its requests). An enrolment never touches another desk: a desk id
// enrolled under another desk code, a desk code another desk holds, and a
// key the server knows for another desk are refused. The same desk (same
// id, same desk code) enrolling again with a fresh code and the key it is
// enrolled with changes nothing: its key, seq and history stay; with
// another key it is refused, because a key changes only by rotation
// signed with the current key (RotateKey). A revoked desk never enrols
// again; its replacement takes a new desk code.
func (s *Store) Enrol(ctx context.Context, code, deskID, deskCode string, pub ed25519.PublicKey) (EnrolledDesk, error) {
	deskCode = strings.ToUpper(strings.TrimSpace(deskCode))
	if len(pub) != ed25519.PublicKeySize || deskID == "" || deskCode == "" {
		return EnrolledDesk{}, fault.New(fault.Invalid, "The enrolment request is incomplete", nil)
	}
	if deskCode == certificate.OnlineDesk {
		return EnrolledDesk{}, fault.New(fault.Invalid, "The desk code {{.Code}} numbers the certificates of the online channel: choose another", map[string]any{"Code": deskCode})
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return EnrolledDesk{}, err
	}
	defer tx.Rollback()
	now := s.now()
	var forDesk, expires string
	var used sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT desk_code, expires_at, used_at FROM sync_enrol_code WHERE code_hash = ?`, codeHash(code)).Scan(&forDesk, &expires, &used)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && used.Valid, err == nil && expires < timestamp(now):
		return EnrolledDesk{}, fault.New(fault.Forbidden, "The enrolment code is not valid: ask the administrator for a new one", nil)
	case err != nil:
		return EnrolledDesk{}, fmt.Errorf("enrol: %w", err)
	case forDesk != deskCode:
		return EnrolledDesk{}, fault.New(fault.Forbidden, "The enrolment code was issued for desk {{.Code}}", map[string]any{"Code": forDesk})
	}
	if err := s.enrolDesk(ctx, tx, deskID, deskCode, pub, now, "desk.enrol"); err != nil {
		return EnrolledDesk{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_enrol_code SET used_at = ?, used_by = ? WHERE code_hash = ?`, timestamp(now), deskID, codeHash(code)); err != nil {
		return EnrolledDesk{}, fmt.Errorf("enrol: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return EnrolledDesk{}, fmt.Errorf("enrol: %w", err)
	}
	return s.Desk(ctx, deskID)
}

// enrolDesk trusts deskID as deskCode with pub within tx, after the caller
// checked what vouches for it (a one-time code, a receipt); action names
// the audit entry. A desk already enrolled as deskCode with pub is left as
// it is.
func (s *Store) enrolDesk(ctx context.Context, tx *sql.Tx, deskID, deskCode string, pub ed25519.PublicKey, now time.Time, action string) error {
	keyID := certificate.KeyID(pub)
	var heldCode, heldKey string
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT desk_code, key_id, revoked_at FROM sync_desk WHERE desk_id = ?`, deskID).Scan(&heldCode, &heldKey, &revoked)
	switch {
	case err == nil && heldCode != deskCode:
		return fault.New(fault.Conflict, "This desk is enrolled as desk {{.Code}}: it cannot enrol as another desk", map[string]any{"Code": heldCode})
	case err == nil && revoked.Valid:
		return errRevokedDesk(heldCode, revoked.String)
	case err == nil && heldKey != keyID:
		return fault.New(fault.Forbidden, "Desk {{.Code}} is enrolled with another key: a desk changes its key only by rotating it with its current key", map[string]any{"Code": deskCode})
	case err == nil:
		return appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: action + "_again", Entity: "desk", EntityUID: deskID,
			Detail: fmt.Sprintf(`{"desk_code":%q,"key_id":%q}`, deskCode, keyID)})
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("enrol: %w", err)
	}
	var other string
	err = tx.QueryRowContext(ctx, `SELECT desk_id, revoked_at FROM sync_desk WHERE desk_code = ?`, deskCode).Scan(&other, &revoked)
	switch {
	case err == nil && revoked.Valid:
		return errRevokedDesk(deskCode, revoked.String)
	case err == nil:
		return fault.New(fault.Conflict, "Another desk is enrolled with the code {{.Code}}", map[string]any{"Code": deskCode})
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("enrol: %w", err)
	}
	if err := keyIsNew(ctx, tx, keyID, deskCode); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_desk(desk_id, desk_code, key_id, public_key, enrolled_at) VALUES (?, ?, ?, ?, ?)`,
		deskID, deskCode, keyID, []byte(pub), timestamp(now)); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if err := trustDeskKey(ctx, tx, deskID, deskCode, pub, now); err != nil {
		return err
	}
	return appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: action, Entity: "desk", EntityUID: deskID,
		Detail: fmt.Sprintf(`{"desk_code":%q,"key_id":%q}`, deskCode, keyID)})
}

// keyIsNew refuses a key the server already knows for another desk, or
// knows as revoked.
func keyIsNew(ctx context.Context, tx *sql.Tx, keyID, deskCode string) error {
	var code string
	var revoked sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT desk_code, revoked_at FROM desk_key WHERE key_id = ?`, keyID).Scan(&code, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("enrol: %w", err)
	case revoked.Valid:
		return errRevokedDesk(code, revoked.String)
	case code != deskCode:
		return fault.New(fault.Conflict, "This key belongs to another desk: a desk enrols with a key of its own", nil)
	}
	return nil
}

// trustDeskKey adds a desk's key to the keys every desk trusts: it seals
// the desk's certificates, and desks learn it by pulling. The server
// records which desk it took the key from (sync_desk_key): only those keys,
// and its own, verify seals at the server.
func trustDeskKey(ctx context.Context, tx *sql.Tx, deskID, deskCode string, pub ed25519.PublicKey, now time.Time) error {
	keyID := certificate.KeyID(pub)
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_desk_key(key_id, desk_id, trusted_at) VALUES (?, ?, ?)`, keyID, deskID, timestamp(now)); err != nil {
		return fmt.Errorf("trust desk key: %w", err)
	}
	if err := writeDeskKey(ctx, tx, Doc{Entity: docDeskKey, UID: keyID, Fields: registry.Fields{
		"desk_code": mustJSON(deskCode), "public_key": mustJSON(hex.EncodeToString(pub)),
	}}, timestamp(now)); err != nil {
		return err
	}
	return logServerChange(ctx, tx, DocKey{docDeskKey, keyID}, now)
}

// errRevokedDesk is the refusal of a revoked desk.
func errRevokedDesk(code, at string) error {
	return fault.New(fault.Forbidden, "Desk {{.Code}} was revoked at the server on {{.Date}}: ask the administrator; a replacement desk enrols under a new desk code",
		map[string]any{"Code": code, "Date": italianDay(at)})
}

// italianDay writes a UTC timestamp as its day in Rome, dd/mm/yyyy.
func italianDay(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return registry.DateOf(t.In(registry.Rome)).Italian()
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Desk returns an enrolled desk; fault.Forbidden when the server does not
// know it or revoked it, with the reason.
func (s *Store) Desk(ctx context.Context, deskID string) (EnrolledDesk, error) {
	d, err := s.desk(ctx, deskID)
	if err == nil && d.RevokedAt != "" {
		return d, errRevokedDesk(d.DeskCode, d.RevokedAt)
	}
	return d, err
}

// desk reads an enrolled desk, revoked or not.
func (s *Store) desk(ctx context.Context, deskID string) (EnrolledDesk, error) {
	d := EnrolledDesk{DeskID: deskID}
	var pub []byte
	var revoked sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT desk_code, key_id, public_key, last_seq, enrolled_at, revoked_at FROM sync_desk WHERE desk_id = ?`, deskID).
		Scan(&d.DeskCode, &d.KeyID, &pub, &d.LastSeq, &d.EnrolledAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fault.New(fault.Forbidden, "This desk is not enrolled at the server", nil)
	}
	if err != nil {
		return d, fmt.Errorf("desk: %w", err)
	}
	d.PublicKey, d.RevokedAt = pub, revoked.String
	return d, nil
}

// logServerChange appends k to the change log desks pull. origin is the
// desk that already holds the entity as written ("" for none): it skips
// the entry when it pulls.
func logServerChange(ctx context.Context, tx *sql.Tx, k DocKey, now time.Time, origin ...string) error {
	var from any
	if len(origin) > 0 && origin[0] != "" {
		from = origin[0]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO change_log(entity, entity_uid, at, origin) VALUES (?, ?, ?, ?)`, k.Entity, k.UID, timestamp(now), from); err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	return nil
}

// LogLoadedRegister puts every person, family and address of the register
// in the change log: sportellod calls it after a seed or an import, so desks
// already running pull what was loaded.
func (s *Store) LogLoadedRegister(ctx context.Context) error {
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := timestamp(s.now())
	for _, q := range []string{
		`INSERT INTO change_log(entity, entity_uid, at) SELECT 'address', uid, ? FROM address ORDER BY id`,
		`INSERT INTO change_log(entity, entity_uid, at) SELECT 'family', uid, ? FROM family ORDER BY id`,
		`INSERT INTO change_log(entity, entity_uid, at) SELECT 'person', uid, ? FROM person ORDER BY id`,
		`DELETE FROM sync_touched`,
	} {
		if _, err := tx.ExecContext(ctx, q, at); err != nil {
			return fmt.Errorf("change log: %w", err)
		}
	}
	return tx.Commit()
}

// mutationHash is the hash of what a mutation says, to tell a replay from
// another mutation reusing its id.
func mutationHash(m Mutation) string {
	h := sha256.New()
	for _, part := range []string{m.MutationID, fmt.Sprint(m.Seq), m.DeskID, m.Operator, m.Entity, m.EntityUID, m.Op,
		fmt.Sprint(m.BaseVersion), string(m.Payload), string(m.Docs), m.CreatedAt} {
		fmt.Fprintf(h, "%d:%s|", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ErrSeqGap is returned by ApplyPush when a batch does not follow the last
// mutation the server holds from the desk; LastSeq says where to resume.
type ErrSeqGap struct{ LastSeq int64 }

func (e ErrSeqGap) Error() string {
	return fmt.Sprintf("push: the server expects mutation %d next", e.LastSeq+1)
}

// ApplyPush applies a desk's batch in one transaction, in seq order: a
// mutation already received returns its stored result, one reusing an id
// with other content is refused, each new one must follow the desk's last
// seq. A mutation the server refuses is recorded as rejected with the
// reason, and the batch goes on. It returns the results and the desk's
// last seq; a batch that does not follow the last seq applies up to the
// gap and returns ErrSeqGap.
func (s *Store) ApplyPush(ctx context.Context, deskID string, batch []Mutation) ([]PushResult, int64, error) {
	pb, err := newPushBatch(batch)
	if err != nil {
		return nil, 0, err
	}
	tx, err := s.begin(ctx, "sportellod")
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var lastSeq int64
	err = tx.QueryRowContext(ctx, `SELECT last_seq FROM sync_desk WHERE desk_id = ?`, deskID).Scan(&lastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fault.New(fault.Forbidden, "This desk is not enrolled at the server", nil)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("push: %w", err)
	}
	now := s.now()
	var results []PushResult
	var gap error
	for _, m := range batch {
		if m.DeskID != deskID {
			return nil, 0, fault.New(fault.Forbidden, "A mutation of another desk was sent", nil)
		}
		hash := mutationHash(m)
		var storedHash, storedResult string
		err := tx.QueryRowContext(ctx, `SELECT sha256, result FROM sync_mutation WHERE mutation_id = ?`, m.MutationID).Scan(&storedHash, &storedResult)
		switch {
		case err == nil && storedHash == hash:
			var r PushResult
			if err := json.Unmarshal([]byte(storedResult), &r); err != nil {
				return nil, 0, fmt.Errorf("push: stored result: %w", err)
			}
			results = append(results, r)
			continue
		case err == nil:
			results = append(results, rejected(m, fault.New(fault.Conflict, "Another change with the same id and different content was already received", nil)))
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return nil, 0, fmt.Errorf("push: %w", err)
		}
		if m.Seq <= lastSeq {
			results = append(results, rejected(m, fault.New(fault.Conflict, "The sequence number was already used by another change of this desk", nil)))
			continue
		}
		if m.Seq != lastSeq+1 {
			gap = ErrSeqGap{LastSeq: lastSeq}
			break
		}
		r, err := s.applyMutation(ctx, tx, pb, deskID, m, now)
		if err != nil {
			return nil, 0, err
		}
		result, _ := json.Marshal(r)
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_mutation(desk_id, seq, mutation_id, sha256, entity, entity_uid, op, operator, payload, status, result, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, deskID, m.Seq, m.MutationID, hash, m.Entity, m.EntityUID, m.Op, m.Operator,
			string(m.Payload), r.Status, string(result), timestamp(now)); err != nil {
			return nil, 0, fmt.Errorf("push: %w", err)
		}
		lastSeq = m.Seq
		results = append(results, r)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_desk SET last_seq = ?, last_seen = ? WHERE desk_id = ?`, lastSeq, timestamp(now), deskID); err != nil {
		return nil, 0, fmt.Errorf("push: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("push: %w", err)
	}
	return results, lastSeq, gap
}

// applyMutation authorises one mutation (store/syncauth.go) and applies its
// effect within a savepoint, with an audit entry: a refusal undoes what it
// wrote and becomes a rejected result; other errors abort the batch.
func (s *Store) applyMutation(ctx context.Context, tx *sql.Tx, pb *pushBatch, deskID string, m Mutation, now time.Time) (PushResult, error) {
	r := PushResult{MutationID: m.MutationID, Seq: m.Seq, Status: PushApplied}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT mutation`); err != nil {
		return r, fmt.Errorf("push: %w", err)
	}
	role, noop, err := authorise(ctx, tx, pb, deskID, m, now)
	if err == nil && !noop {
		err = s.applyEffect(ctx, tx, m, role, now, &r)
	}
	if err == nil {
		err = appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: m.Operator, Action: m.Entity + "." + m.Op, Entity: m.Entity,
			EntityUID: m.EntityUID, MutationID: m.MutationID, Detail: fmt.Sprintf(`{"desk":%q,"seq":%d,"status":%q}`, deskID, m.Seq, r.Status)})
	}
	var f *fault.Error
	switch {
	case err == nil:
		_, err = tx.ExecContext(ctx, `RELEASE mutation`)
		return r, err
	case errors.As(err, &f):
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO mutation`); err != nil {
			return r, fmt.Errorf("push: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `RELEASE mutation`); err != nil {
			return r, fmt.Errorf("push: %w", err)
		}
		return rejected(m, f), nil
	default:
		return r, err
	}
}

func rejected(m Mutation, f *fault.Error) PushResult {
	return PushResult{MutationID: m.MutationID, Seq: m.Seq, Status: PushRejected, Error: f.Message, ErrorArgs: f.Args}
}

// applyEffect does what the mutation says on the server's register, once
// authorise let it through: the documents merged field by field, checked
// by the domain's rules (validateDocs), the person rows they replace kept in
// person_version. Other mutations (certificates issued, tickets, cash) are
// kept as received in sync_mutation, the server's register of them.
func (s *Store) applyEffect(ctx context.Context, tx *sql.Tx, m Mutation, role access.Role, now time.Time, r *PushResult) error {
	if err := checkCertificate(ctx, tx, m.DeskID, m); err != nil {
		return err
	}
	if m.Entity == accessEntity {
		return applyAccessView(ctx, tx, m)
	}
	if len(m.Docs) == 0 {
		return nil
	}
	var ed EditDocs
	if err := json.Unmarshal(m.Docs, &ed); err != nil {
		return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
	}
	before := map[DocKey]Doc{}
	for _, d := range ed.Before {
		before[d.key()] = d
	}
	var write []Doc
	known := map[DocKey]Doc{}
	echo := map[DocKey]bool{} // written exactly as the desk holds it
	applied := map[DocKey][]string{}
	merged := false
	for _, after := range ed.After {
		if _, social := socialTableOf(after.Entity); !social && after.Entity != docPerson && after.Entity != docFamily &&
			after.Entity != docAddress && after.Entity != docUser {
			return fault.New(fault.Invalid, "The sync data holds an unknown kind of record", nil)
		}
		if err := CheckSocialDesk(ctx, tx, m.DeskID, after.Entity); err != nil {
			return err
		}
		theirs, exists, err := readDoc(ctx, tx, after.key())
		if err != nil {
			return err
		}
		if exists {
			known[after.key()] = theirs
		}
		base, hadBase := before[after.key()]
		if !exists {
			echo[after.key()] = after.Version >= 1
			after.Version = max(after.Version, 1)
			write = append(write, after)
			continue
		}
		out, set, conflicts := registry.Merge(base.Fields, after.Fields, theirs.Fields)
		if hadBase && theirs.Version != base.Version {
			merged = true
		}
		for _, c := range conflicts {
			r.Conflicts = append(r.Conflicts, EntityConflict{Entity: after.Entity, UID: after.UID, FieldConflict: c})
		}
		if len(set) > 0 {
			applied[after.key()] = set
			// The desk holds what is written when nobody changed the
			// entity since its base.
			echo[after.key()] = hadBase && theirs.Version == base.Version && len(conflicts) == 0 && after.Version == theirs.Version+1
			write = append(write, Doc{Entity: after.Entity, UID: after.UID, Version: theirs.Version + 1, Fields: out})
			continue
		}
		// Nothing to write, but the desk holds its own version (its values
		// in a conflict, its own version number): it pulls the server's.
		if err := logServerChange(ctx, tx, after.key(), now); err != nil {
			return err
		}
	}
	if err := validateDocs(m, role, write, applied); err != nil {
		return err
	}
	for _, d := range write {
		if err := uniqueCF(ctx, tx, d); err != nil {
			return err
		}
	}
	if err := keepPersonVersions(ctx, tx, write, known, now); err != nil {
		return err
	}
	if err := writeDocsKnown(ctx, tx, write, timestamp(now), known); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_touched`); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	for _, d := range write {
		origin := ""
		if echo[d.key()] {
			origin = m.DeskID
		}
		if err := logServerChange(ctx, tx, d.key(), now, origin); err != nil {
			return err
		}
	}
	switch {
	case len(r.Conflicts) > 0:
		r.Status = PushConflict
	case merged:
		r.Status = PushMerged
	}
	return nil
}

// uniqueCF refuses a person whose codice fiscale another person of the
// register has: two desks that registered the same person offline, or a
// correction that collides. Only the server checks: a desk takes what the
// server holds.
func uniqueCF(ctx context.Context, tx *sql.Tx, d Doc) error {
	if d.Entity != docPerson {
		return nil
	}
	var cf string
	if json.Unmarshal(d.Fields["cf"], &cf) != nil || cf == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM person WHERE cf_base = ? AND cf = ? AND uid <> ?`, cfBase(cf), cf, d.UID).Scan(&n); err != nil {
		return fmt.Errorf("push: %w", err)
	}
	if n > 0 {
		return fault.New(fault.Conflict, "Another person in the register has the codice fiscale {{.CF}}", map[string]any{"CF": cf})
	}
	return nil
}

// ChangePage is a page of the change log: the current documents of the
// entities that changed after the cursor, with what they name (a person's
// family and addresses, a family's address and householder), and the
// cursor to ask from next.
type ChangePage struct {
	Epoch  string `json:"epoch"`
	Cursor int64  `json:"cursor"`
	More   bool   `json:"more"`
	Docs   []Doc  `json:"docs"`
}

// Changes returns the page of at most limit change-log entries after
// cursor, for the desk deskID: entries it caused itself, and holds as
// written, are left out ("" asks for all).
func (s *Store) Changes(ctx context.Context, after int64, limit int, deskID string) (ChangePage, error) {
	epoch, err := s.Epoch(ctx)
	if err != nil {
		return ChangePage{}, err
	}
	page := ChangePage{Epoch: epoch, Cursor: after}
	social, err := s.DeskSocial(ctx, deskID)
	if err != nil {
		return page, err
	}
	// One read transaction: the documents are read as of the same moment
	// as the log.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return page, fmt.Errorf("changes: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT seq, entity, entity_uid, coalesce(origin, '') FROM change_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return page, fmt.Errorf("changes: %w", err)
	}
	type entry struct {
		seq int64
		key DocKey
	}
	var entries []entry
	n := 0
	for rows.Next() {
		var e entry
		var origin string
		if err := rows.Scan(&e.seq, &e.key.Entity, &e.key.UID, &origin); err != nil {
			rows.Close()
			return page, fmt.Errorf("changes: %w", err)
		}
		n++
		page.Cursor = e.seq
		if origin != "" && origin == deskID || !social && isSocialEntity(e.key.Entity) {
			continue
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("changes: %w", err)
	}
	page.More = n == limit
	// Each entry brings its document and what that names; a page stops
	// after the entry that takes it past MaxPageBytes (documents received
	// by the social desk can be megabytes each).
	seen := map[DocKey]bool{}
	size := 0
	for i, e := range entries {
		keys := []DocKey{e.key}
		for len(keys) > 0 {
			k := keys[0]
			keys = keys[1:]
			if seen[k] || !social && isSocialEntity(k.Entity) {
				continue
			}
			seen[k] = true
			d, ok, err := readDoc(ctx, tx, k)
			if err != nil {
				return page, err
			}
			if !ok {
				continue
			}
			page.Docs = append(page.Docs, d)
			for _, f := range d.Fields {
				size += len(f)
			}
			keys = append(keys, references(d)...)
		}
		if size > MaxPageBytes && i < len(entries)-1 {
			page.Cursor, page.More = e.seq, true
			break
		}
	}
	return page, nil
}

// MaxPageBytes is about how much document data a page of changes carries
// before it stops (a single larger entry still goes whole).
const MaxPageBytes = 16 << 20

// references lists what a document names and a desk needs to write it.
func references(d Doc) []DocKey {
	var out []DocKey
	add := func(entity string, raw json.RawMessage) {
		var uid string
		if json.Unmarshal(raw, &uid) == nil && uid != "" {
			out = append(out, DocKey{entity, uid})
		}
	}
	switch d.Entity {
	case docPerson:
		add(docFamily, d.Fields["family"])
		var lists struct {
			Residences  []residenceField  `json:"residences"`
			Memberships []membershipField `json:"memberships"`
			CivilEvents []civilEventField `json:"civil_events"`
		}
		if decodeFields(registry.Fields{"residences": d.Fields["residences"], "memberships": d.Fields["memberships"],
			"civil_events": d.Fields["civil_events"]}, &lists) == nil {
			for _, e := range lists.CivilEvents {
				if e.Other != nil {
					out = append(out, DocKey{docPerson, *e.Other})
				}
			}
			for _, r := range lists.Residences {
				out = append(out, DocKey{docAddress, r.Address})
			}
			for _, m := range lists.Memberships {
				out = append(out, DocKey{docFamily, m.Family})
			}
		}
	case docFamily:
		add(docAddress, d.Fields["address"])
		add(docPerson, d.Fields["householder"])
	default:
		if t, ok := socialTableOf(d.Entity); ok {
			out = append(out, t.references(d)...)
		}
	}
	return out
}

// ChangeSeq is the last seq of the change log.
func (s *Store) ChangeSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM change_log`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("change log: %w", err)
	}
	return seq, nil
}

// Backup writes a consistent copy of the database to path (which must not
// exist) while the server runs, and gives the copy a new epoch: a server
// restored from it tells its desks it lost what came after.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fault.New(fault.Conflict, "The file {{.Path}} already exists: choose another name for the backup", map[string]any{"Path": path})
	}
	// The copy carries the key that signs enrolment receipts, so a server
	// restored from it recognises desks enrolled after it was made.
	if _, err := s.DeskKey(ctx); err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	takenAt := s.now()
	if _, err := s.w.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	copyDB, err := sql.Open("sqlite3", dsn(abs, [][2]string{{"_busy_timeout", busyTimeout}, {"mode", "rw"}}))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer copyDB.Close()
	if _, err := copyDB.ExecContext(ctx, setMetaSQL, MetaEpoch, newUID()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// The copy is marked: the store opened on it knows it runs on a
	// restored file (store/restore.go).
	if _, err := copyDB.ExecContext(ctx, setMetaSQL, metaBackupAt, timestamp(takenAt)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := copyDB.ExecContext(ctx, `DELETE FROM meta WHERE key IN (?, ?, ?, ?)`,
		metaRestoredAt, metaRestoreDay, metaRestoreTicket, metaRestoreEvent); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// RegisterDigest is a SHA-256 over every registry document (persons,
// families, addresses, with their versions) in uid order: two replicas
// with the same digest hold the same register.
func (s *Store) RegisterDigest(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, entity := range []string{docAddress, docFamily, docPerson} {
		// entity names a table of this file.
		rows, err := s.r.QueryContext(ctx, `SELECT uid FROM `+entity+` ORDER BY uid`)
		if err != nil {
			return "", fmt.Errorf("digest: %w", err)
		}
		var uids []string
		for rows.Next() {
			var uid string
			if err := rows.Scan(&uid); err != nil {
				rows.Close()
				return "", fmt.Errorf("digest: %w", err)
			}
			uids = append(uids, uid)
		}
		rows.Close()
		for _, uid := range uids {
			d, _, err := readDoc(ctx, s.r, DocKey{entity, uid})
			if err != nil {
				return "", err
			}
			fields, _ := json.Marshal(d.Fields)
			fmt.Fprintf(h, "%s|%s|%d|%s\n", entity, uid, d.Version, registry.CanonicalJSON(fields))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
