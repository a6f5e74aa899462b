package portal

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sportello/fault"
	"sportello/pagopa"
)

// GPD is a client of pagoPA's Gestione Posizioni Debitorie REST API
// (openapi/gpd.json of pagopa/pagopa-api, "PagoPA API Debt Position"): the
// municipality creates a debt position for what a citizen owes and reads
// it back to learn whether it was paid. The bollo's payment flow is built
// on it next; this is the adapter alone.
type GPD struct {
	BaseURL string // ".../gpd/debt-positions-service/v1"
	TaxCode string // the municipality's 11-digit tax code: organizationfiscalcode
	APIKey  string // sent as Ocp-Apim-Subscription-Key
	Client  *http.Client
}

// DebtPosition is one payment the municipality asks of a citizen: one
// payment option with one transfer to the municipality's account.
type DebtPosition struct {
	IUPD        string // the position's id, unique for the municipality
	DebtorCF    string // the citizen's codice fiscale
	DebtorName  string
	Company     string // the municipality's name, on the notice
	Office      string
	Notice      pagopa.Notice
	Cents       int64
	Description string // the payment's reason (causale), at most 140 characters
	Due         time.Time
	IBAN        string // the municipality's account
	Category    string // the service's taxonomy code
}

// PositionStatus is what GPD says of a position.
type PositionStatus struct {
	Status    string // DRAFT, PUBLISHED, VALID, INVALID, EXPIRED, PARTIALLY_PAID, PAID, REPORTED
	PaidAt    time.Time
	ReceiptID string
}

// Paid reports whether the position was paid.
func (s PositionStatus) Paid() bool { return s.Status == "PAID" || s.Status == "REPORTED" }

type gpdTransfer struct {
	IDTransfer             string `json:"idTransfer"`
	Amount                 int64  `json:"amount"`
	OrganizationFiscalCode string `json:"organizationFiscalCode,omitempty"`
	RemittanceInformation  string `json:"remittanceInformation"`
	Category               string `json:"category"`
	IBAN                   string `json:"iban,omitempty"`
}

type gpdOption struct {
	NAV              string        `json:"nav,omitempty"`
	IUV              string        `json:"iuv"`
	Amount           int64         `json:"amount"`
	Description      string        `json:"description"`
	IsPartialPayment bool          `json:"isPartialPayment"`
	DueDate          string        `json:"dueDate"`
	Transfer         []gpdTransfer `json:"transfer"`
	// In answers only.
	PaymentDate string `json:"paymentDate,omitempty"`
	IDReceipt   string `json:"idReceipt,omitempty"`
	Status      string `json:"status,omitempty"`
}

type gpdPosition struct {
	IUPD            string      `json:"iupd"`
	Type            string      `json:"type"` // F: a natural person
	FiscalCode      string      `json:"fiscalCode"`
	FullName        string      `json:"fullName"`
	SwitchToExpired bool        `json:"switchToExpired"`
	CompanyName     string      `json:"companyName"`
	OfficeName      string      `json:"officeName,omitempty"`
	Status          string      `json:"status,omitempty"`
	PaymentDate     string      `json:"paymentDate,omitempty"`
	PaymentOption   []gpdOption `json:"paymentOption"`
}

// gpdTime is GPD's date-time.
const gpdTime = "2006-01-02T15:04:05.000Z"

func (g GPD) positions() string {
	return strings.TrimRight(g.BaseURL, "/") + "/organizations/" + url.PathEscape(g.TaxCode) + "/debtpositions"
}

// Create creates and publishes the position (toPublish=true, so it is
// VALID, ready to pay, at once). A position GPD already holds with this
// IUPD is a Conflict: the caller reads it with Status.
func (g GPD) Create(ctx context.Context, p DebtPosition) error {
	if !pagopa.ValidTaxCode(g.TaxCode) {
		return fault.New(fault.Invalid, "{{.Code}} is not the municipality's tax code: 11 digits with their check digit (set pagopa_tax_code)", map[string]any{"Code": g.TaxCode})
	}
	if err := p.Notice.Validate(); err != nil {
		return err
	}
	body := gpdPosition{IUPD: p.IUPD, Type: "F", FiscalCode: p.DebtorCF, FullName: p.DebtorName, CompanyName: p.Company, OfficeName: p.Office,
		PaymentOption: []gpdOption{{NAV: p.Notice.String(), IUV: p.Notice.IUV(), Amount: p.Cents, Description: p.Description,
			DueDate: p.Due.UTC().Format(gpdTime), Transfer: []gpdTransfer{{IDTransfer: "1", Amount: p.Cents, OrganizationFiscalCode: g.TaxCode,
				RemittanceInformation: p.Description, Category: p.Category, IBAN: p.IBAN}}}}}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := g.do(ctx, http.MethodPost, g.positions()+"?toPublish=true", b)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated:
		return nil
	case http.StatusConflict:
		return fault.New(fault.Conflict, "pagoPA already holds the payment {{.IUPD}}", map[string]any{"IUPD": p.IUPD})
	}
	return g.failed(resp)
}

// Status reads the position iupd.
func (g GPD) Status(ctx context.Context, iupd string) (PositionStatus, error) {
	resp, err := g.do(ctx, http.MethodGet, g.positions()+"/"+url.PathEscape(iupd), nil)
	if err != nil {
		return PositionStatus{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return PositionStatus{}, fault.New(fault.NotFound, "pagoPA holds no payment {{.IUPD}}", map[string]any{"IUPD": iupd})
	}
	if resp.StatusCode != http.StatusOK {
		return PositionStatus{}, g.failed(resp)
	}
	var pos gpdPosition
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&pos); err != nil {
		return PositionStatus{}, fmt.Errorf("gpd: position %s: %w", iupd, err)
	}
	out := PositionStatus{Status: pos.Status}
	paid := pos.PaymentDate
	if len(pos.PaymentOption) > 0 {
		out.ReceiptID = pos.PaymentOption[0].IDReceipt
		paid = cmp.Or(pos.PaymentOption[0].PaymentDate, paid)
	}
	if paid != "" {
		for _, layout := range []string{gpdTime, time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, paid); err == nil {
				out.PaidAt = t
				break
			}
		}
	}
	return out, nil
}

func (g GPD) do(ctx context.Context, method, u string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Ocp-Apim-Subscription-Key", g.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gpd: %s %s: %w", method, req.URL.Path, err)
	}
	return resp, nil
}

// failed is an answer GPD should not give: the server's fault, logged whole
// with GPD's problem detail (never shown to the citizen).
func (g GPD) failed(resp *http.Response) error {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&p)
	return fmt.Errorf("gpd: %s %s: %d %s %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, p.Title, p.Detail)
}
