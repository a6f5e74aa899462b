package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// qdfEdit rewrites a PDF as a forger would with qpdf: uncompressed (QDF),
// edited, repaired with fix-qdf and saved again. It skips the test when
// qpdf is not installed.
func qdfEdit(tb testing.TB, pdf []byte, edit func([]byte) []byte) []byte {
	tb.Helper()
	for _, tool := range []string{"qpdf", "fix-qdf", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("%s not installed", tool)
		}
	}
	dir := tb.TempDir()
	in, qdf, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "qdf.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	if b, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", in, qdf).CombinedOutput(); err != nil {
		tb.Fatalf("qpdf: %v %s", err, b)
	}
	data, err := os.ReadFile(qdf)
	if err != nil {
		tb.Fatal(err)
	}
	edited := edit(bytes.Clone(data))
	if bytes.Equal(edited, data) {
		tb.Fatal("the edit changed nothing")
	}
	cmd := exec.Command("fix-qdf")
	cmd.Stdin = bytes.NewReader(edited)
	fixed, err := cmd.Output()
	if err != nil {
		tb.Fatalf("fix-qdf: %v", err)
	}
	if err := os.WriteFile(qdf, fixed, 0o644); err != nil {
		tb.Fatal(err)
	}
	if b, err := exec.Command("qpdf", qdf, out).CombinedOutput(); err != nil {
		tb.Fatalf("qpdf: %v %s", err, b)
	}
	data, err = os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func hexUTF16(s string) []byte {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04x", r)
	}
	return []byte(b.String())
}

// TestVerifyFile runs `sportello verify` on certificate files as a bank
// clerk would receive them: the one issued, a re-saved copy, one whose name
// was changed on the page, one with another person's seal and data grafted
// in, a duplicate, and one past its validity.
func TestVerifyFile(t *testing.T) {
	db := seededDB(t, 400)
	resident := func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && slices.Contains(r.Person.Citizenships, registry.Italy) && r.Address.Street != ""
	}
	cf := findPerson(t, db, resident)
	other := findPerson(t, db, func(r registry.Record) bool { return resident(r) && r.Person.CF != cf })
	lh := printing.Letterhead{Province: "Provincia di Frosinone", VerifyURL: "https://anagrafe.example.it/verify"}

	st, err := store.Open(db, store.Options{DeskCode: "D01"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := municipalityOf("A269", "")
	if err != nil {
		t.Fatal(err)
	}
	by := certificate.Issuer{Username: "cli", FullName: "Luca Neri", Role: access.Clerk}
	issue := func(cf string) certificate.Issued {
		t.Helper()
		id, err := personByCF(ctx, st, cf)
		if err != nil {
			t.Fatal(err)
		}
		req := certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UseCourt, Duty: certificate.StampDuty{Exemption: 7}}
		got, err := st.IssueCertificate(ctx, store.IssueInput{PersonID: id, Request: req, Issuer: by, Municipality: m},
			func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, lh) })
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b := issue(cf), issue(other)
	doc, err := st.Reprint(ctx, "cli", a.Number)
	if err != nil {
		t.Fatal(err)
	}
	dup, err := printing.Certificate(doc, lh)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	surname := strings.ToUpper(a.Document.Person.Surname)
	keywords := regexp.MustCompile(`sportello-seal:[A-Za-z0-9+/=]+ sportello-page:[A-Za-z0-9+/=]+`)
	pageData := regexp.MustCompile(` sportello-page:[A-Za-z0-9+/=]+`)
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		pdf   func() []byte
		later time.Duration
		exit  int
		want  string
	}{
		{"the issued file", func() []byte { return a.PDF }, 0, 0, "identico alla copia nel registro"},
		{"saved again", func() []byte { return qdfEdit(t, a.PDF, func(b []byte) []byte { return append(b, "\n% again\n"...) }) }, 0, 0, "La pagina corrisponde al sigillo"},
		{"the name changed on the page", func() []byte {
			return qdfEdit(t, a.PDF, func(p []byte) []byte {
				return bytes.ReplaceAll(p, hexUTF16(surname), hexUTF16(strings.Repeat("X", len([]rune(surname)))))
			})
		}, 0, 1, "non corrisponde al sigillo"},
		{"another person's seal grafted", func() []byte {
			return qdfEdit(t, a.PDF, func(p []byte) []byte { return bytes.ReplaceAll(p, keywords.Find(a.PDF), keywords.Find(b.PDF)) })
		}, 0, 1, "non corrisponde al sigillo"},
		{"a copy without the page's data", func() []byte {
			return qdfEdit(t, a.PDF, func(p []byte) []byte { return pageData.ReplaceAll(p, nil) })
		}, 0, 1, "non si può confrontare con il sigillo"},
		{"a duplicate", func() []byte { return dup }, 0, 0, "Duplicato del certificato n. " + a.Number + " registrato il"},
		{"past its validity", func() []byte { return a.PDF }, 7 * 31 * 24 * time.Hour, 1, "non è più valido"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".pdf")
			if err := os.WriteFile(file, tc.pdf(), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.later != 0 {
				defer func(f func() registry.Date) { verifyToday = f }(verifyToday)
				verifyToday = func() registry.Date { return registry.DateOf(time.Now().Add(tc.later)) }
			}
			code, stdout, stderr := runCmd(t, "verify", "--db", db, file)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tc.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("output lacks %q: %s %s", tc.want, stdout, stderr)
			}
			if tc.exit != 0 && strings.Contains(stdout, "Sigillo valido") && tc.later == 0 {
				t.Errorf("a refused file is said to have a valid seal: %s", stdout)
			}
		})
	}
}

// TestCertificateDeskLetterhead checks that the desk prints the letterhead
// of its settings on the certificates it issues.
func TestCertificateDeskLetterhead(t *testing.T) {
	db := seededDB(t, 200)
	cf := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && slices.Contains(r.Person.Citizenships, registry.Italy) && r.Address.Street != ""
	})
	st, err := store.Open(db, store.Options{DeskCode: "D01"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	id, err := personByCF(ctx, st, cf)
	if err != nil {
		t.Fatal(err)
	}
	lh := printing.Letterhead{Province: "Provincia di Frosinone", PEC: "comune@pec.example.it", VerifyURL: "https://anagrafe.example.it/verify"}
	c := newCertificateDesk(st, config{Municipality: "A269", Fees: certificate.DefaultSettings, Letterhead: lh})
	got, err := c.Issue(ctx, id, certificate.Request{Types: []certificate.Type{certificate.Residence}, Use: certificate.UseCourt, Duty: certificate.StampDuty{Exemption: 7}},
		certificate.Issuer{Username: "cli", FullName: "Luca Neri", Role: access.Clerk})
	if err != nil {
		t.Fatal(err)
	}
	if _, printed, ok := printing.Printed(got.PDF); !ok || !reflect.DeepEqual(printed, lh) {
		t.Errorf("the desk's certificate prints the letterhead %+v, want %+v", printed, lh)
	}
	reprint, err := c.Reprint(ctx, "cli", got.Number)
	if err != nil {
		t.Fatal(err)
	}
	if d, printed, ok := printing.Printed(reprint); !ok || !reflect.DeepEqual(printed, lh) || !d.Duplicate {
		t.Errorf("the desk's duplicate prints the letterhead %+v (duplicate %v), want %+v", printed, d.Duplicate, lh)
	}
}
