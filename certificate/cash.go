package certificate

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

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

// Marca is a marca da bollo a certificate of the day was issued with: it is
// not money the desk took, but the close lists it so the marche can be
// checked against the certificates.
type Marca struct {
	At       string // UTC instant of the issue
	Operator string
	Number   string // the certificate's number
	Serial   string
}

// PagoPAReceipt is a bollo paid online through pagoPA for a certificate
// of the day: the municipality's account took it, not the desk's till, so
// the close lists it apart and does not count it in the cash.
type PagoPAReceipt struct {
	At        string // UTC instant of the certificate's issue
	Number    string // the certificate's number
	ReceiptID string // pagoPA's receipt
	Cents     int64
}

// DailyClose is a day's cash register with its totals by kind and method,
// the marche da bollo of the day, and whether the day is closed.
type DailyClose struct {
	Day     registry.Date
	Entries []CashEntry
	Totals  []Total // by kind, then method
	Cents   int64   // everything taken
	Marche  []Marca
	PagoPA  []PagoPAReceipt // apart from the cash: not in Cents

	Closed   bool   // the day is closed and takes no more amounts
	ClosedAt string // UTC instant of the close
	ClosedBy string // the operator who closed it
}

// PagoPACents is the sum of the day's pagoPA receipts.
func (c DailyClose) PagoPACents() int64 {
	var n int64
	for _, r := range c.PagoPA {
		n += r.Cents
	}
	return n
}

// LocalTime is a UTC instant of the register as read in Europe/Rome,
// "15:04:05"; the instant as given when it does not parse.
func LocalTime(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.In(registry.Rome).Format("15:04:05")
}

// LocalDateTime is a UTC instant of the register as read in Europe/Rome,
// "02/03/2026 15:04".
func LocalDateTime(at string) string {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return at
	}
	return t.In(registry.Rome).Format("02/01/2006 15:04")
}

// State says whether the day is open or closed, and who closed it.
func (c DailyClose) State() string {
	if !c.Closed {
		return "Cassa aperta: il giorno accetta ancora incassi."
	}
	return "Cassa chiusa il " + LocalDateTime(c.ClosedAt) + " da " + c.ClosedBy + ": il giorno non accetta altri incassi."
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

// Euro is an amount in cents as Italians write it: "16,52", "8.120,50".
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "." + whole[i:]
	}
	return fmt.Sprintf("%s%s,%02d", sign, whole, cents%100)
}

// decimal is an amount in cents for a spreadsheet cell: "8120,50", with the
// decimal comma and no thousands separator, which an Italian spreadsheet
// reads as a number.
func decimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d,%02d", sign, cents/100, cents%100)
}

// WriteCSV writes the entries, the totals, the marche da bollo and the
// day's state, as Italian spreadsheets open them: UTF-8 with a byte-order
// mark (without it Excel reads the accents as Latin-1), semicolons between
// fields (Excel and LibreOffice in Italian split on ';', since the comma is
// the decimal separator), decimal commas, times in Europe/Rome.
func (c DailyClose) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("cash register csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	day := c.Day.Italian()
	rows := [][]string{{"giorno", "ora", "operatore", "certificato", "voce", "modalità", "importo (€)"}}
	for _, e := range c.Entries {
		rows = append(rows, []string{day, LocalTime(e.At), e.Operator, e.Number, KindName(e.Kind), MethodName(e.Method), decimal(e.Cents)})
	}
	for _, t := range c.Totals {
		rows = append(rows, []string{day, "", "", "totale", KindName(t.Kind), MethodName(t.Method), decimal(t.Cents)})
	}
	rows = append(rows, []string{day, "", "", "totale", "", "", decimal(c.Cents)})
	for _, m := range c.Marche {
		rows = append(rows, []string{day, LocalTime(m.At), m.Operator, m.Number, "marca da bollo", "n. " + m.Serial, ""})
	}
	for _, r := range c.PagoPA {
		rows = append(rows, []string{day, LocalTime(r.At), "pagoPA", r.Number, "imposta di bollo (pagoPA, non in cassa)", "ricevuta " + r.ReceiptID, decimal(r.Cents)})
	}
	rows = append(rows, []string{day, "", "", "", c.State(), "", ""})
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
	AnnulledAt string // UTC instant; "" while the certificate stands
}

// Title is the entry's certificate title.
func (e Entry) Title() string {
	return Request{Types: e.Types}.Title()
}
