package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/social"
)

// The social desk. Only social workers (access.Role.CanUseSocialDesk) read
// or change a case: every method checks the user's role, whatever the
// screen did. Each change is one transaction that records its mutation and
// audit entry through logChange; the audit detail names the case number and
// codes, never the person or what they asked. Every read of a case file is
// logged in social_access_log with its purpose.

// Settings of the social desk, in meta (Store.Meta, SetMeta).
const (
	// MetaSocialShowCases set to "1" lets the registry roles learn that a
	// person has a social-desk case (never what it is about).
	MetaSocialShowCases = "social_show_case_exists"
	// MetaSocialQueueService is the queue service whose ticket a person
	// arriving for an appointment gets; defaultSocialService when unset.
	MetaSocialQueueService = "social_queue_service"
)

// defaultSocialService is the social desk's service in the default office
// (migration 0004: C, Sportello sociale - PUA).
const defaultSocialService = "C"

// socialSearchLimit bounds the cases a search returns.
const socialSearchLimit = 100

var (
	errSocialForbidden = fault.New(fault.Forbidden, "Only social workers may see and change social-desk cases", nil)
	errCaseNotFound    = fault.New(fault.NotFound, "The case was not found", nil)
	errCaseStale       = fault.New(fault.Conflict, "Someone else changed this case meanwhile: nothing was saved. Reopen the case and make the change again", nil)
	errCaseClosed      = fault.New(fault.Conflict, "The case is closed: reopen it first", nil)
)

// beginSocial checks that u may work social cases and starts the
// transaction.
func (s *Store) beginSocial(ctx context.Context, u access.User) (*sql.Tx, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	return s.begin(ctx, u.Username)
}

// checkSocialWorker refuses a username that is not a social worker's.
func checkSocialWorker(ctx context.Context, q querier, username string) error {
	var role string
	err := q.QueryRowContext(ctx, `SELECT role FROM users WHERE username = ?`, username).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.Role(role).CanUseSocialDesk()) {
		return fault.New(fault.Invalid, "{{.Username}} is not a social worker of this desk", map[string]any{"Username": username})
	}
	if err != nil {
		return fmt.Errorf("social worker: %w", err)
	}
	return nil
}

// SocialWorkers returns the social workers of the desk, for assigning a
// case or an appointment.
func (s *Store) SocialWorkers(ctx context.Context, u access.User) ([]access.User, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []access.User
	for _, w := range users {
		if w.Role.CanUseSocialDesk() {
			out = append(out, w)
		}
	}
	return out, nil
}

type socialVisitorPayload struct {
	UID       string `json:"uid"`
	Surname   string `json:"surname"`
	Name      string `json:"name"`
	CF        string `json:"cf"`
	BirthDate string `json:"birth_date"`
	Phone     string `json:"phone"`
	Email     string `json:"email"`
	Address   string `json:"address"`
}

type socialMemberPayload struct {
	PersonUID    string `json:"person_uid"`
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	BirthDate    string `json:"birth_date"`
}

type socialCasePayload struct {
	UID             string                `json:"uid"`
	Number          string                `json:"number"`
	PersonUID       string                `json:"person_uid,omitempty"`
	VisitorUID      string                `json:"visitor_uid,omitempty"`
	Type            string                `json:"type"`
	Source          string                `json:"source"`
	Referrer        string                `json:"referrer"`
	PresentingIssue string                `json:"presenting_issue"`
	Priority        string                `json:"priority"`
	Risks           []social.Risk         `json:"risks"`
	ISEECents       *int64                `json:"isee_cents,omitempty"`
	ISEEExpiry      string                `json:"isee_expiry,omitempty"`
	NextStep        string                `json:"next_step"`
	Worker          string                `json:"worker"`
	TargetDate      string                `json:"target_date,omitempty"`
	Phase           string                `json:"phase"`
	OpenedAt        string                `json:"opened_at"`
	Household       []socialMemberPayload `json:"household"`
	ConsentUID      string                `json:"consent_uid"`
	ConsentSigned   bool                  `json:"consent_signed"`
	ConsentAt       string                `json:"consent_at"`
	Version         int64                 `json:"version"`
}

// socialPhasePayload is the payload of a change of phase, closure, reopening
// or assignment: the case's state after it.
type socialPhasePayload struct {
	UID         string `json:"uid"`
	Phase       string `json:"phase"`
	Worker      string `json:"worker"`
	ClosedAt    string `json:"closed_at,omitempty"`
	Closure     string `json:"closure_reason,omitempty"`
	ClosureNote string `json:"closure_note,omitempty"`
	Reopened    int    `json:"reopened"`
	Version     int64  `json:"version"`
}

// socialDocumentPayload describes a document received. The content is not in the
// payload: sync sends the social_document row named by uid and checks it
// against content_sha256.
type socialDocumentPayload struct {
	UID        string `json:"uid"`
	CaseUID    string `json:"case_uid"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	MIME       string `json:"mime"`
	Size       int    `json:"size"`
	SHA256     string `json:"content_sha256"`
	ReceivedAt string `json:"received_at"`
}

func socialCaseDetail(c social.Case) string {
	return fmt.Sprintf(`{"number":%q,"type":%q,"phase":%q}`, c.Number.String(), c.Type, c.Phase)
}

// OpenCase records an intake as a new case in phase intake, with a new
// number, the declared household, the consent and the documents received.
// A visitor is recorded first.
func (s *Store) OpenCase(ctx context.Context, u access.User, in social.Intake) (social.Case, error) {
	if !u.Role.CanUseSocialDesk() {
		return social.Case{}, errSocialForbidden
	}
	if err := in.Validate(s.today()); err != nil {
		return social.Case{}, err
	}
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return social.Case{}, err
	}
	defer tx.Rollback()
	if err := checkSocialWorker(ctx, tx, in.Worker); err != nil {
		return social.Case{}, err
	}
	now := s.now()
	c := social.Case{UID: newUID(), Intake: in, Phase: social.PhaseIntake, OpenedAt: now, Version: 1}
	c.Documents = nil
	if c.Consent.At.IsZero() {
		c.Consent.At = now
	}
	var personArg, visitorArg any
	if in.PersonUID != "" {
		var surname, name string
		err := tx.QueryRowContext(ctx, `SELECT surname, name FROM person WHERE uid = ?`, in.PersonUID).Scan(&surname, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return c, fault.New(fault.NotFound, "The person was not found", nil)
		}
		if err != nil {
			return c, fmt.Errorf("open case: %w", err)
		}
		c.PersonName, personArg = socialName(surname, name), in.PersonUID
	} else {
		v := *in.Visitor
		if visitorArg, err = s.addSocialVisitor(ctx, tx, u.Username, &v, now); err != nil {
			return c, err
		}
		c.Visitor, c.PersonName = &v, v.FullName()
	}
	if c.Number, err = nextSocialNumber(ctx, tx, s.deskCode, registry.DateOf(now.In(registry.Rome)).Year); err != nil {
		return c, err
	}
	risks, err := json.Marshal(nonNilRisks(c.Risks))
	if err != nil {
		return c, fmt.Errorf("open case: %w", err)
	}
	var iseeCents, iseeExpiry any
	if c.ISEE != nil {
		iseeCents, iseeExpiry = c.ISEE.Cents, dateArg(c.ISEE.Expiry)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO social_case(uid, number, person_uid, visitor_id, person_name, person_key, type, source, referrer,
presenting_issue, priority, risks, isee_cents, isee_expiry, next_step, worker, target_date, phase, opened_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.UID, c.Number.String(), personArg, visitorArg, c.PersonName, registry.Fold(c.PersonName), string(c.Type), string(c.Source), c.Referrer,
		c.PresentingIssue, string(c.Priority), string(risks), iseeCents, iseeExpiry, c.NextStep, c.Worker, dateArg(c.TargetDate),
		string(c.Phase), timestamp(now), u.Username).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("open case: %w", err)
	}
	p := socialCasePayload{UID: c.UID, Number: c.Number.String(), PersonUID: c.PersonUID, Type: string(c.Type), Source: string(c.Source),
		Referrer: c.Referrer, PresentingIssue: c.PresentingIssue, Priority: string(c.Priority), Risks: nonNilRisks(c.Risks),
		NextStep: c.NextStep, Worker: c.Worker, Phase: string(c.Phase), OpenedAt: timestamp(now), Version: c.Version,
		ConsentUID: newUID(), ConsentSigned: c.Consent.Signed, ConsentAt: timestamp(c.Consent.At), Household: []socialMemberPayload{}}
	if c.Visitor != nil {
		p.VisitorUID = c.Visitor.UID
	}
	if c.ISEE != nil {
		cents := c.ISEE.Cents
		p.ISEECents, p.ISEEExpiry = &cents, c.ISEE.Expiry.String()
	}
	if !c.TargetDate.IsZero() {
		p.TargetDate = c.TargetDate.String()
	}
	for i, m := range c.Household {
		if _, err := tx.ExecContext(ctx, `INSERT INTO social_household(case_id, position, person_uid, name, relationship, birth_date) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, i, m.PersonUID, m.Name, strings.TrimSpace(m.Relationship), dateArg(m.BirthDate)); err != nil {
			return c, fmt.Errorf("open case: %w", err)
		}
		p.Household = append(p.Household, socialMemberPayload{m.PersonUID, m.Name, strings.TrimSpace(m.Relationship), socialDate(m.BirthDate)})
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_consent(uid, case_id, given, signed, at, recorded_by) VALUES (?, ?, 1, ?, ?, ?)`,
		p.ConsentUID, c.ID, c.Consent.Signed, timestamp(c.Consent.At), u.Username); err != nil {
		return c, fmt.Errorf("open case: %w", err)
	}
	if err := s.logChange(ctx, tx, u.Username, change{
		Entity: "social_case", EntityUID: c.UID, Op: "create", Payload: p,
		Action: "social.case.open", Detail: socialCaseDetail(c),
	}); err != nil {
		return c, err
	}
	for _, d := range in.Documents {
		d, err := s.addSocialDocument(ctx, tx, u.Username, c, d, now)
		if err != nil {
			return c, err
		}
		c.Documents = append(c.Documents, d)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("open case: %w", err)
	}
	return c, nil
}

func nonNilRisks(r []social.Risk) []social.Risk {
	if r == nil {
		return []social.Risk{}
	}
	return r
}

func socialDate(d registry.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func socialName(surname, name string) string { return strings.TrimSpace(surname + " " + name) }

// addSocialVisitor records a person not in the register and returns its row id.
func (s *Store) addSocialVisitor(ctx context.Context, tx *sql.Tx, operator string, v *social.Visitor, now time.Time) (int64, error) {
	v.UID = newUID()
	v.Surname, v.Name = strings.TrimSpace(v.Surname), strings.TrimSpace(v.Name)
	v.CF = strings.ToUpper(strings.TrimSpace(v.CF))
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO social_visitor(uid, surname, name, cf, birth_date, phone, email, address, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.UID, v.Surname, v.Name, v.CF, dateArg(v.BirthDate),
		strings.TrimSpace(v.Phone), strings.TrimSpace(v.Email), strings.TrimSpace(v.Address), timestamp(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add visitor: %w", err)
	}
	return id, s.logChange(ctx, tx, operator, change{
		Entity: "social_visitor", EntityUID: v.UID, Op: "create",
		Payload: socialVisitorPayload{v.UID, v.Surname, v.Name, v.CF, socialDate(v.BirthDate), strings.TrimSpace(v.Phone),
			strings.TrimSpace(v.Email), strings.TrimSpace(v.Address)},
		Action: "social.visitor.create",
	})
}

// nextSocialNumber takes the next number of the desk's year.
func nextSocialNumber(ctx context.Context, tx *sql.Tx, desk string, year int) (social.Number, error) {
	n := social.Number{Desk: desk, Year: year}
	err := tx.QueryRowContext(ctx, `INSERT INTO social_case_number(desk, year, last_seq) VALUES (?, ?, 1)
ON CONFLICT(desk, year) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`, desk, year).Scan(&n.Seq)
	if err != nil {
		return n, fmt.Errorf("case number: %w", err)
	}
	return n, nil
}

// addSocialDocument validates and keeps a document of case c with its SHA-256.
func (s *Store) addSocialDocument(ctx context.Context, tx *sql.Tx, operator string, c social.Case, d social.Document, now time.Time) (social.Document, error) {
	if err := d.Validate(); err != nil {
		return d, err
	}
	sum := sha256.Sum256(d.Content)
	d.UID, d.SHA256 = newUID(), hex.EncodeToString(sum[:])
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_document(uid, case_id, kind, name, mime, size, sha256, content, received_at, received_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.UID, c.ID, string(d.Kind), d.Name, d.MIME, d.Size, d.SHA256, d.Content, timestamp(now), operator); err != nil {
		return d, fmt.Errorf("add document: %w", err)
	}
	err := s.logChange(ctx, tx, operator, change{
		Entity: "social_document", EntityUID: d.UID, Op: "create",
		Payload: socialDocumentPayload{d.UID, c.UID, string(d.Kind), d.Name, d.MIME, d.Size, d.SHA256, timestamp(now)},
		Action:  "social.document.add",
		Detail:  fmt.Sprintf(`{"number":%q,"kind":%q,"sha256":%q}`, c.Number.String(), d.Kind, d.SHA256),
	})
	d.Content = nil
	return d, err
}

// AddCaseDocument keeps a document received after the intake.
func (s *Store) AddCaseDocument(ctx context.Context, u access.User, caseUID string, d social.Document) (social.Document, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	c, err := readSocialCase(ctx, tx, caseUID)
	if err != nil {
		return d, err
	}
	if d, err = s.addSocialDocument(ctx, tx, u.Username, c, d, s.now()); err != nil {
		return d, err
	}
	if err := tx.Commit(); err != nil {
		return d, fmt.Errorf("add document: %w", err)
	}
	return d, nil
}

// CaseDocument returns a document with its content, checked against its
// SHA-256.
func (s *Store) CaseDocument(ctx context.Context, u access.User, docUID string) (social.Document, error) {
	var d social.Document
	if !u.Role.CanUseSocialDesk() {
		return d, errSocialForbidden
	}
	var kind string
	err := s.r.QueryRowContext(ctx, `SELECT uid, kind, name, mime, size, sha256, content FROM social_document WHERE uid = ?`, docUID).
		Scan(&d.UID, &kind, &d.Name, &d.MIME, &d.Size, &d.SHA256, &d.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fault.New(fault.NotFound, "The document was not found", nil)
	}
	if err != nil {
		return d, fmt.Errorf("read document: %w", err)
	}
	d.Kind = social.DocumentKind(kind)
	if sum := sha256.Sum256(d.Content); hex.EncodeToString(sum[:]) != d.SHA256 {
		return d, fault.New(fault.Conflict, "The document {{.Name}} does not match its fingerprint: it was altered", map[string]any{"Name": d.Name})
	}
	return d, nil
}

const socialCaseColumns = `c.id, c.uid, c.number, coalesce(c.person_uid, ''), c.person_name, c.type, c.source, c.referrer, c.presenting_issue,
c.priority, c.risks, c.isee_cents, c.isee_expiry, c.next_step, c.worker, c.target_date, c.phase, c.opened_at, c.closed_at,
c.closure_reason, c.closure_note, c.reopened, c.version,
coalesce(v.uid, ''), coalesce(v.surname, ''), coalesce(v.name, ''), coalesce(v.cf, ''), v.birth_date, coalesce(v.phone, ''),
coalesce(v.email, ''), coalesce(v.address, '')
FROM social_case c LEFT JOIN social_visitor v ON v.id = c.visitor_id`

func scanSocialCase(sc interface{ Scan(...any) error }) (social.Case, error) {
	var c social.Case
	var number, typ, source, priority, risks, phase, closure string
	var iseeCents sql.NullInt64
	var iseeExpiry registry.Date
	var v social.Visitor
	err := sc.Scan(&c.ID, &c.UID, &number, &c.PersonUID, &c.PersonName, &typ, &source, &c.Referrer, &c.PresentingIssue,
		&priority, &risks, &iseeCents, dateCol{&iseeExpiry}, &c.NextStep, &c.Worker, dateCol{&c.TargetDate}, &phase,
		timeCol{&c.OpenedAt}, timeCol{&c.ClosedAt}, &closure, &c.ClosureNote, &c.Reopened, &c.Version,
		&v.UID, &v.Surname, &v.Name, &v.CF, dateCol{&v.BirthDate}, &v.Phone, &v.Email, &v.Address)
	if err != nil {
		return c, err
	}
	c.Type, c.Source, c.Priority = social.RequestType(typ), social.Source(source), social.Priority(priority)
	c.Phase, c.Closure = social.Phase(phase), social.ClosureReason(closure)
	if c.Number, err = social.ParseNumber(number); err != nil {
		return c, fmt.Errorf("case number %s: %w", number, err)
	}
	if err := json.Unmarshal([]byte(risks), &c.Risks); err != nil {
		return c, fmt.Errorf("case risks: %w", err)
	}
	if iseeCents.Valid {
		c.ISEE = &social.ISEE{Cents: iseeCents.Int64, Expiry: iseeExpiry}
	}
	if v.UID != "" {
		c.Visitor = &v
	}
	return c, nil
}

// readSocialCase reads a case without its household, consent and documents.
func readSocialCase(ctx context.Context, q querier, uid string) (social.Case, error) {
	c, err := scanSocialCase(q.QueryRowContext(ctx, `SELECT `+socialCaseColumns+` WHERE c.uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errCaseNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read case: %w", err)
	}
	return c, nil
}

func querySocialCases(ctx context.Context, q querier, where string, args ...any) ([]social.Case, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+socialCaseColumns+` `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	defer rows.Close()
	var out []social.Case
	for rows.Next() {
		c, err := scanSocialCase(rows)
		if err != nil {
			return nil, fmt.Errorf("read cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	return out, nil
}

// CaseFile logs that u opened the case for purpose, then reads the whole
// file: the intake with household, consent and documents (without content),
// the notes, referrals and appointments.
func (s *Store) CaseFile(ctx context.Context, u access.User, caseUID string, purpose social.Purpose) (social.File, error) {
	var f social.File
	if !u.Role.CanUseSocialDesk() {
		return f, errSocialForbidden
	}
	if !purpose.Valid() {
		return f, fault.New(fault.Invalid, "Choose the purpose of the access", nil)
	}
	if s.w == nil {
		return f, fault.New(fault.Forbidden, "The database is open for reading only", nil)
	}
	if err := s.logCaseView(ctx, u.Username, caseUID, purpose); err != nil {
		return f, err
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, fmt.Errorf("case file: %w", err)
	}
	defer tx.Rollback()
	if f.Case, err = readSocialCase(ctx, tx, caseUID); err != nil {
		return f, err
	}
	if err := readSocialCaseDetails(ctx, tx, &f); err != nil {
		return f, fmt.Errorf("case file: %w", err)
	}
	return f, nil
}

// readSocialCaseDetails fills the household, consent, documents, notes,
// referrals and appointments of f.Case.
func readSocialCaseDetails(ctx context.Context, q querier, f *social.File) error {
	c := &f.Case
	err := eachSocialRow(ctx, q, `SELECT person_uid, name, relationship, birth_date FROM social_household WHERE case_id = ? ORDER BY position`,
		[]any{c.ID}, func(sc func(...any) error) error {
			var m social.Member
			if err := sc(&m.PersonUID, &m.Name, &m.Relationship, dateCol{&m.BirthDate}); err != nil {
				return err
			}
			c.Household = append(c.Household, m)
			return nil
		})
	if err != nil {
		return err
	}
	err = q.QueryRowContext(ctx, `SELECT given, signed, at FROM social_consent WHERE case_id = ? ORDER BY id DESC LIMIT 1`, c.ID).
		Scan(&c.Consent.Given, &c.Consent.Signed, timeCol{&c.Consent.At})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	err = eachSocialRow(ctx, q, `SELECT uid, kind, name, mime, size, sha256 FROM social_document WHERE case_id = ? ORDER BY id`,
		[]any{c.ID}, func(sc func(...any) error) error {
			var d social.Document
			var kind string
			if err := sc(&d.UID, &kind, &d.Name, &d.MIME, &d.Size, &d.SHA256); err != nil {
				return err
			}
			d.Kind = social.DocumentKind(kind)
			c.Documents = append(c.Documents, d)
			return nil
		})
	if err != nil {
		return err
	}
	err = eachSocialRow(ctx, q, `SELECT uid, author, at, text FROM social_note WHERE case_id = ? ORDER BY id`,
		[]any{c.ID}, func(sc func(...any) error) error {
			n := social.Note{CaseUID: c.UID}
			if err := sc(&n.UID, &n.Author, timeCol{&n.At}, &n.Text); err != nil {
				return err
			}
			f.Notes = append(f.Notes, n)
			return nil
		})
	if err != nil {
		return err
	}
	if f.Referrals, err = querySocialReferrals(ctx, q, `WHERE r.case_id = ? ORDER BY r.id`, c.ID); err != nil {
		return err
	}
	f.Appointments, err = querySocialAppointments(ctx, q, `WHERE a.case_id = ? ORDER BY a.at`, c.ID)
	return err
}

// eachSocialRow runs query and calls fn with the scan function of each row.
func eachSocialRow(ctx context.Context, q querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CaseView is one line of the social access log.
type CaseView struct {
	At       time.Time // UTC
	Operator string
	CaseUID  string
	Purpose  social.Purpose
}

// CaseViews returns who opened a case, when and why, newest first: for the
// social workers and for who reads the access logs.
func (s *Store) CaseViews(ctx context.Context, u access.User, caseUID string) ([]CaseView, error) {
	if !u.Role.CanUseSocialDesk() && !u.Role.CanSeeAccessLog() {
		return nil, errSocialForbidden
	}
	var out []CaseView
	err := eachSocialRow(ctx, s.r, `SELECT at, operator, case_uid, purpose FROM social_access_log WHERE case_uid = ? ORDER BY id DESC`,
		[]any{caseUID}, func(sc func(...any) error) error {
			var v CaseView
			var purpose string
			if err := sc(timeCol{&v.At}, &v.Operator, &v.CaseUID, &purpose); err != nil {
				return err
			}
			v.Purpose = social.Purpose(purpose)
			out = append(out, v)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("case views: %w", err)
	}
	return out, nil
}

// changeSocialCase runs edit on the case in one transaction, refused when the
// case is no longer at version base, and records the new state.
func (s *Store) changeSocialCase(ctx context.Context, u access.User, caseUID string, base int64, action string, edit func(*social.Case) error) (social.Case, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return social.Case{}, err
	}
	defer tx.Rollback()
	c, err := readSocialCase(ctx, tx, caseUID)
	if err != nil {
		return c, err
	}
	if c.Version != base {
		return c, errCaseStale
	}
	if err := edit(&c); err != nil {
		return c, err
	}
	c.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE social_case SET phase = ?, worker = ?, closed_at = ?, closure_reason = ?, closure_note = ?,
reopened = ?, version = ? WHERE id = ? AND version = ?`, string(c.Phase), c.Worker, timeArg(c.ClosedAt), string(c.Closure), c.ClosureNote,
		c.Reopened, c.Version, c.ID, base); err != nil {
		return c, fmt.Errorf("change case: %w", err)
	}
	p := socialPhasePayload{UID: c.UID, Phase: string(c.Phase), Worker: c.Worker, Closure: string(c.Closure),
		ClosureNote: c.ClosureNote, Reopened: c.Reopened, Version: c.Version}
	if !c.ClosedAt.IsZero() {
		p.ClosedAt = timestamp(c.ClosedAt)
	}
	detail := socialCaseDetail(c)
	if c.Closure != "" {
		detail = fmt.Sprintf(`{"number":%q,"phase":%q,"closure":%q}`, c.Number.String(), c.Phase, c.Closure)
	}
	if err := s.logChange(ctx, tx, u.Username, change{
		Entity: "social_case", EntityUID: c.UID, Op: "update", BaseVersion: base, Payload: p,
		Action: "social.case." + action, Detail: detail,
	}); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("change case: %w", err)
	}
	return c, nil
}

// MoveCase moves the case at version base to phase to.
func (s *Store) MoveCase(ctx context.Context, u access.User, caseUID string, base int64, to social.Phase) (social.Case, error) {
	return s.changeSocialCase(ctx, u, caseUID, base, "phase", func(c *social.Case) error { return c.Move(to) })
}

// CloseCase closes the case at version base for reason.
func (s *Store) CloseCase(ctx context.Context, u access.User, caseUID string, base int64, reason social.ClosureReason, note string) (social.Case, error) {
	now := s.now()
	return s.changeSocialCase(ctx, u, caseUID, base, "close", func(c *social.Case) error { return c.Close(reason, note, now) })
}

// ReopenCase takes the closed case at version base back to intake.
func (s *Store) ReopenCase(ctx context.Context, u access.User, caseUID string, base int64) (social.Case, error) {
	return s.changeSocialCase(ctx, u, caseUID, base, "reopen", func(c *social.Case) error { return c.Reopen() })
}

// AssignCase gives the case at version base to another social worker.
func (s *Store) AssignCase(ctx context.Context, u access.User, caseUID string, base int64, worker string) (social.Case, error) {
	return s.changeSocialCase(ctx, u, caseUID, base, "assign", func(c *social.Case) error {
		if c.Phase == social.PhaseClosed {
			return errCaseClosed
		}
		c.Worker = strings.TrimSpace(worker)
		return checkSocialWorker(ctx, s.r, c.Worker)
	})
}

// AddNote appends a note signed by u to the case's diary.
func (s *Store) AddNote(ctx context.Context, u access.User, caseUID, text string) (social.Note, error) {
	n := social.Note{Text: text, CaseUID: caseUID, Author: u.Username}
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return n, err
	}
	defer tx.Rollback()
	if err := n.Validate(); err != nil {
		return n, err
	}
	c, err := readSocialCase(ctx, tx, caseUID)
	if err != nil {
		return n, err
	}
	n.UID, n.At = newUID(), s.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_note(uid, case_id, author, at, text) VALUES (?, ?, ?, ?, ?)`,
		n.UID, c.ID, n.Author, timestamp(n.At), n.Text); err != nil {
		return n, fmt.Errorf("add note: %w", err)
	}
	if err := s.logChange(ctx, tx, u.Username, change{
		Entity: "social_note", EntityUID: n.UID, Op: "create",
		Payload: map[string]any{"uid": n.UID, "case_uid": c.UID, "author": n.Author, "at": timestamp(n.At), "text": n.Text},
		Action:  "social.note.add", Detail: fmt.Sprintf(`{"number":%q}`, c.Number.String()),
	}); err != nil {
		return n, err
	}
	if err := tx.Commit(); err != nil {
		return n, fmt.Errorf("add note: %w", err)
	}
	return n, nil
}

const socialReferralColumns = `r.uid, c.uid, r.service, r.status, r.follow_up, r.note, r.version, c.number, c.person_name
FROM social_referral r JOIN social_case c ON c.id = r.case_id`

func querySocialReferrals(ctx context.Context, q querier, where string, args ...any) ([]social.Referral, error) {
	var out []social.Referral
	err := eachSocialRow(ctx, q, `SELECT `+socialReferralColumns+` `+where, args, func(sc func(...any) error) error {
		var r social.Referral
		var status, number string
		if err := sc(&r.UID, &r.CaseUID, &r.Service, &status, dateCol{&r.FollowUp}, &r.Note, &r.Version, &number, &r.PersonName); err != nil {
			return err
		}
		r.Status = social.ReferralStatus(status)
		var err error
		r.CaseNumber, err = social.ParseNumber(number)
		out = append(out, r)
		return err
	})
	return out, err
}

type socialReferralPayload struct {
	UID      string `json:"uid"`
	CaseUID  string `json:"case_uid"`
	Service  string `json:"service"`
	Status   string `json:"status"`
	FollowUp string `json:"follow_up"`
	Note     string `json:"note"`
	Version  int64  `json:"version"`
}

func (s *Store) logSocialReferral(ctx context.Context, tx *sql.Tx, operator string, r social.Referral, op, action string) error {
	return s.logChange(ctx, tx, operator, change{
		Entity: "social_referral", EntityUID: r.UID, Op: op, BaseVersion: r.Version - 1,
		Payload: socialReferralPayload{r.UID, r.CaseUID, r.Service, string(r.Status), r.FollowUp.String(), r.Note, r.Version},
		Action:  "social.referral." + action,
		Detail:  fmt.Sprintf(`{"number":%q,"status":%q,"follow_up":%q}`, r.CaseNumber.String(), r.Status, r.FollowUp.String()),
	})
}

// AddReferral refers the person of an open case to a service.
func (s *Store) AddReferral(ctx context.Context, u access.User, caseUID string, r social.Referral) (social.Referral, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return r, err
	}
	defer tx.Rollback()
	if err := r.Validate(s.today()); err != nil {
		return r, err
	}
	c, err := readSocialCase(ctx, tx, caseUID)
	if err != nil {
		return r, err
	}
	if !c.Open() {
		return r, errCaseClosed
	}
	r.UID, r.CaseUID, r.Version, r.CaseNumber, r.PersonName = newUID(), c.UID, 1, c.Number, c.PersonName
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_referral(uid, case_id, service, status, follow_up, note, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.UID, c.ID, r.Service, string(r.Status), r.FollowUp.String(), r.Note, timestamp(s.now()), u.Username); err != nil {
		return r, fmt.Errorf("add referral: %w", err)
	}
	if err := s.logSocialReferral(ctx, tx, u.Username, r, "create", "add"); err != nil {
		return r, err
	}
	if err := tx.Commit(); err != nil {
		return r, fmt.Errorf("add referral: %w", err)
	}
	return r, nil
}

// SetReferralStatus records the service's answer or the end of a referral.
func (s *Store) SetReferralStatus(ctx context.Context, u access.User, referralUID string, status social.ReferralStatus) (social.Referral, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return social.Referral{}, err
	}
	defer tx.Rollback()
	rs, err := querySocialReferrals(ctx, tx, `WHERE r.uid = ?`, referralUID)
	if err != nil {
		return social.Referral{}, fmt.Errorf("referral: %w", err)
	}
	if len(rs) == 0 {
		return social.Referral{}, fault.New(fault.NotFound, "The referral was not found", nil)
	}
	r := rs[0]
	if err := r.SetStatus(status); err != nil {
		return r, err
	}
	r.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE social_referral SET status = ?, version = ? WHERE uid = ?`, string(r.Status), r.Version, r.UID); err != nil {
		return r, fmt.Errorf("referral: %w", err)
	}
	if err := s.logSocialReferral(ctx, tx, u.Username, r, "update", "status"); err != nil {
		return r, err
	}
	if err := tx.Commit(); err != nil {
		return r, fmt.Errorf("referral: %w", err)
	}
	return r, nil
}

const socialAppointmentColumns = `a.uid, c.uid, a.worker, a.at, a.minutes, a.place, a.state, a.ticket_uid, a.version, c.number, c.person_name
FROM social_appointment a JOIN social_case c ON c.id = a.case_id`

func querySocialAppointments(ctx context.Context, q querier, where string, args ...any) ([]social.Appointment, error) {
	var out []social.Appointment
	err := eachSocialRow(ctx, q, `SELECT `+socialAppointmentColumns+` `+where, args, func(sc func(...any) error) error {
		var a social.Appointment
		var state, number string
		if err := sc(&a.UID, &a.CaseUID, &a.Worker, timeCol{&a.At}, &a.Minutes, &a.Place, &state, &a.TicketUID, &a.Version,
			&number, &a.PersonName); err != nil {
			return err
		}
		a.State = social.AppointmentState(state)
		var err error
		a.CaseNumber, err = social.ParseNumber(number)
		out = append(out, a)
		return err
	})
	return out, err
}

func (s *Store) logSocialAppointment(ctx context.Context, tx *sql.Tx, operator string, a social.Appointment, op, action string) error {
	return s.logChange(ctx, tx, operator, change{
		Entity: "social_appointment", EntityUID: a.UID, Op: op, BaseVersion: a.Version - 1,
		Payload: map[string]any{"uid": a.UID, "case_uid": a.CaseUID, "worker": a.Worker, "at": timestamp(a.At), "minutes": a.Minutes,
			"place": a.Place, "state": string(a.State), "ticket_uid": a.TicketUID, "version": a.Version},
		Action: "social.appointment." + action,
		Detail: fmt.Sprintf(`{"number":%q,"worker":%q,"state":%q}`, a.CaseNumber.String(), a.Worker, a.State),
	})
}

// BookSocialAppointment books a meeting of the person of an open case with
// a social worker, refused when it overlaps another of theirs.
func (s *Store) BookSocialAppointment(ctx context.Context, u access.User, a social.Appointment) (social.Appointment, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return a, err
	}
	defer tx.Rollback()
	if err := a.Validate(s.now()); err != nil {
		return a, err
	}
	if err := checkSocialWorker(ctx, tx, a.Worker); err != nil {
		return a, err
	}
	c, err := readSocialCase(ctx, tx, a.CaseUID)
	if err != nil {
		return a, err
	}
	if !c.Open() {
		return a, errCaseClosed
	}
	// An appointment is at most 240 minutes long: only those that start
	// that long before this one can overlap it.
	others, err := querySocialAppointments(ctx, tx, `WHERE a.worker = ? AND a.state = 'booked' AND a.at > ? AND a.at < ?`,
		a.Worker, timestamp(a.At.Add(-240*time.Minute)), timestamp(a.End()))
	if err != nil {
		return a, fmt.Errorf("book appointment: %w", err)
	}
	for _, o := range others {
		if o.Overlaps(a) {
			return a, fault.New(fault.Conflict, "{{.Worker}} already has an appointment at {{.Time}}", map[string]any{
				"Worker": a.Worker, "Time": o.At.In(registry.Rome).Format("02/01/2006 15:04")})
		}
	}
	a.UID, a.State, a.Version, a.CaseNumber, a.PersonName = newUID(), social.AppointmentBooked, 1, c.Number, c.PersonName
	a.At = a.At.UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_appointment(uid, case_id, worker, at, minutes, place, state, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.UID, c.ID, a.Worker, timestamp(a.At), a.Minutes, a.Place, string(a.State), timestamp(s.now()), u.Username); err != nil {
		return a, fmt.Errorf("book appointment: %w", err)
	}
	if err := s.logSocialAppointment(ctx, tx, u.Username, a, "create", "book"); err != nil {
		return a, err
	}
	if err := tx.Commit(); err != nil {
		return a, fmt.Errorf("book appointment: %w", err)
	}
	return a, nil
}

// changeSocialAppointment runs edit on an appointment in one transaction.
func (s *Store) changeSocialAppointment(ctx context.Context, u access.User, uid, action string, edit func(*social.Appointment) error) (social.Appointment, error) {
	tx, err := s.beginSocial(ctx, u)
	if err != nil {
		return social.Appointment{}, err
	}
	defer tx.Rollback()
	as, err := querySocialAppointments(ctx, tx, `WHERE a.uid = ?`, uid)
	if err != nil {
		return social.Appointment{}, fmt.Errorf("appointment: %w", err)
	}
	if len(as) == 0 {
		return social.Appointment{}, fault.New(fault.NotFound, "The appointment was not found", nil)
	}
	a := as[0]
	if err := edit(&a); err != nil {
		return a, err
	}
	a.Version++
	if _, err := tx.ExecContext(ctx, `UPDATE social_appointment SET state = ?, ticket_uid = ?, version = ? WHERE uid = ?`,
		string(a.State), a.TicketUID, a.Version, a.UID); err != nil {
		return a, fmt.Errorf("appointment: %w", err)
	}
	if err := s.logSocialAppointment(ctx, tx, u.Username, a, "update", action); err != nil {
		return a, err
	}
	if err := tx.Commit(); err != nil {
		return a, fmt.Errorf("appointment: %w", err)
	}
	return a, nil
}

// CancelSocialAppointment cancels a booked appointment.
func (s *Store) CancelSocialAppointment(ctx context.Context, u access.User, uid string) (social.Appointment, error) {
	return s.changeSocialAppointment(ctx, u, uid, "cancel", (*social.Appointment).Cancel)
}

// ArriveSocialAppointment records that the person came for a booked
// appointment: it issues a ticket of the social desk's queue service
// (MetaSocialQueueService) through the queue's IssueTicket, then links the
// ticket to the appointment. The two are separate transactions: a failure
// between them leaves a ticket the counter serves as a walk-in.
func (s *Store) ArriveSocialAppointment(ctx context.Context, u access.User, uid string) (social.Appointment, queue.Issued, error) {
	var issued queue.Issued
	if !u.Role.CanUseSocialDesk() {
		return social.Appointment{}, issued, errSocialForbidden
	}
	as, err := querySocialAppointments(ctx, s.r, `WHERE a.uid = ?`, uid)
	if err != nil {
		return social.Appointment{}, issued, fmt.Errorf("appointment: %w", err)
	}
	if len(as) == 0 {
		return social.Appointment{}, issued, fault.New(fault.NotFound, "The appointment was not found", nil)
	}
	if check := as[0]; check.Arrive("") != nil {
		return as[0], issued, fault.New(fault.Conflict, "The appointment is not waiting for the person", nil)
	}
	service, err := s.SocialQueueService(ctx)
	if err != nil {
		return as[0], issued, err
	}
	if issued, err = s.IssueTicket(ctx, u.Username, service, false); err != nil {
		return as[0], issued, err
	}
	a, err := s.changeSocialAppointment(ctx, u, uid, "arrive", func(a *social.Appointment) error { return a.Arrive(issued.Ticket.UID) })
	return a, issued, err
}

// MyOpenCases returns the cases assigned to u that are not closed, most
// urgent first, then oldest.
func (s *Store) MyOpenCases(ctx context.Context, u access.User) ([]social.Case, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	return querySocialCases(ctx, s.r, `WHERE c.worker = ? AND c.phase <> 'closed'
ORDER BY CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, c.opened_at`, u.Username)
}

// OverdueReferrals returns the open referrals of u's cases whose follow-up
// date is before day (the desk's today), oldest first.
func (s *Store) OverdueReferrals(ctx context.Context, u access.User, day registry.Date) ([]social.Referral, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	rs, err := querySocialReferrals(ctx, s.r, `WHERE c.worker = ? AND r.status IN ('pending', 'accepted') AND r.follow_up < ?
ORDER BY r.follow_up, r.id`, u.Username, day.String())
	if err != nil {
		return nil, fmt.Errorf("overdue referrals: %w", err)
	}
	return rs, nil
}

// DayAppointments returns the appointments of u on day (Europe/Rome), by
// time, cancelled ones included.
func (s *Store) DayAppointments(ctx context.Context, u access.User, day registry.Date) ([]social.Appointment, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	from := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, registry.Rome)
	to := from.AddDate(0, 0, 1)
	as, err := querySocialAppointments(ctx, s.r, `WHERE a.worker = ? AND a.at >= ? AND a.at < ? ORDER BY a.at`,
		u.Username, timestamp(from), timestamp(to))
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	return as, nil
}

// TodayAppointments returns u's appointments of today.
func (s *Store) TodayAppointments(ctx context.Context, u access.User) ([]social.Appointment, error) {
	return s.DayAppointments(ctx, u, s.today())
}

// SearchCases finds cases by number (SOC-2026-00042), or by words of the
// person's name, optionally in one phase; newest first, at most
// socialSearchLimit.
func (s *Store) SearchCases(ctx context.Context, u access.User, text string, phase social.Phase) ([]social.Case, error) {
	if !u.Role.CanUseSocialDesk() {
		return nil, errSocialForbidden
	}
	if phase != "" && !phase.Valid() {
		return nil, fault.New(fault.Invalid, "Unknown phase {{.Phase}}", map[string]any{"Phase": string(phase)})
	}
	text = strings.TrimSpace(text)
	if n, err := social.ParseNumber(text); err == nil {
		return querySocialCases(ctx, s.r, `WHERE c.number = ? AND (? = '' OR c.phase = ?)`, n.String(), string(phase), string(phase))
	}
	// Every word must appear in the folded name; LIKE's wildcards in the
	// words are escaped.
	where := `WHERE (? = '' OR c.phase = ?)`
	args := []any{string(phase), string(phase)}
	for _, w := range strings.Fields(registry.Fold(text)) {
		w = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)
		where += ` AND c.person_key LIKE ? ESCAPE '\'`
		args = append(args, "%"+w+"%")
	}
	args = append(args, socialSearchLimit)
	return querySocialCases(ctx, s.r, where+` ORDER BY c.opened_at DESC, c.id DESC LIMIT ?`, args...)
}

// PersonHasSocialCase reports whether a person of the register has a
// social-desk case, and nothing more. Social workers may ask; the registry
// roles only when the desk's setting MetaSocialShowCases is "1".
func (s *Store) PersonHasSocialCase(ctx context.Context, u access.User, personUID string) (bool, error) {
	if !u.Role.CanUseSocialDesk() {
		show, err := s.Meta(ctx, MetaSocialShowCases)
		if err != nil {
			return false, err
		}
		if show != "1" || !u.Role.CanUseRegistry() {
			return false, errSocialForbidden
		}
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM social_case WHERE person_uid = ?`, personUID).Scan(&n); err != nil {
		return false, fmt.Errorf("social case: %w", err)
	}
	return n > 0, nil
}
