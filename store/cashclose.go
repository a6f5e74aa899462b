package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
)

// ClosedDay is the record of a day's close of the cash register.
type ClosedDay struct {
	At       string // UTC instant
	Operator string
	Entries  int
	Cents    int64
}

// CloseCash closes the cash register of day: it totals the day's amounts
// and records the close with its totals, its outbox mutation and audit
// entry in one transaction. From then on the day takes no more amounts. A
// day closes once: closing it again is a fault.Conflict.
func (s *Store) CloseCash(ctx context.Context, operator string, day registry.Date) (certificate.DailyClose, error) {
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return certificate.DailyClose{}, err
	}
	defer tx.Rollback()
	if err := checkDayOpen(ctx, tx, day); err != nil && fault.Code(err) != fault.Conflict {
		return certificate.DailyClose{}, err
	} else if err != nil {
		return certificate.DailyClose{}, fault.New(fault.Conflict, "The cash register of {{.Day}} is already closed", map[string]any{"Day": day.Italian()})
	}
	entries, err := cashDay(ctx, tx, day)
	if err != nil {
		return certificate.DailyClose{}, err
	}
	c := certificate.CloseDay(day, entries)
	if c.Marche, err = marcheOn(ctx, tx, day); err != nil {
		return certificate.DailyClose{}, err
	}
	if c.PagoPA, err = pagopaOn(ctx, tx, day); err != nil {
		return certificate.DailyClose{}, err
	}
	totals, err := json.Marshal(closeTotals(c))
	if err != nil {
		return certificate.DailyClose{}, fmt.Errorf("cash close: %w", err)
	}
	uid, at := newUID(), timestamp(s.now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO cash_close(day, uid, closed_at, operator, entries, total_cents, totals) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		day.String(), uid, at, operator, len(entries), c.Cents, string(totals)); err != nil {
		return certificate.DailyClose{}, fmt.Errorf("cash close: %w", err)
	}
	detail, _ := json.Marshal(map[string]any{"day": day.String(), "entries": len(entries), "cents": c.Cents})
	if err := s.logChange(ctx, tx, operator, change{
		Entity: "cash_close", EntityUID: uid, Op: "close",
		Payload: cashClosePayload{Day: day.String(), DeskCode: s.deskCode, ClosedAt: at, Entries: len(entries), TotalCents: c.Cents, Totals: closeTotals(c)},
		Action:  "cash.close", Detail: string(detail),
	}); err != nil {
		return certificate.DailyClose{}, err
	}
	if err := tx.Commit(); err != nil {
		return certificate.DailyClose{}, fmt.Errorf("cash close: %w", err)
	}
	c.Closed, c.ClosedAt, c.ClosedBy = true, at, operator
	return c, nil
}

// CashReport is the cash register of day as its close prints it: the
// amounts with their totals, the marche da bollo of the day's certificates,
// and whether the day is closed, when and by whom.
func (s *Store) CashReport(ctx context.Context, day registry.Date) (certificate.DailyClose, error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return certificate.DailyClose{}, fmt.Errorf("cash report: %w", err)
	}
	defer tx.Rollback()
	entries, err := cashDay(ctx, tx, day)
	if err != nil {
		return certificate.DailyClose{}, err
	}
	c := certificate.CloseDay(day, entries)
	if c.Marche, err = marcheOn(ctx, tx, day); err != nil {
		return certificate.DailyClose{}, err
	}
	if c.PagoPA, err = pagopaOn(ctx, tx, day); err != nil {
		return certificate.DailyClose{}, err
	}
	err = tx.QueryRowContext(ctx, `SELECT closed_at, operator FROM cash_close WHERE day = ?`, day.String()).Scan(&c.ClosedAt, &c.ClosedBy)
	switch {
	case err == nil:
		c.Closed = true
	case !errors.Is(err, sql.ErrNoRows):
		return certificate.DailyClose{}, fmt.Errorf("cash report: %w", err)
	}
	return c, tx.Commit()
}

// marcheOn lists the marche da bollo of the certificates issued on day.
func marcheOn(ctx context.Context, q querier, day registry.Date) ([]certificate.Marca, error) {
	rows, err := q.QueryContext(ctx, `SELECT issued_at, operator, number, bollo_serial FROM certificate
WHERE issue_date = ? AND bollo_serial <> '' ORDER BY id`, day.String())
	if err != nil {
		return nil, fmt.Errorf("cash register: %w", err)
	}
	defer rows.Close()
	var out []certificate.Marca
	for rows.Next() {
		var m certificate.Marca
		if err := rows.Scan(&m.At, &m.Operator, &m.Number, &m.Serial); err != nil {
			return nil, fmt.Errorf("cash register: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// pagopaOn lists the bolli paid through pagoPA of the certificates issued
// online on day.
func pagopaOn(ctx context.Context, q querier, day registry.Date) ([]certificate.PagoPAReceipt, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.issued_at, c.number, pp.receipt_id, pp.cents FROM portal_payment pp
JOIN certificate c ON c.number = pp.number WHERE c.issue_date = ? ORDER BY c.id`, day.String())
	if err != nil {
		return nil, fmt.Errorf("cash register: %w", err)
	}
	defer rows.Close()
	var out []certificate.PagoPAReceipt
	for rows.Next() {
		var r certificate.PagoPAReceipt
		if err := rows.Scan(&r.At, &r.Number, &r.ReceiptID, &r.Cents); err != nil {
			return nil, fmt.Errorf("cash register: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CashClosed returns the close of day, and false when the day is open.
func (s *Store) CashClosed(ctx context.Context, day registry.Date) (ClosedDay, bool, error) {
	var c ClosedDay
	err := s.r.QueryRowContext(ctx, `SELECT closed_at, operator, entries, total_cents FROM cash_close WHERE day = ?`, day.String()).
		Scan(&c.At, &c.Operator, &c.Entries, &c.Cents)
	if errors.Is(err, sql.ErrNoRows) {
		return ClosedDay{}, false, nil
	}
	if err != nil {
		return ClosedDay{}, false, fmt.Errorf("cash close: %w", err)
	}
	return c, true, nil
}

// checkDayOpen refuses a day whose cash register is closed.
func checkDayOpen(ctx context.Context, q querier, day registry.Date) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM cash_close WHERE day = ?`, day.String()).Scan(&n); err != nil {
		return fmt.Errorf("cash register: %w", err)
	}
	if n > 0 {
		return fault.New(fault.Conflict, "The cash register of {{.Day}} is closed: it takes no more amounts that day", map[string]any{"Day": day.Italian()})
	}
	return nil
}

// cashTotal is one line of a close's totals as stored and sent.
type cashTotal struct {
	Kind   string `json:"kind"`
	Method string `json:"method"`
	Count  int    `json:"count"`
	Cents  int64  `json:"cents"`
}

func closeTotals(c certificate.DailyClose) []cashTotal {
	out := make([]cashTotal, len(c.Totals))
	for i, t := range c.Totals {
		out[i] = cashTotal{Kind: t.Kind, Method: string(t.Method), Count: t.Count, Cents: t.Cents}
	}
	return out
}

// cashClosePayload is a close as its mutation carries it.
type cashClosePayload struct {
	Day        string      `json:"day"`
	DeskCode   string      `json:"desk_code"`
	ClosedAt   string      `json:"closed_at"`
	Entries    int         `json:"entries"`
	TotalCents int64       `json:"total_cents"`
	Totals     []cashTotal `json:"totals"`
}
