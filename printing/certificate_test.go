package printing

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/certificate"
	"sportello/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func day(y int, m time.Month, d int) registry.Date { return registry.NewDate(y, m, d) }

func person(id int64, surname, name string, sex registry.Sex, born registry.Date, place string, rel registry.Relationship) registry.Person {
	return registry.Person{ID: id, Surname: surname, Name: name, Sex: sex, BirthDate: born, BirthPlace: place,
		Citizenships: []string{registry.Italy}, CivilStatus: registry.Single, Status: registry.Resident, FamilyID: 7, Relationship: rel}
}

// household is a family of n members (n >= 2) at Via Roma 12, Anagni.
func household(n int) registry.Record {
	head := person(1, "Rossi", "Mario", registry.Male, day(1970, 1, 1), "A269", registry.Householder)
	head.CF, head.CivilStatus = "RSSMRA70A01A269S", registry.Married
	wife := person(2, "D'Amico", "Anna Lucia", registry.Female, day(1972, 5, 3), "H501", registry.Spouse)
	wife.CivilStatus = registry.Married
	members := []registry.Member{{Person: head, Relationship: registry.Householder}, {Person: wife, Relationship: registry.Spouse}}
	names := []string{"Nicolò", "Chiara", "Francesco", "Beatrice", "Tommaso", "Ludovica", "Leonardo", "Gaia"}
	for i := 0; len(members) < n; i++ {
		sex := registry.Male
		if i%2 == 1 {
			sex = registry.Female
		}
		c := person(int64(10+i), "Rossi", names[i%len(names)], sex, day(2000+i, time.Month(1+i%12), 1+i%28), "A269", registry.Child)
		members = append(members, registry.Member{Person: c, Relationship: registry.Child})
	}
	addr := registry.Address{Toponym: "VIA", Street: "ROMA", HouseNumber: "12", Postcode: "03012", Place: "A269"}
	return registry.Record{
		Person: head, Address: addr,
		Residences: []registry.Residence{
			{Address: registry.Address{Toponym: "PIAZZA", Street: "CAVOUR", HouseNumber: "3", Place: "A269"}, From: day(1970, 1, 1), To: day(1999, 6, 30)},
			{Address: addr, From: day(1999, 7, 1)},
		},
		CivilEvents: []registry.CivilEvent{{Kind: registry.EventMarriage, Date: day(1998, 6, 10), Place: "A269", OtherPersonID: 2, OtherName: "D'Amico Anna Lucia"}},
		Family:      registry.Family{ID: 7, HouseholderID: 1},
		Members:     members,
	}
}

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

func document(tb testing.TB, rec registry.Record, req certificate.Request) certificate.Document {
	tb.Helper()
	m := certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico, Piazza Cavour"}
	by := certificate.Issuer{Username: "uff", FullName: "Luca Neri", Role: access.Registrar}
	d := certificate.Compose(rec, req, certificate.Number{Desk: "D01", Year: 2026, Seq: 42}, day(2026, 3, 2), m, by)
	if err := d.SealWith(func(s *certificate.Seal) error { return s.Sign(testKey) }); err != nil {
		tb.Fatal(err)
	}
	return d
}

var cases = []struct {
	name string
	rec  registry.Record
	req  certificate.Request
}{
	{"residenza", household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual, Authorisation: certificate.Authorisation{Number: "12345/2019", Date: day(2019, 5, 20)}}}},
	{"famiglia", household(6), certificate.Request{Types: []certificate.Type{certificate.FamilyWithRelationships}, Use: certificate.UseCourt, Duty: certificate.StampDuty{Exemption: 3}}},
	{"contestuale", household(4), certificate.Request{Types: certificate.Contestuale, Use: certificate.UseAbroad, Duty: certificate.StampDuty{Payment: certificate.PayMarca, Serial: "01201234567890"}}},
	{"famiglia-grande", household(40), certificate.Request{Types: []certificate.Type{certificate.Family}, Use: certificate.UseCourt, Duty: certificate.StampDuty{Exemption: 7}}},
}

func TestCertificatePDF(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := document(t, tc.rec, tc.req)
			pdf, err := Certificate(d, Letterhead{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatal("not a PDF")
			}
			seal, ok := ExtractSeal(pdf)
			if !ok || seal != d.SealText {
				t.Errorf("ExtractSeal = %q, %v", seal, ok)
			}
			if _, err := certificate.Verify(seal, certificate.Keys{certificate.KeyID(testKey.Public().(ed25519.PublicKey)): {PublicKey: testKey.Public().(ed25519.PublicKey), DeskCode: "D01"}}); err != nil {
				t.Errorf("the seal in the PDF does not verify: %v", err)
			}
			if tc.name != "famiglia-grande" && len(pdf) > 60_000 {
				t.Errorf("one-page certificate is %d bytes, want <= 60 KB", len(pdf))
			}
			text := pdfText(t, pdf)
			if text == "" {
				return
			}
			golden := filepath.Join("testdata", tc.name+".txt")
			if *update {
				os.MkdirAll("testdata", 0o755)
				if err := os.WriteFile(golden, []byte(text+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if want, err := os.ReadFile(golden); err != nil || strings.TrimSpace(string(want)) != text {
				t.Errorf("the text of the page differs from %s (run go test -update to accept): %s", golden, text)
			}
			for _, w := range wantText(d) {
				if !strings.Contains(text, w) {
					t.Errorf("text of the PDF lacks %q", w)
				}
			}
		})
	}
}

// wantText is what must read in the PDF: short pieces that never wrap.
func wantText(d certificate.Document) []string {
	want := []string{"Comune di Anagni", d.Number, "CERTIFICA", "L'Ufficiale d'Anagrafe", "Luca Neri", d.Code, "Anagni, 02/03/2026", "Pagina 1 di"}
	for _, f := range d.Facts {
		if f.Table != nil {
			for _, r := range f.Table.Rows {
				want = append(want, r[0])
			}
		}
	}
	return want
}

// pdfText extracts the text with pdftotext when it is installed; "" when not.
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Log("pdftotext not installed: text not checked")
		return ""
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// BenchmarkRender lays out each golden case and reports the median time
// of one certificate including PDF/A ("p50-ms", the target is 10 ms) and
// the file's size ("bytes", at most 60 KB for one page).
func BenchmarkRender(b *testing.B) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := document(b, c.rec, c.req)
			var size int
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				pdf, err := Certificate(d, Letterhead{})
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
				size = len(pdf)
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

func TestSelfDeclaration(t *testing.T) {
	d := document(t, household(6), certificate.Request{Types: certificate.Contestuale, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	pdf, err := SelfDeclaration(certificate.Declaration{Document: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ExtractSeal(pdf); ok {
		t.Error("a self-declaration carries a seal")
	}
	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, w := range []string{"art. 46", "Il sottoscritto ROSSI MARIO", "DICHIARA", "di essere cittadino italiano;", "di essere residente in questo Comune", "ROSSI NICOLÒ", "Il dichiarante", "art. 76"} {
		if !strings.Contains(text, w) {
			t.Errorf("self-declaration lacks %q: %s", w, text)
		}
	}
}

func TestFirstPage(t *testing.T) {
	d := document(t, household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	pdf, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := FirstPage(t.Context(), pdf, 30)
	if err != nil {
		t.Fatal(err)
	}
	// A4 at 30 dpi is about 248 x 351 pixels: a portrait page.
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 300 || b.Dy() < b.Dx() {
		t.Errorf("preview is %v, not an A4 page", b)
	}
}

// TestQRReadable decodes the printed QR code with zbarimg, when installed,
// from the page rendered at 150 dpi: it must read back the seal.
func TestQRReadable(t *testing.T) {
	zbar, err1 := exec.LookPath("zbarimg")
	_, err2 := exec.LookPath("pdftoppm")
	if err1 != nil || err2 != nil {
		t.Skip("zbarimg or pdftoppm not installed")
	}
	d := document(t, household(6), certificate.Request{Types: certificate.Contestuale, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	pdf, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-", filepath.Join(dir, "page"))
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command(zbar, "-q", "--raw", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg read no code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != d.SealText {
		t.Errorf("QR reads %q, want the seal %q", got, d.SealText)
	}
}

func TestDuplicate(t *testing.T) {
	d := document(t, household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	original, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	d.Duplicate = true
	dup, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(original, dup) {
		t.Fatal("the duplicate is not marked")
	}
	if seal, ok := ExtractSeal(dup); !ok || seal != d.SealText {
		t.Error("the duplicate lost the seal")
	}
	if text := pdfText(t, dup); text != "" && !strings.Contains(text, "DUPLICATO") {
		t.Errorf("the duplicate does not read DUPLICATO: %s", text)
	}
}
