package portal

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// demoGPD follows the published GPD API (createPosition,
// getOrganizationDebtPositionByIUPD), in process: the demonstration's
// pagoPA (serve --demo) and the local server of the tests. It checks the subscription key,
// the required fields, the transfers summing to the option's amount, a
// duplicate IUPD or IUV refused with 409; pay settles a position as a PSP's
// payment would.
type demoGPD struct {
	mu        sync.Mutex
	taxCode   string
	key       string
	positions map[string]*gpdPosition
}

func (f *demoGPD) handler() http.Handler {
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

func (f *demoGPD) pay(iupd string, at time.Time) { f.payWith(iupd, at, "RCP-1") }

// payWith settles iupd with the receipt id receipt ("" as a GPD answer
// that says paid without a receipt).
func (f *demoGPD) payWith(iupd string, at time.Time, receipt string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.positions[iupd]
	p.Status, p.PaymentDate = "PAID", at.UTC().Format(gpdTime)
	p.PaymentOption[0].Status, p.PaymentOption[0].PaymentDate, p.PaymentOption[0].IDReceipt = "PO_PAID", p.PaymentDate, receipt
}
