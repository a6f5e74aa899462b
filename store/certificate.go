package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// The desk's signing key lives in the database file (desk_key), as a 32-byte
// Ed25519 seed beside its public key: the file already holds the register
// and must be protected as such; a backup of the file keeps the key, so a
// restored desk seals with the same key.

// DeskKey returns this desk's signing key, making it on first use: the
// public key goes into the outbox to be enrolled at the server.
func (s *Store) DeskKey(ctx context.Context) (ed25519.PrivateKey, error) {
	if key, err := s.ownKey(ctx, s.r); err != nil || key != nil {
		return key, err
	}
	tx, err := s.begin(ctx, "sportello")
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	key, err := s.deskKey(ctx, tx)
	if err != nil {
		return nil, err
	}
	return key, tx.Commit()
}

func (s *Store) ownKey(ctx context.Context, q querier) (ed25519.PrivateKey, error) {
	var seed []byte
	err := q.QueryRowContext(ctx, `SELECT private_key FROM desk_key WHERE private_key IS NOT NULL AND desk_code <> ?`, certificate.OnlineDesk).Scan(&seed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("desk key: %w", err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("desk key: stored seed has %d bytes", len(seed))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// deskKey returns the desk's key within tx, making it when there is none.
func (s *Store) deskKey(ctx context.Context, tx *sql.Tx) (ed25519.PrivateKey, error) {
	if key, err := s.ownKey(ctx, tx); err != nil || key != nil {
		return key, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("desk key: %w", err)
	}
	id := certificate.KeyID(pub)
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_key(key_id, desk_code, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, s.deskCode, []byte(pub), priv.Seed(), timestamp(s.now())); err != nil {
		return nil, fmt.Errorf("desk key: %w", err)
	}
	c := change{
		Entity: "desk_key", EntityUID: id, Op: "create",
		Payload: map[string]string{"key_id": id, "desk_code": s.deskCode, "public_key": hex.EncodeToString(pub)},
		Action:  "desk_key.create",
		Detail:  fmt.Sprintf(`{"key_id":%q}`, id),
	}
	if err := s.logChange(ctx, tx, "sportello", c); err != nil {
		return nil, err
	}
	return priv, nil
}

// TrustedKeys returns the keys whose seals this desk accepts, with their
// desk codes and revocation times: its own and those the server enrolled
// (pulled as desk_key documents).
func (s *Store) TrustedKeys(ctx context.Context) (certificate.Keys, error) {
	return s.trustedKeys(ctx, `SELECT key_id, public_key, desk_code, coalesce(revoked_at, '') FROM desk_key`)
}

// trustedKeys reads the keys query selects (key id, public key, desk code,
// revocation time, empty when not revoked).
func (s *Store) trustedKeys(ctx context.Context, query string) (certificate.Keys, error) {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("trusted keys: %w", err)
	}
	defer rows.Close()
	keys := certificate.Keys{}
	for rows.Next() {
		var id, code, revoked string
		var pub []byte
		if err := rows.Scan(&id, &pub, &code, &revoked); err != nil {
			return nil, fmt.Errorf("trusted keys: %w", err)
		}
		k := certificate.TrustedKey{PublicKey: ed25519.PublicKey(pub), DeskCode: code}
		if revoked != "" {
			if k.RevokedAt, err = time.Parse(time.RFC3339Nano, revoked); err != nil {
				return nil, fmt.Errorf("trusted keys: revoked_at of %s: %w", id, err)
			}
		}
		keys[id] = k
	}
	return keys, rows.Err()
}

// IssueInput is one certificate to issue.
type IssueInput struct {
	PersonID     int64
	Request      certificate.Request
	Issuer       certificate.Issuer
	Municipality certificate.Municipality
	Settings     certificate.Settings
	Policy       certificate.IssuePolicy // which roles issue; supervisors only when it says so
}

// DraftCertificate is the certificate the input would issue, as it will
// read but for its number and seal, rendered with render: the preview shown
// before the number is taken. It checks what IssueCertificate checks before
// numbering, and writes nothing.
func (s *Store) DraftCertificate(ctx context.Context, in IssueInput, render func(certificate.Document) ([]byte, error)) (certificate.Document, []byte, error) {
	in.Request.Normalise()
	if err := in.Request.ApplySettings(in.Settings); err != nil {
		return certificate.Document{}, nil, err
	}
	if !in.Policy.MayIssue(in.Issuer.Role) {
		return certificate.Document{}, nil, fault.New(fault.Forbidden, "Your role does not issue certificates", nil)
	}
	on := registry.DateOf(s.now().In(registry.Rome))
	in.Request.On = on
	rec, err := s.Record(ctx, in.PersonID)
	if err != nil {
		return certificate.Document{}, nil, err
	}
	if _, err := certificate.Check(rec, in.Request, in.Issuer); err != nil {
		return certificate.Document{}, nil, err
	}
	d := certificate.Draft(rec, in.Request, on, in.Municipality, in.Issuer)
	pdf, err := render(d)
	if err != nil {
		return certificate.Document{}, nil, err
	}
	return d, pdf, nil
}

// AnnulCertificate records that a registrar annulled a registered
// certificate, with the reason: in the register, the outbox (certificate
// annul, for the server's register) and the audit log, in one transaction.
// A certificate is annulled once.
func (s *Store) AnnulCertificate(ctx context.Context, by access.User, number, reason string) error {
	if by.Role != access.Registrar {
		return fault.New(fault.Forbidden, "Only a registrar annuls a certificate", nil)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return fault.New(fault.Invalid, "Annulling a certificate needs the reason", nil)
	}
	n, err := certificate.ParseNumber(number)
	if err != nil {
		return err
	}
	tx, err := s.begin(ctx, by.Username)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var annulled string
	err = tx.QueryRowContext(ctx, `SELECT annulled_at FROM certificate WHERE number = ?`, n.String()).Scan(&annulled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fault.New(fault.NotFound, "No certificate with this number or verification code is in the register", nil)
	case err != nil:
		return fmt.Errorf("annul certificate: %w", err)
	case annulled != "":
		return fault.New(fault.Conflict, "Certificate {{.Number}} is already annulled", map[string]any{"Number": n.String()})
	}
	at := timestamp(s.now())
	if _, err := tx.ExecContext(ctx, `UPDATE certificate SET annulled_at = ?, annulled_by = ?, annul_reason = ? WHERE number = ?`,
		at, by.Username, reason, n.String()); err != nil {
		return fmt.Errorf("annul certificate: %w", err)
	}
	c := change{
		Entity: "certificate", EntityUID: n.String(), Op: "annul",
		Payload: annulPayload{Number: n.String(), Reason: reason, AnnulledAt: at},
		Action:  "certificate.annul",
		Detail:  fmt.Sprintf(`{"number":%q}`, n.String()),
	}
	if err := s.logChange(ctx, tx, by.Username, c); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("annul certificate: %w", err)
	}
	return nil
}

// annulPayload is an annulment as its mutation carries it.
type annulPayload struct {
	Number     string `json:"number"`
	Reason     string `json:"reason"`
	AnnulledAt string `json:"annulled_at"`
}

// IssueCertificate checks the rules on the person's record, numbers the
// certificate, seals it with the desk key, renders it with render and
// writes the register entry (with the PDF and its SHA-256), the cash rows,
// the outbox mutation and the audit entry in one transaction. The PDF is
// returned only once all of it is committed.
func (s *Store) IssueCertificate(ctx context.Context, in IssueInput, render func(certificate.Document) ([]byte, error)) (certificate.Issued, error) {
	in.Request.Normalise()
	if err := in.Request.ApplySettings(in.Settings); err != nil {
		return certificate.Issued{}, err
	}
	if s.deskCode == "" {
		return certificate.Issued{}, fault.New(fault.Invalid, "This desk has no desk code: set desk_code in the configuration", nil)
	}
	if !in.Policy.MayIssue(in.Issuer.Role) {
		return certificate.Issued{}, fault.New(fault.Forbidden, "Your role does not issue certificates", nil)
	}
	if strings.TrimSpace(in.Issuer.FullName) == "" {
		return certificate.Issued{}, fault.New(fault.Invalid, "A certificate carries the name of the official who issues it: the operator has no name", nil)
	}
	now := s.now()
	issued := registry.DateOf(now.In(registry.Rome))
	in.Request.On = issued
	tx, err := s.begin(ctx, in.Issuer.Username)
	if err != nil {
		return certificate.Issued{}, err
	}
	defer tx.Rollback()
	rec, err := readRecord(ctx, tx, in.PersonID)
	if err != nil {
		if fault.Code(err) == fault.Internal {
			err = fmt.Errorf("issue certificate: %w", err)
		}
		return certificate.Issued{}, err
	}
	forced, err := certificate.Check(rec, in.Request, in.Issuer)
	if err != nil {
		return certificate.Issued{}, err
	}
	key, err := s.deskKey(ctx, tx)
	if err != nil {
		return certificate.Issued{}, err
	}
	if f := in.Request.Fees(in.Settings); f.BolloCents > 0 || f.FeeCents > 0 {
		if err := checkDayOpen(ctx, tx, issued); err != nil {
			return certificate.Issued{}, err
		}
	}
	serial := marcaSerial(in.Request)
	if err := checkSerialUnused(ctx, tx, serial); err != nil {
		return certificate.Issued{}, err
	}
	num := certificate.Number{Desk: s.deskCode, Year: issued.Year}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM certificate WHERE desk_code = ? AND year = ?`,
		num.Desk, num.Year).Scan(&num.Seq); err != nil {
		return certificate.Issued{}, fmt.Errorf("issue certificate: %w", err)
	}
	if err := num.Validate(); err != nil {
		return certificate.Issued{}, err
	}
	doc := certificate.Compose(rec, in.Request, num, issued, in.Municipality, in.Issuer)
	if err := doc.SealWith(func(seal *certificate.Seal) error { return seal.Sign(key) }); err != nil {
		return certificate.Issued{}, err
	}
	pdf, err := render(doc)
	if err != nil {
		return certificate.Issued{}, err
	}
	sum := sha256.Sum256(pdf)
	out := certificate.Issued{Number: doc.Number, Document: doc, PDF: pdf, SHA256: hex.EncodeToString(sum[:]), Fees: in.Request.Fees(in.Settings), Forced: forced}
	req := in.Request
	var bolloPayment string
	if !req.Exempt() {
		bolloPayment = string(req.Duty.Payment)
	}
	forceReason := ""
	if len(forced) > 0 {
		forceReason = req.ForceReason
	}
	uid := newUID()
	certID, err := insertCertificate(ctx, tx, uid, doc, num, rec, req, out, in.Issuer.Username, now, issued, forceReason, bolloPayment, serial)
	if err != nil {
		return certificate.Issued{}, err
	}
	if err := s.addCash(ctx, tx, in.Issuer.Username, certID, out.Fees, req); err != nil {
		return certificate.Issued{}, err
	}
	detail, _ := json.Marshal(map[string]any{"number": doc.Number, "types": joinTypes(req.Types), "forced": len(forced) > 0})
	c := change{
		Entity: "certificate", EntityUID: uid, Op: "issue",
		Payload: certificatePayload{
			Number: doc.Number, Types: joinTypes(req.Types), PersonUID: rec.Person.UID, Use: string(req.Use),
			BolloCents: out.Fees.BolloDue, BolloPayment: bolloPayment, BolloSerial: serial,
			Exemption: req.Duty.Exemption, ExemptionReason: req.Duty.Reason, ExemptionNorm: req.Duty.Norm, FeeCents: out.Fees.FeeCents,
			FeePayment: string(req.FeePayment), IssuedAt: timestamp(now), Forced: forceReason,
			VerificationCode: doc.Code, Seal: doc.SealText, SHA256: out.SHA256,
		},
		Action: "certificate.issue",
		Detail: string(detail),
	}
	if len(forced) > 0 {
		c.Action = "certificate.issue_forced"
	}
	if err := s.logChange(ctx, tx, in.Issuer.Username, c); err != nil {
		return certificate.Issued{}, err
	}
	if err := tx.Commit(); err != nil {
		return certificate.Issued{}, fmt.Errorf("issue certificate: %w", err)
	}
	return out, nil
}

// insertCertificate writes the register entry of a sealed, rendered
// certificate within tx and returns its row id.
func insertCertificate(ctx context.Context, tx *sql.Tx, uid string, doc certificate.Document, num certificate.Number, rec registry.Record,
	req certificate.Request, out certificate.Issued, operator string, now time.Time, issued registry.Date, forceReason, bolloPayment, serial string) (int64, error) {
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return 0, fmt.Errorf("issue certificate: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO certificate(uid, number, desk_code, year, seq, types, person_id, person_uid, use_of,
bollo_cents, bollo_payment, bollo_serial, exemption, exemption_reason, exemption_norm, fee_cents, operator, issued_at, issue_date, forced,
verification_code, seal, sha256, document, pdf) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uid, doc.Number, num.Desk, num.Year, num.Seq, joinTypes(req.Types), rec.Person.ID, rec.Person.UID, string(req.Use),
		out.Fees.BolloDue, bolloPayment, serial, req.Duty.Exemption, req.Duty.Reason, req.Duty.Norm, out.Fees.FeeCents,
		operator, timestamp(now), issued.String(), forceReason, doc.Code, doc.SealText, out.SHA256, string(docJSON), out.PDF)
	if err != nil {
		if isUniqueViolation(err) && serial != "" {
			if err := checkSerialUnused(ctx, tx, serial); err != nil {
				return 0, err
			}
		}
		return 0, fmt.Errorf("issue certificate: %w", err)
	}
	return res.LastInsertId()
}

// certificatePayload is a certificate as its mutation carries it; the PDF
// stays on the desk, its hash travels.
type certificatePayload struct {
	Number           string `json:"number"`
	Types            string `json:"types"`
	PersonUID        string `json:"person_uid"`
	Use              string `json:"use"`
	BolloCents       int64  `json:"bollo_cents"`
	BolloPayment     string `json:"bollo_payment,omitempty"`
	BolloSerial      string `json:"bollo_serial,omitempty"`
	Exemption        int    `json:"exemption,omitempty"`
	ExemptionReason  string `json:"exemption_reason,omitempty"`
	ExemptionNorm    string `json:"exemption_norm,omitempty"`
	FeeCents         int64  `json:"fee_cents"`
	FeePayment       string `json:"fee_payment,omitempty"`
	IssuedAt         string `json:"issued_at"`
	Forced           string `json:"forced,omitempty"`
	VerificationCode string `json:"verification_code"`
	Seal             string `json:"seal"`
	SHA256           string `json:"sha256"`
}

// marcaSerial is the serial of the marca da bollo that pays the request,
// "" when the bollo is paid otherwise or not due.
func marcaSerial(req certificate.Request) string {
	if req.Exempt() || req.Duty.Payment != certificate.PayMarca {
		return ""
	}
	return req.Duty.Serial
}

// checkSerialUnused refuses a marca da bollo the register already holds: a
// marca pays one certificate, and the message names the one it paid.
func checkSerialUnused(ctx context.Context, q querier, serial string) error {
	if serial == "" {
		return nil
	}
	var number, issued string
	err := q.QueryRowContext(ctx, `SELECT number, issue_date FROM certificate WHERE bollo_serial = ?`, serial).Scan(&number, &issued)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("marca da bollo: %w", err)
	}
	day, _ := registry.ParseDate(issued)
	return fault.New(fault.Conflict, "The marca da bollo {{.Serial}} was already used for certificate {{.Number}} of {{.Day}}: a marca pays one certificate only, ask for a new one",
		map[string]any{"Serial": serial, "Number": number, "Day": day.Italian()})
}

func joinTypes(types []certificate.Type) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = strconv.Itoa(int(t))
	}
	return strings.Join(parts, ",")
}

// addCash records what the desk collected: the bollo when paid virtually
// at the desk, and the secretarial fee.
func (s *Store) addCash(ctx context.Context, tx *sql.Tx, operator string, certID int64, f certificate.Fees, req certificate.Request) error {
	now := s.now()
	today := registry.DateOf(now.In(registry.Rome))
	day := today.String()
	if f.BolloCents > 0 || f.FeeCents > 0 {
		if err := checkDayOpen(ctx, tx, today); err != nil {
			return err
		}
	}
	method := string(req.FeePayment)
	if method == "" {
		method = string(certificate.PayCash)
	}
	rows := []struct {
		kind   string
		cents  int64
		method string
	}{{"bollo", f.BolloCents, string(req.Duty.Payment)}, {"fee", f.FeeCents, method}}
	for _, r := range rows {
		if r.cents == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cash_entry(uid, at, day, operator, certificate_id, kind, cents, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			newUID(), timestamp(now), day, operator, certID, r.kind, r.cents, r.method); err != nil {
			return fmt.Errorf("cash register: %w", err)
		}
	}
	return nil
}

// CashDay returns the cash register of a day (Europe/Rome), in order.
func (s *Store) CashDay(ctx context.Context, day registry.Date) ([]certificate.CashEntry, error) {
	return cashDay(ctx, s.r, day)
}

func cashDay(ctx context.Context, q querier, day registry.Date) ([]certificate.CashEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.at, e.operator, coalesce(c.number, ''), e.kind, e.cents, e.method
FROM cash_entry e LEFT JOIN certificate c ON c.id = e.certificate_id WHERE e.day = ? ORDER BY e.id`, day.String())
	if err != nil {
		return nil, fmt.Errorf("cash register: %w", err)
	}
	defer rows.Close()
	var out []certificate.CashEntry
	for rows.Next() {
		var e certificate.CashEntry
		if err := rows.Scan(&e.At, &e.Operator, &e.Number, &e.Kind, &e.Cents, &e.Method); err != nil {
			return nil, fmt.Errorf("cash register: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Registered is a register entry as verification and reprints read it.
type Registered struct {
	Number   string
	Code     string
	Seal     string
	SHA256   string
	Operator string
	IssuedAt string
	Document certificate.Document
	PDF      []byte

	// The annulment, when a registrar annulled the certificate.
	AnnulledAt  time.Time
	AnnulledBy  string
	AnnulReason string
}

const registeredColumns = `number, verification_code, seal, sha256, operator, issued_at, document, pdf, annulled_at, annulled_by, annul_reason`

func scanRegistered(row *sql.Row) (Registered, error) {
	var r Registered
	var doc, annulled string
	err := row.Scan(&r.Number, &r.Code, &r.Seal, &r.SHA256, &r.Operator, &r.IssuedAt, &doc, &r.PDF, &annulled, &r.AnnulledBy, &r.AnnulReason)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fault.New(fault.NotFound, "No certificate with this number or verification code is in the register", nil)
	}
	if err != nil {
		return r, fmt.Errorf("read certificate: %w", err)
	}
	if err := json.Unmarshal([]byte(doc), &r.Document); err != nil {
		return r, fmt.Errorf("read certificate: %w", err)
	}
	if annulled != "" {
		if r.AnnulledAt, err = time.Parse(time.RFC3339Nano, annulled); err != nil {
			return r, fmt.Errorf("read certificate: annulled_at: %w", err)
		}
	}
	return r, nil
}

// CertificateByNumber reads a register entry by its number.
func (s *Store) CertificateByNumber(ctx context.Context, number string) (Registered, error) {
	n, err := certificate.ParseNumber(number)
	if err != nil {
		return Registered{}, err
	}
	return scanRegistered(s.r.QueryRowContext(ctx, `SELECT `+registeredColumns+` FROM certificate WHERE number = ?`, n.String()))
}

// CertificateByCode reads a register entry by its verification code.
func (s *Store) CertificateByCode(ctx context.Context, code string) (Registered, error) {
	c, ok := certificate.NormaliseCode(code)
	if !ok {
		return Registered{}, fault.New(fault.Invalid, "{{.Code}} is not a verification code", map[string]any{"Code": code})
	}
	return scanRegistered(s.r.QueryRowContext(ctx, `SELECT `+registeredColumns+` FROM certificate WHERE verification_code = ?`, c))
}

// Reprint returns a registered certificate's document marked as a
// duplicate, for printing again; the reprint is logged. A new issue is a new
// certificate with a new number.
func (s *Store) Reprint(ctx context.Context, operator, number string) (certificate.Document, error) {
	r, err := s.CertificateByNumber(ctx, number)
	if err != nil {
		return certificate.Document{}, err
	}
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return certificate.Document{}, err
	}
	defer tx.Rollback()
	c := change{
		Entity: "certificate", EntityUID: r.Number, Op: "reprint",
		Payload: map[string]string{"number": r.Number},
		Action:  "certificate.reprint",
		Detail:  fmt.Sprintf(`{"number":%q}`, r.Number),
	}
	if err := s.logChange(ctx, tx, operator, c); err != nil {
		return certificate.Document{}, err
	}
	if err := tx.Commit(); err != nil {
		return certificate.Document{}, fmt.Errorf("reprint: %w", err)
	}
	r.Document.Duplicate = true
	r.Document.ReprintedAt, r.Document.ReprintedBy = s.now(), operator
	if users, err := s.Users(ctx); err == nil {
		for _, u := range users {
			if u.Username == operator && u.FullName != "" {
				r.Document.ReprintedBy = u.FullName
			}
		}
	}
	return r.Document, nil
}

// CertificatesOn lists the certificates issued on a day (Europe/Rome), in
// the order they were issued.
func (s *Store) CertificatesOn(ctx context.Context, day registry.Date) ([]certificate.Entry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.number, c.types, p.surname, p.name, c.operator, c.issued_at, c.bollo_cents, c.fee_cents, c.annulled_at
FROM certificate c JOIN person p ON p.id = c.person_id WHERE c.issue_date = ? ORDER BY c.id`, day.String())
	if err != nil {
		return nil, fmt.Errorf("certificate register: %w", err)
	}
	defer rows.Close()
	var out []certificate.Entry
	for rows.Next() {
		var e certificate.Entry
		var types string
		if err := rows.Scan(&e.Number, &types, &e.Surname, &e.Name, &e.Operator, &e.IssuedAt, &e.BolloCents, &e.FeeCents, &e.AnnulledAt); err != nil {
			return nil, fmt.Errorf("certificate register: %w", err)
		}
		if e.Types, err = typeList(types); err != nil {
			return nil, fmt.Errorf("certificate register: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// typeList reads the register's list of types, table 13 codes joined by
// commas.
func typeList(types string) ([]certificate.Type, error) {
	var out []certificate.Type
	for part := range strings.SplitSeq(types, ",") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, fmt.Errorf("types %q", types)
		}
		out = append(out, certificate.Type(n))
	}
	return out, nil
}
