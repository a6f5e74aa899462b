package portal

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sportello/fault"
	"sportello/pagopa"
)

// fakeGPD is the demonstration's GPD, the local server tests run against.
type fakeGPD = demoGPD

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
