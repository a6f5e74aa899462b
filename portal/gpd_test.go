package portal

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sportello/fault"
	"sportello/pagopa"
)

// fakeGPD follows the published GPD API (createPosition,
// getOrganizationDebtPositionByIUPD) on 127.0.0.1: the subscription key,
// the required fields, the transfers summing to the option's amount, a
// duplicate IUPD or IUV refused with 409; pay settles a position as a PSP's
// payment would.
type fakeGPD struct {
	mu        sync.Mutex
	taxCode   string
	key       string
	positions map[string]*gpdPosition
}

func (f *fakeGPD) handler() http.Handler {
	mux := http.NewServeMux()
	base := "/gpd/debt-positions-service/v1/organizations/{org}/debtpositions"
	check := func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Ocp-Apim-Subscription-Key") != f.key {
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		if r.PathValue("org") != f.taxCode {
			w.WriteHeader(http.StatusForbidden)
			return false
		}
		return true
	}
	problem := func(w http.ResponseWriter, status int, detail string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"title": http.StatusText(status), "status": status, "detail": detail})
	}
	mux.HandleFunc("POST "+base, func(w http.ResponseWriter, r *http.Request) {
		if !check(w, r) {
			return
		}
		var p gpdPosition
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			problem(w, http.StatusBadRequest, "malformed")
			return
		}
		switch {
		case p.IUPD == "" || p.FiscalCode == "" || p.FullName == "" || p.CompanyName == "" || (p.Type != "F" && p.Type != "G"):
			problem(w, http.StatusBadRequest, "a required field is missing")
			return
		case len(p.PaymentOption) == 0:
			problem(w, http.StatusBadRequest, "no payment option")
			return
		}
		for _, o := range p.PaymentOption {
			sum := int64(0)
			for _, tr := range o.Transfer {
				if tr.Category == "" || tr.RemittanceInformation == "" || tr.IDTransfer == "" {
					problem(w, http.StatusBadRequest, "a transfer lacks a required field")
					return
				}
				sum += tr.Amount
			}
			if _, err := time.Parse(gpdTime, o.DueDate); err != nil || o.IUV == "" || o.Description == "" || sum != o.Amount || len(o.Description) > 140 {
				problem(w, http.StatusBadRequest, "the payment option is not valid")
				return
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, held := range f.positions {
			if held.IUPD == p.IUPD || held.PaymentOption[0].IUV == p.PaymentOption[0].IUV {
				problem(w, http.StatusConflict, "duplicate debt position")
				return
			}
		}
		p.Status = "DRAFT"
		if r.URL.Query().Get("toPublish") == "true" {
			p.Status = "VALID"
		}
		f.positions[p.IUPD] = &p
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(p)
	})
	mux.HandleFunc("GET "+base+"/{iupd}", func(w http.ResponseWriter, r *http.Request) {
		if !check(w, r) {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		p, ok := f.positions[r.PathValue("iupd")]
		if !ok {
			problem(w, http.StatusNotFound, "no debt position found")
			return
		}
		json.NewEncoder(w).Encode(p)
	})
	return mux
}

func (f *fakeGPD) pay(iupd string, at time.Time) { f.payWith(iupd, at, "RCP-1") }

// payWith settles iupd with the receipt id receipt ("" as a GPD answer
// that says paid without a receipt).
func (f *fakeGPD) payWith(iupd string, at time.Time, receipt string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.positions[iupd]
	p.Status, p.PaymentDate = "PAID", at.UTC().Format(gpdTime)
	p.PaymentOption[0].Status, p.PaymentOption[0].PaymentDate, p.PaymentOption[0].IDReceipt = "PO_PAID", p.PaymentDate, receipt
}

func TestGPDClient(t *testing.T) {
	fake := &fakeGPD{taxCode: "02438750586", key: "chiave", positions: map[string]*gpdPosition{}}
	srv := httptest.NewServer(fake.handler())
	defer srv.Close()
	g := GPD{BaseURL: srv.URL + "/gpd/debt-positions-service/v1/", TaxCode: "02438750586", APIKey: "chiave", Client: srv.Client()}
	ctx := t.Context()
	pos := DebtPosition{IUPD: "02438750586-0001", DebtorCF: "RSSMRA80A01H501U", DebtorName: "Rossi Mario", Company: "Comune di Anagni",
		Notice: pagopa.Notice{Segregation: 1, Base: 1}, Cents: 1600, Description: "Imposta di bollo, certificato di residenza",
		Due: time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), IBAN: "IT60X0542811101000000123456", Category: "9/0101100IM/"}
	if err := g.Create(ctx, pos); err != nil {
		t.Fatal(err)
	}
	if st, err := g.Status(ctx, pos.IUPD); err != nil || st.Status != "VALID" || st.Paid() {
		t.Fatalf("a new position: %+v %v", st, err)
	}
	if err := g.Create(ctx, pos); fault.Code(err) != fault.Conflict {
		t.Fatalf("the same position again: %v, want a conflict", err)
	}
	paidAt := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	fake.pay(pos.IUPD, paidAt)
	if st, err := g.Status(ctx, pos.IUPD); err != nil || !st.Paid() || !st.PaidAt.Equal(paidAt) || st.ReceiptID != "RCP-1" {
		t.Fatalf("a paid position: %+v %v", st, err)
	}
	if _, err := g.Status(ctx, "02438750586-9999"); fault.Code(err) != fault.NotFound {
		t.Fatalf("an unknown position: %v", err)
	}
	failing := []struct {
		name string
		g    GPD
		p    DebtPosition
		code string
	}{
		{"a wrong subscription key", GPD{BaseURL: g.BaseURL, TaxCode: g.TaxCode, APIKey: "altra", Client: g.Client}, DebtPosition{IUPD: "x-2", DebtorCF: "X", DebtorName: "X", Company: "C",
			Notice: pagopa.Notice{Segregation: 1, Base: 2}, Cents: 1600, Description: "d", Due: pos.Due, Category: "c"}, fault.Internal},
		{"a tax code not the municipality's", GPD{BaseURL: g.BaseURL, TaxCode: "02438750587", APIKey: "chiave", Client: g.Client}, pos, fault.Invalid},
		{"no debtor", g, DebtPosition{IUPD: "x-3", Company: "C", Notice: pagopa.Notice{Segregation: 1, Base: 3}, Cents: 1600, Description: "d", Due: pos.Due, Category: "c"}, fault.Internal},
	}
	for _, tc := range failing {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.g.Create(ctx, tc.p)
			if fault.Code(err) != tc.code {
				t.Fatalf("%v, want %s", err, tc.code)
			}
			if tc.code == fault.Internal && !strings.Contains(err.Error(), "gpd:") {
				t.Fatalf("%v does not say what failed", err)
			}
		})
	}
	if len(fake.positions) != 1 {
		t.Fatalf("%d positions at GPD, want 1", len(fake.positions))
	}
}
