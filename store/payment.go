package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"sportello/certificate"
	"sportello/fault"
	"sportello/pagopa"
	"sportello/registry"
)

// Online certificates that owe the bollo: the request waits as a pagoPA
// debt position (portal_payment) and the certificate is issued, in the
// online series with the online seal, only when the position's receipt
// arrives (SettleOnlinePayment).

// OnlinePayment is a request waiting for, or settled by, its payment.
type OnlinePayment struct {
	IUPD        string // the debt position's id at GPD
	FormID      string
	Requester   string // the citizen's person uid
	RequesterID int64
	PersonID    int64
	Request     certificate.Request
	Notice      pagopa.Notice
	Cents       int64
	CreatedAt   time.Time
	Published   bool   // GPD holds the position
	ReceiptID   string // set once paid
	PaidAt      time.Time
	Number      string // the certificate issued, once paid
}

// ErrNoPayment is a payment that is not the citizen's, or none.
func ErrNoPayment() error { return fault.New(fault.NotFound, "This page does not exist", nil) }

// AddOnlinePayment checks a request that owes the bollo as IssueOnline
// checks one (the form, the family, the rules on the record) and keeps it
// pending, with a fresh notice number of segregation code seg. The same
// form again returns the payment it opened; another citizen's is refused.
func (s *Store) AddOnlinePayment(ctx context.Context, in OnlineInput, seg int) (OnlinePayment, error) {
	in.Request.Normalise()
	in.Request.Force, in.Request.ForceReason, in.Request.FeePayment = false, "", ""
	in.Request.Duty = certificate.StampDuty{Payment: certificate.PayPagoPA}
	if !validFormID(in.FormID) {
		return OnlinePayment{}, errFormUsed()
	}
	if err := in.Request.Validate(); err != nil {
		return OnlinePayment{}, err
	}
	if in.Request.Exempt() {
		return OnlinePayment{}, fault.New(fault.Invalid, "This certificate owes no bollo: nothing to pay", nil)
	}
	now := s.now()
	tx, err := s.begin(ctx, "online")
	if err != nil {
		return OnlinePayment{}, err
	}
	defer tx.Rollback()
	requester, err := readRecord(ctx, tx, in.RequesterID)
	if err != nil {
		return OnlinePayment{}, err
	}
	held, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM portal_payment WHERE form_id = ?`, in.FormID))
	switch {
	case err == nil && held.Requester == requester.Person.UID:
		return held, nil
	case err == nil:
		return OnlinePayment{}, errFormUsed()
	case fault.Code(err) != fault.NotFound:
		return OnlinePayment{}, err
	}
	if n, err := countUsedForm(ctx, tx, in.FormID); err != nil || n > 0 {
		if err == nil {
			err = errFormUsed()
		}
		return OnlinePayment{}, err
	}
	if !slices.ContainsFunc(FamilyOf(requester), func(p registry.Person) bool { return p.ID == in.PersonID }) {
		return OnlinePayment{}, ErrNotFamily()
	}
	rec, err := readRecord(ctx, tx, in.PersonID)
	if err != nil {
		return OnlinePayment{}, err
	}
	in.Request.On = registry.DateOf(now.In(registry.Rome))
	if _, err := certificate.Check(rec, in.Request, certificate.Issuer{Username: OnlineOperator(requester.Person.UID), FullName: in.Signer}); err != nil {
		return OnlinePayment{}, err
	}
	pay := OnlinePayment{FormID: in.FormID, Requester: requester.Person.UID, RequesterID: requester.Person.ID, PersonID: in.PersonID,
		Request: in.Request, Cents: in.Settings.BolloCents, CreatedAt: now, Notice: pagopa.Notice{Segregation: seg}}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(iuv_base), 0) + 1 FROM portal_payment WHERE segregation = ?`, seg).Scan(&pay.Notice.Base); err != nil {
		return OnlinePayment{}, fmt.Errorf("online payment: %w", err)
	}
	if err := pay.Notice.Validate(); err != nil {
		return OnlinePayment{}, err
	}
	if pay.Cents <= 0 {
		return OnlinePayment{}, fmt.Errorf("online payment: no bollo amount in the settings")
	}
	pay.IUPD = "SPORTELLO-" + pay.Notice.IUV()
	reqJSON, err := json.Marshal(pay.Request)
	if err != nil {
		return OnlinePayment{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_payment(iupd, form_id, requester, requester_id, person_id, request, segregation, iuv_base, cents, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, pay.IUPD, pay.FormID, pay.Requester, pay.RequesterID, pay.PersonID, string(reqJSON), seg, pay.Notice.Base, pay.Cents, timestamp(now)); err != nil {
		return OnlinePayment{}, fmt.Errorf("online payment: %w", err)
	}
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: OnlineOperator(requester.Person.UID), Action: "payment.open_online",
		Entity: "portal_payment", EntityUID: pay.IUPD, Detail: fmt.Sprintf(`{"iupd":%q,"cents":%d}`, pay.IUPD, pay.Cents)}); err != nil {
		return OnlinePayment{}, err
	}
	if err := tx.Commit(); err != nil {
		return OnlinePayment{}, fmt.Errorf("online payment: %w", err)
	}
	return pay, nil
}

func countUsedForm(ctx context.Context, tx *sql.Tx, formID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM portal_certificate WHERE form_id = ?`, formID).Scan(&n)
	return n, err
}

const paymentColumns = `iupd, form_id, requester, requester_id, person_id, request, segregation, iuv_base, cents, created_at, published,
coalesce(receipt_id, ''), coalesce(paid_at, ''), coalesce(number, '')`

func scanPayment(row interface{ Scan(...any) error }) (OnlinePayment, error) {
	var p OnlinePayment
	var req, created, paid string
	err := row.Scan(&p.IUPD, &p.FormID, &p.Requester, &p.RequesterID, &p.PersonID, &req, &p.Notice.Segregation, &p.Notice.Base, &p.Cents,
		&created, &p.Published, &p.ReceiptID, &paid, &p.Number)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNoPayment()
	}
	if err != nil {
		return p, fmt.Errorf("online payment: %w", err)
	}
	if err := json.Unmarshal([]byte(req), &p.Request); err != nil {
		return p, fmt.Errorf("online payment %s: %w", p.IUPD, err)
	}
	p.CreatedAt, _ = ParseTimestamp(created)
	if paid != "" {
		p.PaidAt, _ = ParseTimestamp(paid)
	}
	return p, nil
}

// OnlinePaymentOf is the payment iupd of the citizen personUID; another's
// is not found, as one that does not exist.
func (s *Store) OnlinePaymentOf(ctx context.Context, personUID, iupd string) (OnlinePayment, error) {
	return scanPayment(s.r.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM portal_payment WHERE iupd = ? AND requester = ?`, iupd, personUID))
}

// PendingOnlinePayments are the payments whose certificate is not issued
// yet, oldest first.
func (s *Store) PendingOnlinePayments(ctx context.Context) ([]OnlinePayment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+paymentColumns+` FROM portal_payment WHERE number IS NULL ORDER BY created_at`)
	if err != nil {
		return nil, fmt.Errorf("pending payments: %w", err)
	}
	defer rows.Close()
	var out []OnlinePayment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PublishedOnlinePayment records that GPD holds the position iupd.
func (s *Store) PublishedOnlinePayment(ctx context.Context, iupd string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE portal_payment SET published = 1 WHERE iupd = ?`, iupd); err != nil {
		return fmt.Errorf("online payment: %w", err)
	}
	return nil
}

// SettleOnlinePayment issues the certificate of the payment iupd, whose
// receipt receiptID GPD gave, paid at paidAt: in one transaction the
// payment is marked paid and the certificate is written to the register
// under the requester's form. A payment already settled returns its
// certificate (a receipt read twice issues once); a receipt id already
// given to another payment is refused.
func (s *Store) SettleOnlinePayment(ctx context.Context, iupd, receiptID string, paidAt time.Time, in OnlineInput,
	render func(certificate.Document) ([]byte, error)) (certificate.Issued, error) {
	if receiptID == "" {
		return certificate.Issued{}, fmt.Errorf("settle payment %s: no receipt id", iupd)
	}
	now := s.now()
	tx, err := s.begin(ctx, "online")
	if err != nil {
		return certificate.Issued{}, err
	}
	defer tx.Rollback()
	pay, err := scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM portal_payment WHERE iupd = ?`, iupd))
	if err != nil {
		return certificate.Issued{}, err
	}
	if pay.Number != "" {
		tx.Rollback()
		r, err := s.CertificateByNumber(ctx, pay.Number)
		if err != nil {
			return certificate.Issued{}, err
		}
		return certificate.Issued{Number: r.Number, Document: r.Document, PDF: r.PDF, SHA256: r.SHA256}, nil
	}
	var other string
	switch err := tx.QueryRowContext(ctx, `SELECT iupd FROM portal_payment WHERE receipt_id = ?`, receiptID).Scan(&other); {
	case err == nil:
		return certificate.Issued{}, fmt.Errorf("settle payment %s: receipt %s is already payment %s's", iupd, receiptID, other)
	case !errors.Is(err, sql.ErrNoRows):
		return certificate.Issued{}, fmt.Errorf("settle payment: %w", err)
	}
	requester, err := readRecord(ctx, tx, pay.RequesterID)
	if err != nil {
		return certificate.Issued{}, err
	}
	in.FormID, in.RequesterID, in.PersonID, in.Request = pay.FormID, pay.RequesterID, pay.PersonID, pay.Request
	in.Settings.BolloCents = pay.Cents
	out, err := s.issueOnlineTx(ctx, tx, requester, in, now, render)
	if err != nil {
		return certificate.Issued{}, err
	}
	if err := s.registerOnline(ctx, tx, requester, in, out, now, "certificate.issue_online_paid"); err != nil {
		return certificate.Issued{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE portal_payment SET receipt_id = ?, paid_at = ?, number = ? WHERE iupd = ?`,
		receiptID, timestamp(paidAt), out.Number, iupd); err != nil {
		return certificate.Issued{}, fmt.Errorf("settle payment: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return certificate.Issued{}, fmt.Errorf("settle payment: %w", err)
	}
	return out, nil
}
