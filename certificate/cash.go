package certificate

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"

	"sportello/registry"
)

// CashEntry is one row of the cash register: an amount taken at the desk.
type CashEntry struct {
	At       string // UTC instant
	Operator string
	Number   string // the certificate's number
	Kind     string // "bollo" or "fee"
	Cents    int64
	Method   Payment
}

// Total is the sum of one kind of amount taken one way.
type Total struct {
	Kind   string
	Method Payment
	Count  int
	Cents  int64
}

// DailyClose is a day's cash register with its totals by kind and method.
type DailyClose struct {
	Day     registry.Date
	Entries []CashEntry
	Totals  []Total // by kind, then method
	Cents   int64   // everything taken
}

// CloseDay totals the day's entries.
func CloseDay(day registry.Date, entries []CashEntry) DailyClose {
	c := DailyClose{Day: day, Entries: entries}
	for _, e := range entries {
		i := slices.IndexFunc(c.Totals, func(t Total) bool { return t.Kind == e.Kind && t.Method == e.Method })
		if i < 0 {
			c.Totals = append(c.Totals, Total{Kind: e.Kind, Method: e.Method})
			i = len(c.Totals) - 1
		}
		c.Totals[i].Count++
		c.Totals[i].Cents += e.Cents
		c.Cents += e.Cents
	}
	slices.SortFunc(c.Totals, func(a, b Total) int {
		if a.Kind != b.Kind {
			if a.Kind < b.Kind {
				return -1
			}
			return 1
		}
		if a.Method < b.Method {
			return -1
		}
		if a.Method > b.Method {
			return 1
		}
		return 0
	})
	return c
}

// KindName is the Italian name of a kind of amount.
func KindName(kind string) string {
	if kind == "bollo" {
		return "Imposta di bollo"
	}
	return "Diritti di segreteria"
}

// MethodName is the Italian name of a payment method.
func MethodName(p Payment) string {
	switch p {
	case PayVirtual:
		return "bollo virtuale"
	case PayCash:
		return "contanti"
	case PayCard:
		return "carta (POS)"
	case PayPagoPA:
		return "pagoPA"
	case PayOther:
		return "altro"
	}
	return string(p)
}

// Euro is an amount in cents as Italians write it: "16,52".
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100)
}

// WriteCSV writes the entries then the totals, semicolon-separated with
// decimal commas, as Italian spreadsheets open them.
func (c DailyClose) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	rows := [][]string{{"giorno", "ora (UTC)", "operatore", "certificato", "voce", "modalità", "importo"}}
	for _, e := range c.Entries {
		rows = append(rows, []string{c.Day.String(), e.At, e.Operator, e.Number, KindName(e.Kind), MethodName(e.Method), Euro(e.Cents)})
	}
	for _, t := range c.Totals {
		rows = append(rows, []string{c.Day.String(), "", "", "totale", KindName(t.Kind), MethodName(t.Method), Euro(t.Cents)})
	}
	rows = append(rows, []string{c.Day.String(), "", "", "totale", "", "", Euro(c.Cents)})
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("cash register csv: %w", err)
	}
	return nil
}

// Entry is a line of the certificate register as the desk lists it.
type Entry struct {
	Number     string
	Types      []Type
	Surname    string
	Name       string
	Operator   string
	IssuedAt   string // UTC instant
	BolloCents int64
	FeeCents   int64
}

// Title is the entry's certificate title.
func (e Entry) Title() string {
	return Request{Types: e.Types}.Title()
}
