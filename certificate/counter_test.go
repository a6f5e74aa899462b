package certificate

import (
	"strings"
	"testing"
	"time"

	"sportello/access"
)

// TestSignerTitle checks that a clerk who is not a registrar signs as the
// ufficiale's delegate, and that the title is part of what the seal covers.
func TestSignerTitle(t *testing.T) {
	req := Request{Types: []Type{Residence}, Duty: StampDuty{Payment: PayVirtual}}
	m := Municipality{Code: "A269", Name: "Anagni"}
	for _, tt := range []struct {
		name string
		role access.Role
		want string
	}{
		{"clerk", access.Clerk, "L'Ufficiale d'Anagrafe delegato"},
		{"registrar", access.Registrar, "L'Ufficiale d'Anagrafe"},
		{"supervisor", access.Supervisor, "L'Ufficiale d'Anagrafe delegato"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			by := Issuer{Username: "u", FullName: "Paola Verdi", Role: tt.role}
			d := Compose(family(), req, Number{"D01", 2026, 1}, day(2026, 3, 2), m, by)
			if got := d.SignerTitle(); got != tt.want {
				t.Errorf("signer title %q, want %q", got, tt.want)
			}
			if delegate := strings.Contains(d.Text(), "delegato\nPaola Verdi\n"); delegate != d.Delegate {
				t.Errorf("the sealed text does not say whether the signer is a delegate:\n%s", d.Text())
			}
		})
	}
}

// TestClerksIssue checks the clerks_issue setting: clerks issue unless the
// municipality bars them; registrars always.
func TestClerksIssue(t *testing.T) {
	for _, tt := range []struct {
		name   string
		policy IssuePolicy
		role   access.Role
		want   bool
	}{
		{"clerk by default", IssuePolicy{}, access.Clerk, true},
		{"clerk barred", IssuePolicy{ClerksBarred: true}, access.Clerk, false},
		{"registrar with clerks barred", IssuePolicy{ClerksBarred: true}, access.Registrar, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.MayIssue(tt.role); got != tt.want {
				t.Errorf("MayIssue(%s) = %v, want %v", tt.role, got, tt.want)
			}
		})
	}
}

// TestAnnulNote checks how verification words an annulment: the day in
// Europe/Rome and the reason.
func TestAnnulNote(t *testing.T) {
	at := time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC) // 5 December in Rome
	if got, want := AnnulNote(at, "errore nei dati"), "Certificato annullato il 05/12/2026 (errore nei dati)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
