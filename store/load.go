package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"sync"

	"sportello/fault"
	"sportello/registry"
)

// Statements the bulk load shares with the single-row write paths.
const (
	insertFamilySQL = `INSERT INTO family(id, uid, householder_id, address_id, formed_on, version) VALUES (?, ?, ?, ?, ?, ?)`

	insertAddressSQL = `INSERT INTO address(id, uid, toponym, street, house_number, internal, postcode, place, street_key, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	insertResidenceSQL = `INSERT INTO residence(person_id, address_id, from_date, to_date, reason, version) VALUES (?, ?, ?, ?, ?, 1)`

	insertCivilEventSQL = `INSERT INTO civil_event(uid, person_id, kind, date, place, other_person_id, other_name, version)
VALUES (?, ?, ?, ?, ?, ?, ?, 1)`

	insertElectoralSQL = `INSERT INTO electoral_registration(person_id, section, list_number, registered_on) VALUES (?, ?, ?, ?)`

	insertFamilyMemberSQL = `INSERT INTO family_member(family_id, person_id, relationship, from_date, to_date) VALUES (?, ?, ?, ?, NULL)`

	insertConvivenzaSQL = `INSERT INTO convivenza(family_id, name, species, responsible, responsible_id) VALUES (?, ?, ?, ?, ?)`
)

// deferredSchemaSQL finds the indexes and triggers of the register's tables:
// the bulk load drops them and builds them again at the end from the very
// text the migration stored in sqlite_schema, so each definition lives in
// the migration only.
//
// Indexes whose keys a load writes in ascending order (the person's family,
// a residence's or event's person: rows are numbered household by household)
// stay: keeping them costs an append per row, less than sorting them at the
// end.
const deferredSchemaSQL = `SELECT type, name, sql FROM sqlite_schema
WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
AND tbl_name IN ('person', 'family', 'address', 'residence', 'civil_event', 'citizenship', 'electoral_registration',
                 'convivenza', 'family_member', 'identity_document')
AND name NOT IN ('person_family', 'residence_person', 'civil_event_person')
ORDER BY type, name`

// metaLoading is set while a bulk load runs; a file left with it (a load
// that failed or was killed) is refused at open.
const metaLoading = "load_incomplete"

// Load tuning, measured on a 3,000,000-person register (see BenchmarkLoad).
const (
	loadCommitEvery = 50_000 // persons per transaction
	loadBatchRows   = 8192   // rows handed from the planner to the writer at a time
	loadMultiRows   = 32     // rows per INSERT statement
	loadRowsCache   = 65536  // KiB of page cache while writing rows
	loadIndexCache  = 16384  // KiB of page cache while building indexes: the sorter spills sooner and sorts faster
	loadFTSHashSize = 256 << 20
	ftsHashSize     = 1 << 20 // FTS5's default
)

// loadPhase, when set (benchmarks), is told as each phase of a load ends.
var loadPhase func(phase string)

func phaseDone(phase string) {
	if loadPhase != nil {
		loadPhase(phase)
	}
}

// Load fills an empty register in bulk from a sequence of households (seed,
// import, snapshot bootstrap) and returns how many persons it loaded.
// progress, if not nil, is called with the running count after each
// commit. Load refuses a register that already holds persons. It writes no
// outbox rows (a snapshot is not a desk's change) and one audit entry.
//
// For speed it relaxes durability (synchronous OFF) and drops the register's
// indexes and search triggers while it loads, building them again at the
// end; an error part-way leaves a file that Open refuses: delete it and load
// again.
func (s *Store) Load(ctx context.Context, households iter.Seq2[registry.Household, error], progress func(people int)) (int, error) {
	if s.w == nil {
		return 0, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM person`).Scan(&n); err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	if n > 0 {
		return 0, fault.New(fault.Conflict, "The database already holds a register", nil)
	}

	restore, err := relaxPragmas(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	defer restore()

	defs, err := dropDeferred(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	plan, err := newPlanner(ctx, conn, timestamp(s.now()))
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	people, err := runLoad(ctx, conn, plan, households, progress)
	if ctx.Err() != nil {
		// A cancelled context rolls the transaction back under the
		// statements: report the cancellation, not what it broke.
		err = ctx.Err()
	}
	if err != nil {
		return people, fmt.Errorf("load: %w", err)
	}
	phaseDone("rows")
	if err := s.finishLoad(ctx, conn, defs, people); err != nil {
		return people, fmt.Errorf("load: %w", err)
	}
	return people, nil
}

// relaxPragmas trades durability for speed on the load's connection and
// returns the function that puts the previous values back.
func relaxPragmas(ctx context.Context, conn *sql.Conn) (func(), error) {
	relaxed := []struct {
		name  string
		value int
	}{
		{"synchronous", 0},
		{"cache_size", -loadRowsCache},
		{"threads", 2},
		{"foreign_keys", 0}, // the planner makes every reference; TestLoad checks them
	}
	var saved []string
	restore := func() {
		// Restore on a fresh context: a cancelled load must not leave the
		// writer with durability off.
		for _, stmt := range saved {
			conn.ExecContext(context.WithoutCancel(ctx), stmt)
		}
	}
	for _, p := range relaxed {
		var old int
		// Pragma names and values are constants of this function.
		if err := conn.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&old); err != nil {
			restore()
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA "+p.name+" = "+strconv.Itoa(p.value)); err != nil {
			restore()
			return nil, err
		}
		saved = append(saved, "PRAGMA "+p.name+" = "+strconv.Itoa(old))
	}
	return restore, nil
}

// schemaDef is an index or trigger as the migration created it.
type schemaDef struct{ kind, name, sql string }

// dropDeferred drops the register's indexes and triggers, marks the file as
// loading, and returns the definitions to build again.
func dropDeferred(ctx context.Context, conn *sql.Conn) ([]schemaDef, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, deferredSchemaSQL)
	if err != nil {
		return nil, err
	}
	var defs []schemaDef
	for rows.Next() {
		var d schemaDef
		if err := rows.Scan(&d.kind, &d.name, &d.sql); err != nil {
			rows.Close()
			return nil, err
		}
		defs = append(defs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range defs {
		// Names come from our own schema; DDL takes no arguments.
		if _, err := tx.ExecContext(ctx, "DROP "+strings.ToUpper(d.kind)+" "+quoteIdent(d.name)); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, setMetaSQL, metaLoading, "1"); err != nil {
		return nil, err
	}
	return defs, tx.Commit()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// finishLoad builds the indexes, triggers and search index again, each in
// its own transaction, then records the load in the audit log and clears
// the loading mark in a last one.
func (s *Store) finishLoad(ctx context.Context, conn *sql.Conn, defs []schemaDef, people int) error {
	for _, stmt := range []string{
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`PRAGMA cache_size = -` + strconv.Itoa(loadIndexCache),
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	for _, d := range defs {
		if _, err := conn.ExecContext(ctx, d.sql); err != nil {
			if isUniqueViolation(err) {
				return fault.New(fault.Invalid, "The data loaded holds the same identifier twice", nil)
			}
			return fmt.Errorf("build %s: %w", d.name, err)
		}
		phaseDone(d.name)
	}
	for _, stmt := range []string{
		`INSERT INTO person_fts(person_fts, rank) VALUES ('hashsize', ` + strconv.Itoa(loadFTSHashSize) + `)`,
		`INSERT INTO person_fts(person_fts) VALUES ('rebuild')`,
		`INSERT INTO person_fts(person_fts, rank) VALUES ('hashsize', ` + strconv.Itoa(ftsHashSize) + `)`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("build search index: %w", err)
		}
	}
	phaseDone("person_fts")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaLoading); err != nil {
		return err
	}
	err = appendAudit(ctx, tx, AuditEntry{
		At:       timestamp(s.now()),
		Operator: "system",
		Action:   "load",
		Entity:   "register",
		Detail:   fmt.Sprintf(`{"persons":%d}`, people),
	})
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, stmt := range []string{`PRAGMA optimize`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	phaseDone("finish")
	return nil
}

// The load runs on two goroutines, so that both cores work: the planner
// ranges over the households, validates them, numbers the rows and turns
// them into statement arguments; the writer only runs the statements.

// loadTable names a table the load writes, in the order the writer writes
// a batch (referenced rows first, though foreign keys are off).
type loadTable uint8

const (
	loadAddress loadTable = iota
	loadFamily
	loadPerson
	loadCitizenship
	loadResidence
	loadEvent
	loadElectoral
	loadConvivenza
	loadFamilyMember
	loadTables
)

// loadSQL is the single-row statement of each table.
var loadSQL = [loadTables]string{
	loadAddress:      insertAddressSQL,
	loadFamily:       insertFamilySQL,
	loadPerson:       insertPersonSQL,
	loadCitizenship:  insertCitizenshipSQL,
	loadResidence:    insertResidenceSQL,
	loadEvent:        insertCivilEventSQL,
	loadElectoral:    insertElectoralSQL,
	loadConvivenza:   insertConvivenzaSQL,
	loadFamilyMember: insertFamilyMemberSQL,
}

// multiRowSQL turns a single-row INSERT into one that writes n rows: the
// same text with its VALUES tuple repeated, so it too is fixed text.
func multiRowSQL(query string, n int) string {
	i := strings.LastIndex(query, "VALUES ")
	tuple := query[i+len("VALUES "):]
	return query[:i] + "VALUES " + strings.Repeat(tuple+", ", n-1) + tuple
}

// loadBatch holds rows for each table, their arguments back to back.
type loadBatch struct {
	tables [loadTables]loadRows
	rows   int
	people int
}

type loadRows struct {
	vals []any
	n    int
}

// added counts a row whose arguments were just appended to t.
func (b *loadBatch) added(t *loadRows) {
	t.n++
	b.rows++
}

func (b *loadBatch) reset() {
	for i := range b.tables {
		t := &b.tables[i]
		clear(t.vals)
		t.vals, t.n = t.vals[:0], 0
	}
	b.rows, b.people = 0, 0
}

// planner turns households into rows, giving them their ids.
type planner struct {
	updatedAt string

	households                          int
	nextPerson, nextFamily, nextAddress int64
	addresses                           map[string]int64 // address UID (or content, for one without) -> id
	persons                             map[string]int64 // UIDs of the current household's persons -> id
}

func newPlanner(ctx context.Context, conn *sql.Conn, updatedAt string) (*planner, error) {
	p := &planner{
		updatedAt: updatedAt,
		addresses: make(map[string]int64),
		persons:   make(map[string]int64),
	}
	for _, next := range []struct {
		dst   *int64
		query string
	}{
		{&p.nextPerson, `SELECT coalesce(max(id), 0) + 1 FROM person`},
		{&p.nextFamily, `SELECT coalesce(max(id), 0) + 1 FROM family`},
		{&p.nextAddress, `SELECT coalesce(max(id), 0) + 1 FROM address`},
	} {
		if err := conn.QueryRowContext(ctx, next.query).Scan(next.dst); err != nil {
			return nil, err
		}
	}
	rows, err := conn.QueryContext(ctx, `SELECT uid, id FROM address`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var id int64
		if err := rows.Scan(&uid, &id); err != nil {
			return nil, err
		}
		p.addresses[uid] = id
	}
	return p, rows.Err()
}

// runLoad plans on a goroutine of its own and writes on the caller's, in
// transactions of about loadCommitEvery persons.
func runLoad(ctx context.Context, conn *sql.Conn, plan *planner, households iter.Seq2[registry.Household, error], progress func(int)) (int, error) {
	batches := make(chan *loadBatch, 4)
	free := make(chan *loadBatch, 6)
	stop := make(chan struct{})
	var planErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(batches)
		b := new(loadBatch)
		send := func() bool {
			select {
			case <-stop:
				return false
			default:
			}
			select {
			case batches <- b:
			case <-stop:
				return false
			}
			select {
			case b = <-free:
				b.reset()
			default:
				b = new(loadBatch)
			}
			return true
		}
		for h, err := range households {
			if err == nil {
				err = plan.household(b, &h)
			}
			if err != nil {
				planErr = err
				return
			}
			if b.rows >= loadBatchRows && !send() {
				return
			}
		}
		if b.rows > 0 {
			send()
		}
	})
	var people int
	err := conn.Raw(func(dc any) error {
		w, err := newBulkWriter(ctx, dc)
		if err != nil {
			return err
		}
		defer w.close()
		people, err = w.write(ctx, batches, free, progress)
		return err
	})
	close(stop)
	for range batches {
		// drain, so the planner is never left blocked
	}
	wg.Wait()
	if err == nil {
		err = planErr
	}
	return people, err
}

// bulkStmt runs a prepared statement on the driver directly. Through Query
// the driver binds and steps in one call into SQLite, which is what makes a
// bulk load fast; Exec would cross into C once per argument.
type bulkStmt struct {
	st   driver.Stmt
	q    driver.StmtQueryContext
	args []driver.NamedValue
}

func (b *bulkStmt) run(vals []any) error {
	args := b.args[:0]
	for i, v := range vals {
		args = append(args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	b.args = args
	rows, err := b.q.QueryContext(context.Background(), args)
	if err != nil {
		return err
	}
	err = rows.Next(nil)
	if cerr := rows.Close(); err == io.EOF {
		err = cerr
	}
	return err
}

// bulkWriter runs the planned rows on a driver connection: each table's
// rows loadMultiRows at a time, the rest one by one.
type bulkWriter struct {
	conn          driver.ConnBeginTx
	single, multi [loadTables]bulkStmt
	arity         [loadTables]int
}

func newBulkWriter(ctx context.Context, dc any) (*bulkWriter, error) {
	prep, ok1 := dc.(driver.ConnPrepareContext)
	beginner, ok2 := dc.(driver.ConnBeginTx)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("driver connection %T cannot load in bulk", dc)
	}
	w := &bulkWriter{conn: beginner}
	prepare := func(dst *bulkStmt, query string) error {
		st, err := prep.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		q, ok := st.(driver.StmtQueryContext)
		if !ok {
			st.Close()
			return fmt.Errorf("driver statement %T cannot load in bulk", st)
		}
		*dst = bulkStmt{st: st, q: q}
		return nil
	}
	for t, query := range loadSQL {
		w.arity[t] = strings.Count(query, "?")
		if err := prepare(&w.single[t], query); err != nil {
			w.close()
			return nil, err
		}
		if err := prepare(&w.multi[t], multiRowSQL(query, loadMultiRows)); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

func (w *bulkWriter) close() {
	for t := range loadTables {
		for _, st := range []driver.Stmt{w.single[t].st, w.multi[t].st} {
			if st != nil {
				st.Close()
			}
		}
	}
}

func (w *bulkWriter) write(ctx context.Context, batches <-chan *loadBatch, free chan<- *loadBatch, progress func(int)) (int, error) {
	tx, err := w.conn.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return 0, err
	}
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	people, committed := 0, 0
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return people, err
		}
		if err := w.batch(b); err != nil {
			return people, err
		}
		people += b.people
		select {
		case free <- b:
		default:
		}
		if people-committed < loadCommitEvery {
			continue
		}
		err := tx.Commit()
		tx = nil
		if err != nil {
			return people, err
		}
		committed = people
		if progress != nil {
			progress(people)
		}
		if tx, err = w.conn.BeginTx(ctx, driver.TxOptions{}); err != nil {
			return people, err
		}
	}
	err = tx.Commit()
	tx = nil
	if err != nil {
		return people, err
	}
	if progress != nil && people > committed {
		progress(people)
	}
	return people, nil
}

func (w *bulkWriter) batch(b *loadBatch) error {
	for t := range loadTables {
		vals, arity := b.tables[t].vals, w.arity[t]
		for len(vals) >= loadMultiRows*arity {
			if err := w.multi[t].run(vals[:loadMultiRows*arity]); err != nil {
				return err
			}
			vals = vals[loadMultiRows*arity:]
		}
		for len(vals) > 0 {
			if err := w.single[t].run(vals[:arity]); err != nil {
				return err
			}
			vals = vals[arity:]
		}
	}
	return nil
}

// household plans one family: its address, the family row, the members and
// the related persons outside it, their citizenships, residences and civil
// events.
func (p *planner) household(b *loadBatch, h *registry.Household) error {
	p.households++
	clear(p.persons)
	if err := p.rows(b, h); err != nil {
		return fmt.Errorf("household %d: %w", p.households, err)
	}
	return nil
}

func (p *planner) rows(b *loadBatch, h *registry.Household) error {
	var familyID int64
	if len(h.Members) > 0 {
		familyID = p.nextFamily
		p.nextFamily++
		householderID := p.nextPerson // householder first
		for i, m := range h.Members {
			if m.Relationship == registry.Householder {
				householderID = p.nextPerson + int64(i)
				break
			}
		}
		var familyAddress any
		if h.Address.Street != "" {
			familyAddress = p.address(b, h.Address)
		}
		uid := h.Family.UID
		if uid == "" {
			uid = newUID()
		}
		t := &b.tables[loadFamily]
		t.vals = append(t.vals, familyID, uid, householderID, familyAddress, dateArg(h.Family.FormedOn), max(h.Family.Version, 1))
		b.added(t)
	}
	for _, m := range h.Members {
		person := m.Person
		person.FamilyID = familyID
		if m.Relationship != 0 {
			person.Relationship = m.Relationship
		}
		if err := p.person(b, &person); err != nil {
			return err
		}
		t := &b.tables[loadFamilyMember]
		t.vals = append(t.vals, familyID, person.ID, int64(person.Relationship), dateArg(memberSince(h.Family, person)))
		b.added(t)
	}
	for _, o := range h.Others {
		person := o
		person.FamilyID, person.Relationship = 0, 0
		if err := p.person(b, &person); err != nil {
			return err
		}
	}
	for _, r := range h.Residences {
		personID, ok := p.persons[r.PersonUID]
		if !ok {
			return errors.New("residence of a person not in the household")
		}
		addressID := p.address(b, r.Address)
		t := &b.tables[loadResidence]
		t.vals = append(t.vals, personID, addressID, dateArg(r.From), dateArg(r.To), int64(r.Reason))
		b.added(t)
	}
	for _, e := range h.CivilEvents {
		personID, ok := p.persons[e.PersonUID]
		if !ok {
			return errors.New("civil event of a person not in the household")
		}
		var other any
		if e.OtherPersonUID != "" {
			id, ok := p.persons[e.OtherPersonUID]
			if !ok {
				return errors.New("civil event naming a person not in the household")
			}
			other = id
		}
		if !validEventKind(e.Kind) {
			return fault.New(fault.Invalid, "The civil event kind is not valid", nil)
		}
		uid := e.UID
		if uid == "" {
			uid = newUID()
		}
		t := &b.tables[loadEvent]
		t.vals = append(t.vals, uid, personID, string(e.Kind), dateArg(e.Date), e.Place, other, e.OtherName)
		b.added(t)
	}
	for _, e := range h.Electoral {
		personID, ok := p.persons[e.PersonUID]
		if !ok {
			return errors.New("electoral registration of a person not in the household")
		}
		if e.Section < 1 || e.Number < 1 {
			return fault.New(fault.Invalid, "The electoral section and list number must be 1 or more", nil)
		}
		t := &b.tables[loadElectoral]
		t.vals = append(t.vals, personID, int64(e.Section), int64(e.Number), dateArg(e.Since))
		b.added(t)
	}
	if c := h.Family.Convivenza; c.Species != "" {
		if familyID == 0 {
			return errors.New("convivenza with no members")
		}
		if !c.Species.Valid() {
			return fault.New(fault.Invalid, "The species of the convivenza is not valid", nil)
		}
		var responsible any
		if c.ResponsibleUID != "" {
			id, ok := p.persons[c.ResponsibleUID]
			if !ok {
				return errors.New("convivenza responsible not in the household")
			}
			responsible = id
		}
		t := &b.tables[loadConvivenza]
		t.vals = append(t.vals, familyID, c.Name, string(c.Species), c.Responsible, responsible)
		b.added(t)
	}
	return nil
}

// memberSince is when a member loaded in bulk joined the family: its
// forming, the birth, or the registration in the municipality, whichever
// came last.
func memberSince(f registry.Family, p registry.Person) registry.Date {
	d := f.FormedOn
	if p.BirthDate.After(d) {
		d = p.BirthDate
	}
	if p.Status == registry.Resident && p.StatusSince.After(d) {
		d = p.StatusSince
	}
	return d
}

func validEventKind(k registry.CivilEventKind) bool {
	switch k {
	case registry.EventMarriage, registry.EventCivilUnion, registry.EventDivorce, registry.EventUnionDissolved, registry.EventWidowhood:
		return true
	}
	return false
}

func (p *planner) person(b *loadBatch, person *registry.Person) error {
	if err := person.Validate(); err != nil {
		return err
	}
	person.ID = p.nextPerson
	p.nextPerson++
	if person.UID == "" {
		person.UID = newUID()
	}
	if _, dup := p.persons[person.UID]; dup {
		return fault.New(fault.Invalid, "The data loaded holds the same identifier twice", nil)
	}
	p.persons[person.UID] = person.ID
	person.Version = max(person.Version, 1)
	t := &b.tables[loadPerson]
	t.vals = appendPersonArgs(t.vals, person, p.updatedAt)
	b.added(t)
	for _, c := range person.Citizenships {
		t := &b.tables[loadCitizenship]
		t.vals = append(t.vals, person.ID, c)
		b.added(t)
	}
	b.people++
	return nil
}

// address returns the id of an address, planning its row the first time it
// is seen. Addresses are known by UID; one without is known by its content.
func (p *planner) address(b *loadBatch, a registry.Address) int64 {
	key := a.UID
	if key == "" {
		key = "\x00" + a.Toponym + "\x00" + a.Street + "\x00" + a.HouseNumber + "\x00" + a.Internal + "\x00" + a.Postcode + "\x00" + a.Place
	}
	if id, ok := p.addresses[key]; ok {
		return id
	}
	id := p.nextAddress
	p.nextAddress++
	p.addresses[key] = id
	uid := a.UID
	if uid == "" {
		uid = newUID()
	}
	t := &b.tables[loadAddress]
	t.vals = append(t.vals, id, uid, a.Toponym, a.Street, a.HouseNumber, a.Internal, a.Postcode, a.Place,
		registry.SearchKey(a.Street), max(a.Version, 1))
	b.added(t)
	return id
}
