package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// The online channel's certificates: the server issues them to citizens
// signed in on the portal, numbered in a series of their own (desk code
// certificate.OnlineDesk) and sealed with the server's online key, which
// the server trusts as it trusts its desks' keys and sends to the desks
// like theirs, so an online certificate verifies at /verify and at every
// desk. They are in the server's own certificate table, with their PDF.

// OnlineInput is a certificate a signed-in citizen asks for.
type OnlineInput struct {
	FormID       string // the form's one-time id: the same form twice issues one certificate
	RequesterID  int64  // the signed-in citizen
	PersonID     int64  // whom it certifies: the requester or a member of their family
	Request      certificate.Request
	Municipality certificate.Municipality
	Settings     certificate.Settings
	Signer       string // printed under "L'Ufficiale d'Anagrafe"
}

// OnlineOperator is who the register names for what a citizen does online.
func OnlineOperator(personUID string) string { return "online:" + personUID }

// ErrBolloOnline refuses online a certificate that owes the bollo: the
// portal cannot collect it yet.
func ErrBolloOnline() error {
	return fault.New(fault.Invalid, "This certificate owes the bollo (16 euro), which cannot be paid online yet: choose a use exempt from the bollo, use the self-declaration, or ask for it at the desk", nil)
}

// validFormID reports whether id can be a portal form's one-time id: 32
// lower-case hex digits.
func validFormID(id string) bool { return len(id) == 32 && strings.Trim(id, "0123456789abcdef") == "" }

// errFormUsed refuses a form id that is no form's, or another citizen's.
func errFormUsed() error {
	return fault.New(fault.Forbidden, "The form has expired: please go back, reload the page and try again", nil)
}

// ErrNotFamily refuses a person who is not the requester nor a member of
// their family: the same answer as a person who does not exist.
func ErrNotFamily() error {
	return fault.New(fault.NotFound, "The person was not found among the members of your family", nil)
}

// FamilyOf is the requester's record and whom they may ask certificates
// for online: themselves and, as ANPR does online, the members of their
// own family in the register (never the people of a convivenza).
func FamilyOf(rec registry.Record) []registry.Person {
	out := []registry.Person{rec.Person}
	if rec.Family.IsConvivenza() {
		return out
	}
	for _, m := range rec.Members {
		if m.Person.ID != rec.Person.ID {
			out = append(out, m.Person)
		}
	}
	return out
}

// IssueOnline checks the rules on the person's record as the desk does,
// numbers the certificate in the online series, seals it with the online
// key, renders it and writes it to the register in one transaction. A
// form already used returns the certificate it issued; another citizen's
// form is refused. No diritti di segreteria are due online, and until the
// bollo can be paid online a certificate that owes it is refused.
func (s *Store) IssueOnline(ctx context.Context, in OnlineInput, render func(certificate.Document) ([]byte, error)) (certificate.Issued, error) {
	in.Request.Normalise()
	in.Request.Force, in.Request.ForceReason, in.Request.FeePayment = false, "", ""
	if !validFormID(in.FormID) {
		return certificate.Issued{}, errFormUsed()
	}
	if err := in.Request.Validate(); err != nil {
		return certificate.Issued{}, err
	}
	if !in.Request.Exempt() {
		return certificate.Issued{}, ErrBolloOnline()
	}
	now := s.now()
	tx, err := s.begin(ctx, "online")
	if err != nil {
		return certificate.Issued{}, err
	}
	defer tx.Rollback()
	requester, err := readRecord(ctx, tx, in.RequesterID)
	if err != nil {
		return certificate.Issued{}, err
	}
	var heldBy, heldNumber string
	err = tx.QueryRowContext(ctx, `SELECT requester, number FROM portal_certificate WHERE form_id = ?`, in.FormID).Scan(&heldBy, &heldNumber)
	switch {
	case err == nil && heldBy == requester.Person.UID:
		tx.Rollback()
		r, err := s.CertificateByNumber(ctx, heldNumber)
		if err != nil {
			return certificate.Issued{}, err
		}
		return certificate.Issued{Number: r.Number, Document: r.Document, PDF: r.PDF, SHA256: r.SHA256}, nil
	case err == nil:
		return certificate.Issued{}, errFormUsed()
	case !errors.Is(err, sql.ErrNoRows):
		return certificate.Issued{}, fmt.Errorf("issue online: %w", err)
	}
	out, err := s.issueOnlineTx(ctx, tx, requester, in, now, render)
	if err != nil {
		return certificate.Issued{}, err
	}
	if err := s.registerOnline(ctx, tx, requester, in, out, now, "certificate.issue_online"); err != nil {
		return certificate.Issued{}, err
	}
	if err := tx.Commit(); err != nil {
		return certificate.Issued{}, fmt.Errorf("issue online: %w", err)
	}
	return out, nil
}

// issueOnlineTx checks the rules on the person's record, numbers, seals,
// renders and writes the certificate in tx; the bollo, when owed, was paid
// through pagoPA (Request.Duty.Payment).
func (s *Store) issueOnlineTx(ctx context.Context, tx *sql.Tx, requester registry.Record, in OnlineInput, now time.Time,
	render func(certificate.Document) ([]byte, error)) (certificate.Issued, error) {
	issued := registry.DateOf(now.In(registry.Rome))
	in.Request.On = issued
	operator := OnlineOperator(requester.Person.UID)
	if !slices.ContainsFunc(FamilyOf(requester), func(p registry.Person) bool { return p.ID == in.PersonID }) {
		return certificate.Issued{}, ErrNotFamily()
	}
	rec, err := readRecord(ctx, tx, in.PersonID)
	if err != nil {
		return certificate.Issued{}, err
	}
	issuer := certificate.Issuer{Username: operator, FullName: in.Signer}
	if _, err := certificate.Check(rec, in.Request, issuer); err != nil {
		return certificate.Issued{}, err
	}
	key, err := s.onlineKey(ctx, tx)
	if err != nil {
		return certificate.Issued{}, err
	}
	num := certificate.Number{Desk: certificate.OnlineDesk, Year: issued.Year}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM certificate WHERE desk_code = ? AND year = ?`,
		num.Desk, num.Year).Scan(&num.Seq); err != nil {
		return certificate.Issued{}, fmt.Errorf("issue online: %w", err)
	}
	if err := num.Validate(); err != nil {
		return certificate.Issued{}, err
	}
	doc := certificate.Compose(rec, in.Request, num, issued, in.Municipality, issuer)
	if err := doc.SealWith(func(seal *certificate.Seal) error { return seal.Sign(key) }); err != nil {
		return certificate.Issued{}, err
	}
	pdf, err := render(doc)
	if err != nil {
		return certificate.Issued{}, err
	}
	sum := sha256.Sum256(pdf)
	// Online no secretarial fee is due; the bollo is exempt or paid
	// through pagoPA.
	out := certificate.Issued{Number: doc.Number, Document: doc, PDF: pdf, SHA256: hex.EncodeToString(sum[:])}
	payment := ""
	if !in.Request.Exempt() {
		out.Fees = certificate.Fees{BolloDue: in.Settings.BolloCents, BolloCents: in.Settings.BolloCents}
		payment = string(in.Request.Duty.Payment)
	}
	if _, err := insertCertificate(ctx, tx, newUID(), doc, num, rec, in.Request, out, operator, now, issued, "", payment, ""); err != nil {
		return certificate.Issued{}, err
	}
	return out, nil
}

// registerOnline files the online certificate out under the requester
// and its form, with the audit entry action.
func (s *Store) registerOnline(ctx context.Context, tx *sql.Tx, requester registry.Record, in OnlineInput, out certificate.Issued, now time.Time, action string) error {
	doc := out.Document
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_certificate(form_id, requester, number, created_at) VALUES (?, ?, ?, ?)`,
		in.FormID, requester.Person.UID, doc.Number, timestamp(now)); err != nil {
		return fmt.Errorf("issue online: %w", err)
	}
	detail := fmt.Sprintf(`{"number":%q,"types":%q,"for_family":%t}`, doc.Number, joinTypes(in.Request.Types), in.PersonID != requester.Person.ID)
	return appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: OnlineOperator(requester.Person.UID), Action: action, Entity: "certificate",
		EntityUID: doc.Number, Detail: detail})
}

// onlineKey is the server's key of the online channel, made on first use
// and sent to the desks as a desk's key is, so they verify its seals.
func (s *Store) onlineKey(ctx context.Context, tx *sql.Tx) (ed25519.PrivateKey, error) {
	var seed []byte
	err := tx.QueryRowContext(ctx, `SELECT private_key FROM desk_key WHERE desk_code = ? AND private_key IS NOT NULL AND revoked_at IS NULL`,
		certificate.OnlineDesk).Scan(&seed)
	switch {
	case err == nil && len(seed) == ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(seed), nil
	case err == nil:
		return nil, fmt.Errorf("online key: stored seed has %d bytes", len(seed))
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("online key: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("online key: %w", err)
	}
	id := certificate.KeyID(pub)
	now := s.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO desk_key(key_id, desk_code, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, certificate.OnlineDesk, []byte(pub), priv.Seed(), timestamp(now)); err != nil {
		return nil, fmt.Errorf("online key: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: "sportellod", Action: "desk_key.create_online", Entity: "desk_key",
		EntityUID: id, Detail: fmt.Sprintf(`{"key_id":%q}`, id)}); err != nil {
		return nil, err
	}
	return priv, logServerChange(ctx, tx, DocKey{docDeskKey, id}, now)
}

// OnlineDocument is a certificate of "My requests and documents".
type OnlineDocument struct {
	Number    string
	Types     []certificate.Type
	Surname   string // whom it certifies
	Name      string
	IssuedAt  string // UTC
	Requested bool   // asked for by the citizen (else issued to them at a desk of the server)
}

// OnlineDocuments lists, newest first, the certificates in the server's
// register issued to the person personUID or asked for by them online.
func (s *Store) OnlineDocuments(ctx context.Context, personUID string) ([]OnlineDocument, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.number, c.types, p.surname, p.name, c.issued_at, pc.requester IS NOT NULL
FROM certificate c JOIN person p ON p.id = c.person_id LEFT JOIN portal_certificate pc ON pc.number = c.number AND pc.requester = ?
WHERE c.person_uid = ? OR pc.requester IS NOT NULL ORDER BY c.issued_at DESC, c.id DESC`, personUID, personUID)
	if err != nil {
		return nil, fmt.Errorf("online documents: %w", err)
	}
	defer rows.Close()
	var out []OnlineDocument
	for rows.Next() {
		var d OnlineDocument
		var types string
		if err := rows.Scan(&d.Number, &types, &d.Surname, &d.Name, &d.IssuedAt, &d.Requested); err != nil {
			return nil, fmt.Errorf("online documents: %w", err)
		}
		var err error
		if d.Types, err = typeList(types); err != nil {
			return nil, fmt.Errorf("online documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// OnlineDocumentOf reads a certificate of personUID's list (issued to them
// or asked for by them); any other is not found, as one that does not exist.
func (s *Store) OnlineDocumentOf(ctx context.Context, personUID, number string) (Registered, string, error) {
	n, err := certificate.ParseNumber(number)
	if err != nil {
		return Registered{}, "", err
	}
	r, err := scanRegistered(s.r.QueryRowContext(ctx, `SELECT `+registeredColumns+` FROM certificate c WHERE c.number = ?
AND (c.person_uid = ? OR EXISTS (SELECT 1 FROM portal_certificate pc WHERE pc.number = c.number AND pc.requester = ?))`, n.String(), personUID, personUID))
	if err != nil {
		return Registered{}, "", err
	}
	var subject string
	if err := s.r.QueryRowContext(ctx, `SELECT person_uid FROM certificate WHERE number = ?`, r.Number).Scan(&subject); err != nil {
		return Registered{}, "", fmt.Errorf("online document: %w", err)
	}
	return r, subject, nil
}
