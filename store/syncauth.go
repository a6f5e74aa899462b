package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/social"
)

// The server trusts a desk with what it did itself, and no further. Every
// pushed mutation goes through this file before it is applied:
//
//  1. wellFormed (newPushBatch, before the batch's transaction): a ULID id, a seq, an
//     entity and an op that read as names, a JSON object payload, a
//     created_at instant, documents that parse. A malformed mutation is no
//     change a desk makes: the whole push is refused (400 invalid), nothing
//     is recorded and no seq is used, so the desk's sequence is not bent by
//     junk.
//  2. authorise (in applyMutation, before the effect): the (entity, op) is
//     one of pushRules; its operator is a clerk the server knows, not locked
//     when the change was made, whose role (at the server) may do it by the
//     access policy; the documents it carries are of the entities that
//     change writes; a change to the clerks carries a server login of an
//     administrator for this desk (ServerLogin); and the payload passes the
//     domain's validation.
//  3. validateDocs (in applyEffect, after the merge): every document about
//     to be written passes the same domain rules the desk runs.
//
// A well-formed mutation refused by 2 or 3 is recorded as rejected with
// the reason and uses its seq, as every refused change does: the desk shows
// it and its sequence goes on.

// ServerLoginTTL is how long a server login proves a clerk's identity for
// changes to the clerks.
const ServerLoginTTL = 30 * time.Minute

const metaLoginSecret = "sync_login_secret" // the server's HMAC key for logins (hex)

// ServerLogin is the server's signed statement that it checked the
// password of Username at one desk, valid until Expires.
type ServerLogin struct {
	Username string
	Token    string
	Expires  time.Time
}

type loginClaims struct {
	Desk    string `json:"d"`
	User    string `json:"u"`
	Expires int64  `json:"e"` // Unix seconds
}

// IssueServerLogin signs a server login of username at the desk deskID;
// the server calls it once it has checked the password.
func (s *Store) IssueServerLogin(ctx context.Context, deskID, username string) (ServerLogin, error) {
	secret, err := s.loginSecret(ctx)
	if err != nil {
		return ServerLogin{}, err
	}
	exp := s.now().Add(ServerLoginTTL).Truncate(time.Second)
	claims, _ := json.Marshal(loginClaims{Desk: deskID, User: strings.ToLower(username), Expires: exp.Unix()})
	body := base64.RawURLEncoding.EncodeToString(claims)
	return ServerLogin{Username: username, Token: body + "." + loginMAC(secret, body), Expires: exp}, nil
}

func loginMAC(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// loginSecret returns the server's login key, making it the first time.
func (s *Store) loginSecret(ctx context.Context) ([]byte, error) {
	v, err := s.Meta(ctx, metaLoginSecret)
	if err != nil {
		return nil, err
	}
	if v == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("login key: %w", err)
		}
		if _, err := s.w.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)`, metaLoginSecret, hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("login key: %w", err)
		}
		if v, err = s.Meta(ctx, metaLoginSecret); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(v)
}

var errNoServerLogin = fault.New(fault.Forbidden,
	"Changes to the clerks need an administrator whose password the server checked: log in again while the server answers, then make the change", nil)

// checkServerLogin verifies, within tx, that token is a server login of
// username at deskID, still valid at now.
func checkServerLogin(ctx context.Context, tx *sql.Tx, token, deskID, username string, now time.Time) error {
	var secretHex string
	err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, metaLoginSecret).Scan(&secretHex)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoServerLogin
	}
	if err != nil {
		return fmt.Errorf("server login: %w", err)
	}
	secret, err := hex.DecodeString(secretHex)
	if err != nil {
		return fmt.Errorf("server login: %w", err)
	}
	body, mac, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(loginMAC(secret, body)), []byte(mac)) {
		return errNoServerLogin
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	var c loginClaims
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Desk != deskID || c.User != strings.ToLower(username) {
		return errNoServerLogin
	}
	if now.Unix() > c.Expires {
		return fault.New(fault.Forbidden, "The administrator's server login expired before the change reached the server: log in again while the server answers and make the change again", nil)
	}
	return nil
}

// serverLogins are the server logins this desk holds, by username (lower
// case): in memory only, so a desk that restarts asks its clerks again.
type serverLogins struct {
	mu sync.Mutex
	m  map[string]ServerLogin
}

// RememberServerLogin keeps a server login for the changes its clerk makes
// at this desk next (central.ServerFirst calls it after a login the
// server checked).
func (s *Store) RememberServerLogin(l ServerLogin) {
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	if s.logins.m == nil {
		s.logins.m = map[string]ServerLogin{}
	}
	s.logins.m[strings.ToLower(l.Username)] = l
}

func (s *Store) serverLogin(username string) (ServerLogin, bool) {
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	l, ok := s.logins.m[strings.ToLower(username)]
	if !ok || !s.now().Before(l.Expires) {
		return ServerLogin{}, false
	}
	return l, true
}

// clerkChangeAuth is the proof a change of entity by operator carries: a
// server login, for changes to the clerks.
func (s *Store) clerkChangeAuth(entity, operator string) string {
	if entity != docUser {
		return ""
	}
	l, _ := s.serverLogin(operator)
	return l.Token
}

// ClerkChangesAllowed says whether operator may change the clerks at this
// desk now. A desk that syncs with a server may only when the server
// checked the operator's password at a login not yet expired (offline, an
// administrator cannot change clerks); a desk on its own always may.
func (s *Store) ClerkChangesAllowed(ctx context.Context, operator string) error {
	epoch, err := s.Meta(ctx, metaSyncEpoch)
	if err != nil || epoch == "" {
		return err
	}
	if _, ok := s.serverLogin(operator); !ok {
		return errNoServerLogin
	}
	return nil
}

// Well-formedness.

var namePattern = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// maxEntityUID bounds the entity uid: a ULID, a certificate number, a key id.
const maxEntityUID = 128

// wellFormed checks the shape of a pushed mutation (step 1 above) and
// returns the heads of its documents.
func wellFormed(m Mutation) ([]docHead, error) {
	bad := func(what string) error {
		return fault.New(fault.Invalid, "The change number {{.Seq}} is malformed ({{.What}}): the server took none of this batch",
			map[string]any{"Seq": m.Seq, "What": what})
	}
	if _, err := ulid.ParseStrict(m.MutationID); err != nil {
		return nil, bad("mutation_id")
	}
	if m.Seq < 1 {
		return nil, bad("seq")
	}
	if !namePattern.MatchString(m.Entity) {
		return nil, bad("entity")
	}
	if !namePattern.MatchString(m.Op) {
		return nil, bad("op")
	}
	if m.EntityUID == "" || len(m.EntityUID) > maxEntityUID {
		return nil, bad("entity_uid")
	}
	if m.Operator == "" || len(m.Operator) > maxUsernameLength*4 {
		return nil, bad("operator")
	}
	var payload map[string]json.RawMessage
	if json.Unmarshal(m.Payload, &payload) != nil || payload == nil {
		return nil, bad("payload")
	}
	if _, err := time.Parse(time.RFC3339Nano, m.CreatedAt); err != nil {
		return nil, bad("created_at")
	}
	if len(m.Docs) == 0 {
		return nil, nil
	}
	heads, err := docHeads(m.Docs)
	if err != nil {
		return nil, bad("docs")
	}
	for _, d := range heads {
		fields := bytes.TrimSpace(d.Fields)
		if !namePattern.MatchString(d.Entity) || d.UID == "" || len(d.UID) > maxEntityUID || d.Version < 0 ||
			(len(fields) > 0 && fields[0] != '{' && string(fields) != "null") {
			return nil, bad("docs")
		}
	}
	return heads, nil
}

// pushBatch is what the checks keep across one batch: the heads of each
// mutation's documents, read once by the shape check, and the roles of the
// operators read so far (forgotten after a change to the clerks).
type pushBatch struct {
	heads map[string][]docHead // by mutation id
	roles map[string]access.Role
}

// newPushBatch checks the shape of every mutation of a batch before
// anything of it is applied.
func newPushBatch(batch []Mutation) (*pushBatch, error) {
	pb := &pushBatch{heads: make(map[string][]docHead, len(batch)), roles: map[string]access.Role{}}
	for _, m := range batch {
		heads, err := wellFormed(m)
		if err != nil {
			return nil, err
		}
		pb.heads[m.MutationID] = heads
	}
	return pb, nil
}

// role returns the role at the server of a clerk; ok is false when the
// server does not know them.
func (pb *pushBatch) role(ctx context.Context, tx *sql.Tx, username string) (access.Role, bool, error) {
	if r, ok := pb.roles[username]; ok {
		return r, r != "", nil
	}
	var held string
	err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE username = ?`, username).Scan(&held)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("push: %w", err)
	}
	pb.roles[username] = access.Role(held)
	return access.Role(held), held != "", nil
}

// docHead is what the checks read of a document: which entity, its uid and
// version, and that its fields are an object.
type docHead struct {
	Entity  string          `json:"entity"`
	UID     string          `json:"uid"`
	Version int64           `json:"version"`
	Fields  json.RawMessage `json:"fields"`
}

// docHeads reads the documents of a mutation, before and after.
func docHeads(raw json.RawMessage) ([]docHead, error) {
	var ed struct {
		Before []docHead `json:"before"`
		After  []docHead `json:"after"`
	}
	if err := json.Unmarshal(raw, &ed); err != nil {
		return nil, err
	}
	return append(ed.Before, ed.After...), nil
}

// Authorisation.

// Operators that are no clerk but the desk itself: its kiosk (a ticket, a
// check-in), and the desk program making its own key.
const (
	kioskOperator = "kiosk"
	deskOperator  = "sportello"
)

// pushRule says who may push a kind of mutation and what it may write.
type pushRule struct {
	may     func(access.Role) bool // the access policy's power; nil: any clerk
	device  string                 // the one operator, not a clerk, that may do it too (kioskOperator, deskOperator)
	clerks  bool                   // a change to the clerks: an administrator with a server login
	docs    []string               // the document entities it may write
	payload func(p pushCheck) error
	noop    func(p pushCheck) (bool, error) // true: accepted, nothing to apply
}

// pushCheck is what a rule's checks see.
type pushCheck struct {
	ctx  context.Context
	tx   *sql.Tx
	m    Mutation
	role access.Role
	desk string
	now  time.Time
}

type ruleKey struct{ Entity, Op string }

var (
	registryDocs = []string{docPerson, docFamily, docAddress}
	socialDocs   = []string{"social_visitor", "social_case", "social_consent", "social_document", "social_note", "social_referral", "social_appointment"}
)

func anyRole(access.Role) bool { return true }

// mayAnnul: only a registrar annuls a registered certificate.
func mayAnnul(r access.Role) bool { return r == access.Registrar }

// serverIssuing is who may issue as the server sees it: the server does not
// know each desk's supervisors_issue setting, so it accepts the roles the
// most open setting allows (the desk itself refuses the rest first).
var serverIssuing = certificate.IssuePolicy{Supervisors: true}.MayIssue

// pushRules is every kind of mutation the server accepts from a desk:
// (entity, op) -> who may, what it writes, how it is checked. A kind that
// is not here is refused. Other parts add their rows here.
var pushRules = map[ruleKey]pushRule{
	{docPerson, "create"}:                      {may: access.Role.CanEditRegistry, docs: registryDocs},
	{docPerson, "change_address"}:              {may: access.Role.CanEditRegistry, docs: registryDocs, payload: checkAddressStradario},
	{docPerson, "civil_event"}:                 {may: access.Role.CanEditRegistry, docs: registryDocs},
	{docPerson, "add_document"}:                {may: access.Role.CanEditRegistry, docs: registryDocs},
	{docPerson, "move_family"}:                 {may: access.Role.CanEditRegistry, docs: registryDocs},
	{docPerson, "correct"}:                     {may: access.Role.CanCorrectPersonalData, docs: registryDocs},
	{docFamily, "change_householder"}:          {may: access.Role.CanEditRegistry, docs: registryDocs},
	{docPerson, "resolve_conflict"}:            {may: access.Role.CanEditRegistry, docs: []string{docPerson}},
	{docFamily, "resolve_conflict"}:            {may: access.Role.CanEditRegistry, docs: []string{docFamily}},
	{docAddress, "resolve_conflict"}:           {may: access.Role.CanEditRegistry, docs: []string{docAddress}},
	{docUser, "create"}:                        {may: access.Role.CanManageUsers, clerks: true, docs: []string{docUser}, payload: checkUserCreate},
	{docUser, "set_role"}:                      {may: access.Role.CanManageUsers, clerks: true, docs: []string{docUser}, payload: checkUserChange("role")},
	{docUser, "set_password"}:                  {may: access.Role.CanManageUsers, clerks: true, docs: []string{docUser}, payload: checkUserChange("password_hash")},
	{docUser, "resolve_conflict"}:              {may: access.Role.CanManageUsers, clerks: true, docs: []string{docUser}},
	{docDeskKey, "create"}:                     {may: anyRole, device: deskOperator, noop: ownEnrolledKey},
	{"certificate", "issue"}:                   {may: serverIssuing, payload: checkCertificateNumber},
	{"certificate", "reprint"}:                 {may: serverIssuing},
	{"certificate", "annul"}:                   {may: mayAnnul}, // synccert.go checks the number and the reason
	{"cash_close", "close"}:                    {may: serverIssuing},
	{"queue_ticket", "create"}:                 {device: kioskOperator},
	{"queue_ticket", "update"}:                 {device: kioskOperator},
	{"queue_counter_pause", "create"}:          {},
	{"queue_counter_pause", "update"}:          {},
	{"queue_appointment", "create"}:            {device: kioskOperator},
	{"queue_appointment", "update"}:            {device: kioskOperator},
	{"queue_service", "set"}:                   {may: access.Role.CanSetUpOffice, payload: checkPayload(func(s queue.Service) error { return s.Validate() })},
	{"queue_service", "create"}:                {may: access.Role.CanSetUpOffice, payload: checkPayload(validServiceSetup)},
	{"queue_service", "update"}:                {may: access.Role.CanSetUpOffice, payload: checkPayload(validServiceSetup)},
	{"queue_counter", "set"}:                   {may: access.Role.CanSetUpOffice, payload: checkPayload(func(c queue.Counter) error { return c.Validate() })},
	{"queue_settings", "update"}:               {may: access.Role.CanSetUpOffice, payload: checkPayload(validQueueSettings)},
	{"social_case", "create"}:                  {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_case", "update"}:                  {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_visitor", "create"}:               {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_document", "create"}:              {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_note", "create"}:                  {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_referral", "create"}:              {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_referral", "update"}:              {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_appointment", "create"}:           {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_appointment", "update"}:           {may: access.Role.CanUseSocialDesk, docs: socialDocs},
	{"social_case", "resolve_conflict"}:        {may: access.Role.CanUseSocialDesk, docs: []string{"social_case"}},
	{"social_referral", "resolve_conflict"}:    {may: access.Role.CanUseSocialDesk, docs: []string{"social_referral"}},
	{"social_appointment", "resolve_conflict"}: {may: access.Role.CanUseSocialDesk, docs: []string{"social_appointment"}},
	// Record views (access_sync.go checks their payload when applied).
	{accessEntity, opViewPerson}: {may: access.Role.CanUseRegistry},
	{accessEntity, opViewCase}:   {may: access.Role.CanUseSocialDesk},
}

// errNotAllowed is a change the operator's role may not make.
func errNotAllowed(m Mutation) error {
	return fault.New(fault.Forbidden, "The role of {{.Operator}} may not make this change ({{.Change}})",
		map[string]any{"Operator": m.Operator, "Change": m.Entity + "/" + m.Op})
}

// authorise checks a well-formed mutation against pushRules (step 2
// above), and returns its operator's role at the server; noop is true for a
// change accepted with nothing to apply.
func authorise(ctx context.Context, tx *sql.Tx, pb *pushBatch, deskID string, m Mutation, now time.Time) (role access.Role, noop bool, err error) {
	rule, ok := pushRules[ruleKey{m.Entity, m.Op}]
	if !ok {
		return "", false, fault.New(fault.Invalid, "The server does not accept this kind of change ({{.Change}})", map[string]any{"Change": m.Entity + "/" + m.Op})
	}
	p := pushCheck{ctx: ctx, tx: tx, m: m, desk: deskID, now: now}
	if rule.device == "" || m.Operator != rule.device {
		held, known, err := pb.role(ctx, tx, m.Operator)
		if err != nil {
			return "", false, err
		}
		if !known {
			return "", false, fault.New(fault.Forbidden, "The server does not know the clerk {{.Operator}}", map[string]any{"Operator": m.Operator})
		}
		p.role = held
		if rule.may != nil && !rule.may(p.role) {
			return p.role, false, errNotAllowed(m)
		}
		if err := notLocked(ctx, tx, m); err != nil {
			return p.role, false, err
		}
	}
	if rule.clerks {
		if err := checkServerLogin(ctx, tx, m.Auth, deskID, m.Operator, now); err != nil {
			return p.role, false, err
		}
		clear(pb.roles) // the change may give a clerk another role
	}
	if err := checkDocKinds(m, pb.heads[m.MutationID], rule.docs); err != nil {
		return p.role, false, err
	}
	if rule.noop != nil {
		noop, err := rule.noop(p)
		return p.role, noop, err
	}
	if rule.payload != nil {
		return p.role, false, rule.payload(p)
	}
	return p.role, false, nil
}

// notLocked refuses a change made while the server held its operator
// locked (five wrong passwords: access.LockoutDuration).
func notLocked(ctx context.Context, tx *sql.Tx, m Mutation) error {
	var until sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT locked_until FROM login_failure WHERE username = ?`, strings.ToLower(m.Operator)).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || !until.Valid {
		return nil
	}
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	end, err := time.Parse(time.RFC3339Nano, until.String)
	if err != nil {
		return nil
	}
	at, _ := time.Parse(time.RFC3339Nano, m.CreatedAt)
	if !at.Before(end.Add(-access.LockoutDuration)) && at.Before(end) {
		return fault.New(fault.Forbidden, "The clerk {{.Operator}} was locked at the server when the change was made", map[string]any{"Operator": m.Operator})
	}
	return nil
}

// checkDocKinds refuses documents of entities the change does not write
// (a user document inside a change of address).
func checkDocKinds(m Mutation, heads []docHead, allowed []string) error {
	for _, d := range heads {
		if !slices.Contains(allowed, d.Entity) {
			return fault.New(fault.Forbidden, "The change {{.Change}} may not write a record of kind {{.Entity}}",
				map[string]any{"Change": m.Entity + "/" + m.Op, "Entity": d.Entity})
		}
	}
	return nil
}

// ownEnrolledKey accepts a desk_key/create that only repeats the key the
// desk enrolled with (every desk pushes the making of its own key): a
// desk's keys come from enrolment alone, so it writes nothing; any other
// key is refused.
func ownEnrolledKey(p pushCheck) (bool, error) {
	var k struct {
		DeskCode  string `json:"desk_code"`
		PublicKey string `json:"public_key"`
	}
	var code, keyID string
	err := p.tx.QueryRowContext(p.ctx, `SELECT desk_code, key_id FROM sync_desk WHERE desk_id = ?`, p.desk).Scan(&code, &keyID)
	if err != nil {
		return false, fmt.Errorf("push: %w", err)
	}
	if json.Unmarshal(p.m.Payload, &k) != nil {
		return false, fault.New(fault.Invalid, "The sync data holds a malformed desk key", nil)
	}
	pub, herr := hex.DecodeString(k.PublicKey)
	if herr == nil && k.DeskCode == code && p.m.EntityUID == keyID && certificate.KeyID(pub) == keyID {
		return true, nil
	}
	return false, fault.New(fault.Forbidden, "A desk's keys come only from its enrolment at the server: this key was not taken", nil)
}

// checkPayload decodes the payload as T and runs its domain check.
func checkPayload[T any](check func(T) error) func(p pushCheck) error {
	return func(p pushCheck) error {
		var v T
		if err := json.Unmarshal(p.m.Payload, &v); err != nil {
			return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
		}
		return check(v)
	}
}

// validServiceSetup is queue.ServiceSetup's rules on a service's set-up as
// the desk sends it.
func validServiceSetup(p serviceSetupPayload) error {
	ss := queue.ServiceSetup{Service: queue.Service{Code: p.Code, Name: p.Name, DailyCap: p.DailyCap, Open: p.Open, Position: p.Position},
		First: p.First, Last: p.Last, SlotMinutes: p.SlotMinutes}
	for _, h := range p.Hours {
		opens, err1 := queue.ParseClock(h.Opens)
		closes, err2 := queue.ParseClock(h.Closes)
		if err1 != nil || err2 != nil || h.Weekday < 0 || h.Weekday > 6 {
			return fault.New(fault.Invalid, "Each opening range must close after it opens", nil)
		}
		ss.Hours = append(ss.Hours, queue.Hours{Weekday: time.Weekday(h.Weekday), Opens: opens, Closes: closes})
	}
	return ss.Validate()
}

// validQueueSettings is queue.Settings' rules on the settings as the desk
// sends them.
func validQueueSettings(p settingsPayload) error {
	return queue.Settings{Policy: queue.Policy{PriorityRun: p.PriorityRun, MaxWait: time.Duration(p.MaxWaitMinutes) * time.Minute,
		AppointmentWindow: time.Duration(p.WindowMinutes) * time.Minute}, Within: time.Duration(p.WithinMinutes) * time.Minute, Chime: p.Chime}.Validate()
}

// checkCertificateNumber refuses a certificate whose number is not one.
func checkCertificateNumber(p pushCheck) error {
	var c struct {
		Number string `json:"number"`
	}
	if json.Unmarshal(p.m.Payload, &c) != nil {
		return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
	}
	if _, err := certificate.ParseNumber(c.Number); err != nil {
		return err
	}
	return nil
}

// userDocs returns the user documents a change carries, after.
func userDocs(m Mutation) ([]Doc, []Doc, error) {
	var ed EditDocs
	if err := json.Unmarshal(m.Docs, &ed); err != nil || len(ed.After) == 0 {
		return nil, nil, fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
	}
	return ed.Before, ed.After, nil
}

// checkUserCreate: a new clerk, with a name no other clerk has.
func checkUserCreate(p pushCheck) error {
	before, after, err := userDocs(p.m)
	if err != nil {
		return err
	}
	if len(before) > 0 || len(after) != 1 || after[0].UID != p.m.EntityUID {
		return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
	}
	var u struct {
		Username string `json:"username"`
	}
	if decodeFields(after[0].Fields, &u) != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed user", nil)
	}
	var other string
	err = p.tx.QueryRowContext(p.ctx, `SELECT uid FROM users WHERE username = ?`, u.Username).Scan(&other)
	if err == nil && other != after[0].UID {
		return fault.New(fault.Conflict, "The username {{.Username}} is already taken", map[string]any{"Username": u.Username})
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("push: %w", err)
	}
	return nil
}

// checkUserChange: a change of one field of one existing clerk; an
// administrator does not change their own role.
func checkUserChange(field string) func(p pushCheck) error {
	return func(p pushCheck) error {
		_, after, err := userDocs(p.m)
		if err != nil {
			return err
		}
		if len(after) != 1 || after[0].UID != p.m.EntityUID {
			return fault.New(fault.Invalid, "The sync data of the change is malformed", nil)
		}
		for f := range after[0].Fields {
			if f != field {
				return fault.New(fault.Forbidden, "The change {{.Change}} may not write a record of kind {{.Entity}}",
					map[string]any{"Change": p.m.Entity + "/" + p.m.Op, "Entity": docUser + "." + f})
			}
		}
		var username string
		err = p.tx.QueryRowContext(p.ctx, `SELECT username FROM users WHERE uid = ?`, p.m.EntityUID).Scan(&username)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "The user {{.Username}} does not exist", map[string]any{"Username": p.m.EntityUID})
		}
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if field == "role" && strings.EqualFold(username, p.m.Operator) {
			return fault.New(fault.Forbidden, "You cannot change your own role", nil)
		}
		return nil
	}
}

// Document validation (step 3 above).

// validateDocs runs the domain's rules on the documents a mutation is
// about to write, merged as they will be written. applied names, per
// document, the fields the mutation sets (nil: a new entity, all of them).
func validateDocs(m Mutation, role access.Role, docs []Doc, applied map[DocKey][]string) error {
	for _, d := range docs {
		check, ok := docRules[d.Entity]
		if !ok {
			continue
		}
		if err := check(m, role, d, applied[d.key()]); err != nil {
			return err
		}
	}
	return nil
}

// docRules validate a document by entity.
var docRules = map[string]func(m Mutation, role access.Role, d Doc, applied []string) error{
	docPerson:        validatePersonDoc,
	docAddress:       validateAddressDoc,
	docUser:          validateUserDoc,
	"social_visitor": validateVisitorDoc,
	"social_note":    validateNoteDoc,
	"social_case":    validateCaseDoc,
	// Referrals, appointments and documents meet the rules of the day the
	// desk made them (the mutation's created_at): offline work pushed later
	// is judged as the desk judged it.
	"social_referral":    validateReferralDoc,
	"social_appointment": validateAppointmentDoc,
	"social_document":    validateDocumentDoc,
}

// decodeRecord reads a social record's fields into v; fields that do not
// fit are a malformed record.
func decodeRecord(d Doc, v any) error {
	if err := decodeFields(d.Fields, v); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed record", nil)
	}
	return nil
}

// madeAt is when the desk made the mutation; a change to an existing
// record (applied non-nil) is judged on its values only, with no "not in
// the past" rule (the zero time).
func madeAt(m Mutation, applied []string) time.Time {
	if applied != nil {
		return time.Time{}
	}
	at, _ := time.Parse(time.RFC3339Nano, m.CreatedAt) // well formed: checked first
	return at
}

func validateReferralDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var f struct {
		Service  string `json:"service"`
		Status   string `json:"status"`
		FollowUp string `json:"follow_up"`
		Note     string `json:"note"`
	}
	if err := decodeRecord(d, &f); err != nil {
		return err
	}
	follow, err := registry.ParseDate(f.FollowUp)
	if err != nil {
		return err
	}
	r := social.Referral{Service: f.Service, Status: social.ReferralStatus(f.Status), FollowUp: follow, Note: f.Note}
	var today registry.Date
	if at := madeAt(m, applied); !at.IsZero() {
		today = registry.DateOf(at.In(registry.Rome))
	}
	return r.Validate(today)
}

func validateAppointmentDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var f struct {
		Worker  string `json:"worker"`
		At      string `json:"at"`
		Minutes int    `json:"minutes"`
		Place   string `json:"place"`
		State   string `json:"state"`
	}
	if err := decodeRecord(d, &f); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, f.At)
	if err != nil {
		return fault.New(fault.Invalid, "Write the day and time of the appointment", nil)
	}
	switch social.AppointmentState(f.State) {
	case social.AppointmentBooked, social.AppointmentArrived, social.AppointmentCancelled:
	default:
		return fault.New(fault.Invalid, "The sync data holds a malformed record", nil)
	}
	a := social.Appointment{Worker: f.Worker, At: at, Minutes: f.Minutes, Place: f.Place}
	return a.Validate(madeAt(m, applied))
}

func validateDocumentDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var f struct {
		Kind    string `json:"kind"`
		Name    string `json:"name"`
		Content string `json:"content"` // hex
	}
	if err := decodeRecord(d, &f); err != nil {
		return err
	}
	content, err := hex.DecodeString(f.Content)
	if err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed record", nil)
	}
	doc := social.Document{Kind: social.DocumentKind(f.Kind), Name: f.Name, Content: content}
	return doc.Validate()
}

func touches(applied []string, fields ...string) bool {
	if applied == nil {
		return true
	}
	for _, f := range fields {
		if slices.Contains(applied, f) {
			return true
		}
	}
	return false
}

func validatePersonDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	// The row's fields only: the lists (residences, events...) are long and
	// the person's rules do not read them.
	row := make(registry.Fields, len(personRowFields))
	for _, k := range personRowFields {
		if v, ok := d.Fields[k]; ok {
			row[k] = v
		}
	}
	var f personFields
	if err := decodeFields(row, &f); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed person", nil)
	}
	born, err := registry.ParseDate(f.BirthDate)
	if err != nil {
		return fault.New(fault.Invalid, "The birth date is not valid", nil)
	}
	p := registry.Person{CF: f.CF, Surname: f.Surname, Name: f.Name, Sex: registry.Sex(f.Sex), BirthDate: born,
		BirthPlace: f.BirthPlace, BirthPlaceName: f.BirthPlaceName, Status: registry.Status(f.Status)}
	if err := p.Validate(); err != nil {
		return err
	}
	personal := []string{"cf", "surname", "name", "sex", "birth_date", "birth_place", "birth_place_name"}
	// Only a registrar corrects the personal data of a person already in
	// the register, whatever change carries it.
	if applied != nil && touches(applied, personal...) && !role.CanCorrectPersonalData() {
		return fault.New(fault.Forbidden, "Only a registrar may correct personal data", nil)
	}
	// The personal data recorded must match the codice fiscale, unless a
	// registrar confirmed the mismatch (as the desk checks).
	if touches(applied, personal...) {
		return registry.CheckCF(p, role.CanCorrectPersonalData())
	}
	return nil
}

func validateAddressDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var a addressFields
	if err := decodeFields(d.Fields, &a); err != nil {
		return fault.New(fault.Invalid, "The sync data holds a malformed address", nil)
	}
	if strings.TrimSpace(a.Street) == "" {
		return fault.New(fault.Invalid, "The street is required", nil)
	}
	return nil
}

var bcryptHash = regexp.MustCompile(`^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$`)

func validateUserDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var u struct {
		Username     string `json:"username"`
		FullName     string `json:"full_name"`
		Role         string `json:"role"`
		PasswordHash string `json:"password_hash"`
	}
	if err := decodeFields(d.Fields, &u); err != nil || !bcryptHash.MatchString(u.PasswordHash) {
		return fault.New(fault.Invalid, "The sync data holds a malformed user", nil)
	}
	// The password is checked at the desk (the hash is all that travels).
	return validateUser(access.User{Username: u.Username, FullName: u.FullName, Role: access.Role(u.Role)}, strings.Repeat("x", MinPasswordLength))
}

func validateVisitorDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var v struct {
		Surname   string  `json:"surname"`
		Name      string  `json:"name"`
		CF        string  `json:"cf"`
		BirthDate *string `json:"birth_date"`
	}
	if err := decodeRecord(d, &v); err != nil {
		return err
	}
	visitor := social.Visitor{Surname: v.Surname, Name: v.Name, CF: v.CF}
	if v.BirthDate != nil && *v.BirthDate != "" {
		born, err := registry.ParseDate(*v.BirthDate)
		if err != nil {
			return fault.New(fault.Invalid, "The birth date is not valid", nil)
		}
		visitor.BirthDate = born
	}
	return visitor.Validate()
}

func validateNoteDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var n struct {
		Author string `json:"author"`
		Text   string `json:"text"`
	}
	if err := decodeRecord(d, &n); err != nil {
		return err
	}
	note := social.Note{Text: n.Text}
	if err := note.Validate(); err != nil {
		return err
	}
	// A note is written once, by its author.
	if applied == nil && !strings.EqualFold(n.Author, m.Operator) {
		return fault.New(fault.Forbidden, "A note is written by its author only", nil)
	}
	return nil
}

func validateCaseDoc(m Mutation, role access.Role, d Doc, applied []string) error {
	var c struct {
		Number   string `json:"number"`
		Type     string `json:"type"`
		Priority string `json:"priority"`
		Phase    string `json:"phase"`
	}
	if err := decodeRecord(d, &c); err != nil {
		return err
	}
	if _, err := social.ParseNumber(c.Number); err != nil {
		return err
	}
	if !social.RequestType(c.Type).Valid() || !social.Priority(c.Priority).Valid() || !social.Phase(c.Phase).Valid() {
		return fault.New(fault.Invalid, "The sync data holds a malformed record", nil)
	}
	return nil
}

// keepPersonVersions keeps, as the desk does, the row of every person a
// push is about to replace in person_version: the server is the system of
// record.
func keepPersonVersions(ctx context.Context, tx *sql.Tx, docs []Doc, known map[DocKey]Doc, now time.Time) error {
	for _, d := range docs {
		cur, ok := known[d.key()]
		if d.Entity != docPerson || !ok {
			continue
		}
		id, err := rowIDOf(ctx, tx, docPerson, d.UID)
		if err != nil || id == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, snapshotPersonSQL+` ON CONFLICT DO NOTHING`, timestamp(now), id, cur.Version); err != nil {
			return fmt.Errorf("keep person version: %w", err)
		}
	}
	return nil
}
