package printing

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sportello/certificate"
	"sportello/fault"
)

var demoLetterhead = Letterhead{
	Province: "Provincia di Frosinone", Address: "Piazza Innocenzo III 1, 03012 Anagni (FR)",
	PEC: "protocollo@pec.comune.anagni.fr.it", VerifyURL: "https://anagrafe.comune.anagni.fr.it/verify",
}

func residence(tb testing.TB) certificate.Document {
	tb.Helper()
	return document(tb, household(3), certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
}

// object returns the text of indirect object n of an uncompressed PDF (as
// fpdf writes it), up to endobj.
func object(tb testing.TB, pdf []byte, n string) string {
	tb.Helper()
	i := bytes.Index(pdf, []byte("\n"+n+" 0 obj\n"))
	if i < 0 {
		tb.Fatalf("no object %s", n)
	}
	rest := pdf[i+1:]
	j := bytes.Index(rest, []byte("endobj"))
	if j < 0 {
		tb.Fatalf("object %s has no end", n)
	}
	return string(rest[:j])
}

// TestCertificatePDFA checks a certificate for what a PDF/A-2b validator
// looks for (veraPDF is not available here): the XMP identification and
// its agreement with the information dictionary, the sRGB output intent,
// the language, the document ID, embedded and subset-tagged fonts, title,
// author and subject, and a creation date that is the time of printing;
// and, when qpdf is installed, that qpdf --check finds no error.
func TestCertificatePDFA(t *testing.T) {
	d := residence(t)
	before := time.Now().UTC().Add(-time.Second)
	pdf, err := Certificate(d, demoLetterhead)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().UTC().Add(time.Second)
	if h := pdf[:min(len(pdf), 14)]; !regexp.MustCompile(`^%PDF-1\.[0-7]\n%`).Match(h) || len(h) < 14 ||
		h[10] < 128 || h[11] < 128 || h[12] < 128 || h[13] < 128 {
		t.Errorf("header %q: want %%PDF-1.n and a comment of four bytes above 127", pdf[:16])
	}
	find := func(name, pattern string) []string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(string(pdf))
		if m == nil {
			t.Errorf("%s: no %s in the file", name, pattern)
			return make([]string, 4)
		}
		return m
	}
	catalog := find("catalogue", `(?s)/Type /Catalog.*?endobj`)[0]
	for _, want := range []string{"/Lang (it-IT)", "/OutputIntents [", "/S /GTS_PDFA1", "/Metadata "} {
		if !strings.Contains(catalog, want) {
			t.Errorf("catalogue lacks %s: %s", want, catalog)
		}
	}
	if m := regexp.MustCompile(`/DestOutputProfile (\d+) 0 R`).FindStringSubmatch(catalog); m == nil {
		t.Error("the output intent has no profile")
	} else if p := object(t, pdf, m[1]); !strings.Contains(p, "/N 3") || !strings.Contains(p, "stream") {
		t.Errorf("the output profile is not an RGB ICC stream: %.80s", p)
	}
	if m := regexp.MustCompile(`/Metadata (\d+) 0 R`).FindStringSubmatch(catalog); m != nil {
		xmp := object(t, pdf, m[1])
		for _, want := range []string{"/Subtype /XML", "<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>B</pdfaid:conformance>",
			"<rdf:li>Comune di Anagni</rdf:li>", ">" + d.Title + " " + d.Number + "</rdf:li>", "Certificato anagrafico n. " + d.Number,
			"<pdf:Producer>Sportello</pdf:Producer>", "<xmp:CreatorTool>Sportello</xmp:CreatorTool>", "<xmpMM:DocumentID>uuid:"} {
			if !strings.Contains(xmp, want) {
				t.Errorf("XMP lacks %s", want)
			}
		}
		if strings.Contains(xmp, "/Filter") {
			t.Error("the XMP stream is compressed")
		}
		created := regexp.MustCompile(`<xmp:CreateDate>([^<]+)</xmp:CreateDate>`).FindStringSubmatch(xmp)
		if created == nil {
			t.Error("XMP has no creation date")
		} else if at, err := time.Parse(time.RFC3339, created[1]); err != nil || at.Before(before.Truncate(time.Second)) || at.After(after) {
			t.Errorf("XMP creation date %s is not the time of printing (%v)", created[1], err)
		} else {
			info := find("info", `/CreationDate \(D:(\d{14})Z\)`)
			if info[1] != at.Format("20060102150405") {
				t.Errorf("the information dictionary's creation date %s differs from the XMP's %s", info[1], created[1])
			}
			if kw := find("keywords", `/Keywords \(([^)]*)\)`)[1]; !strings.Contains(xmp, "<pdf:Keywords>"+kw+"</pdf:Keywords>") {
				t.Error("the XMP keywords differ from the information dictionary's")
			}
		}
	}
	trailer := find("trailer", `(?s)trailer\n<<(.*?)>>\nstartxref`)[1]
	if !regexp.MustCompile(`/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]`).MatchString(trailer) {
		t.Errorf("trailer has no document ID: %s", trailer)
	}
	if m := regexp.MustCompile(`/Info (\d+) 0 R`).FindStringSubmatch(trailer); m == nil {
		t.Error("trailer has no /Info")
	} else if info := object(t, pdf, m[1]); !strings.Contains(info, "/Title ") || !strings.Contains(info, "/Author ") || !strings.Contains(info, "/Subject ") {
		t.Errorf("/Info is not the information dictionary with title, author and subject: %.120s", info)
	}
	names := regexp.MustCompile(`/BaseFont /([^\s/>]+)`).FindAllStringSubmatch(string(pdf), -1)
	if len(names) == 0 {
		t.Error("no fonts")
	}
	for _, n := range names {
		if !regexp.MustCompile(`^[A-Z]{6}\+TitilliumWeb-`).MatchString(n[1]) {
			t.Errorf("font %s has no subset tag", n[1])
		}
	}
	descriptors := regexp.MustCompile(`/Type /FontDescriptor[^>]*>>`).FindAllString(string(pdf), -1)
	for _, fd := range descriptors {
		if !strings.Contains(fd, "/FontFile2 ") {
			t.Errorf("font not embedded: %s", fd)
		}
	}
	if len(descriptors) == 0 {
		t.Error("no font descriptors")
	}

	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		t.Log("qpdf not installed: qpdf --check not run")
		return
	}
	file := filepath.Join(t.TempDir(), "certificato.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(qpdf, "--check", file).CombinedOutput()
	if err != nil || strings.Contains(string(out), "WARNING") || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
}

// TestCertificatePage checks what the page says beside the body: the
// letterhead of the settings, the verification address beside the QR code
// and the line on what the seal proves.
func TestCertificatePage(t *testing.T) {
	pdf, err := Certificate(residence(t), demoLetterhead)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if text == "" {
		t.Skip("pdftotext not installed")
	}
	for _, want := range []string{"Provincia di Frosinone", "Piazza Innocenzo III 1, 03012 Anagni (FR)", "PEC protocollo@pec.comune.anagni.fr.it",
		"https://anagrafe.comune.anagni.fr.it/verify", "Il sigillo attesta i dati rilasciati dal Comune", "non che siano ancora attuali"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q: %s", want, text)
		}
	}
	if d, lh, ok := Printed(pdf); !ok || lh.VerifyURL != demoLetterhead.VerifyURL || d.PersonLine == "" || d.Person.Surname != "" {
		t.Errorf("Printed = %+v, %+v, %v: want the document as printed, without the register's record", d.Person, lh, ok)
	}
}

func TestDuplicateMarked(t *testing.T) {
	d := residence(t)
	d.Duplicate = true
	d.ReprintedAt = time.Date(2026, 9, 14, 8, 30, 0, 0, time.UTC)
	d.ReprintedBy = "Anna Bianchi"
	pdf, err := Certificate(d, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := PageText(t.Context(), pdf)
	if errors.Is(err, ErrNoText) {
		t.Skip("pdftotext not installed")
	}
	want := "DUPLICATO del certificato rilasciato il 02/03/2026, stampato il 14/09/2026 alle 10:30 da Anna Bianchi"
	if !strings.Contains(text, want) {
		t.Errorf("the duplicate does not read %q: %s", want, text)
	}
	if strings.Count(strings.ReplaceAll(text, " ", ""), "DUPLICATO") < 2 {
		t.Errorf("no DUPLICATO across the page: %s", text)
	}
}

// qpdf runs qpdf (or fix-qdf) on the file at in, writing out; it skips the
// test when qpdf is not installed.
func runQPDF(tb testing.TB, tool string, args ...string) {
	tb.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		tb.Skipf("%s not installed", tool)
	}
	cmd := exec.Command(bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 { // 3: warnings
			tb.Fatalf("%s %v: %v %s", tool, args, err, out)
		}
	}
}

// tamper writes pdf out in qpdf's QDF form (streams uncompressed), lets
// edit change it, repairs lengths and offsets with fix-qdf and saves it
// again as a normal PDF.
func tamper(tb testing.TB, pdf []byte, edit func([]byte) []byte) []byte {
	tb.Helper()
	dir := tb.TempDir()
	qdf, fixed, out := filepath.Join(dir, "qdf.pdf"), filepath.Join(dir, "fixed.pdf"), filepath.Join(dir, "out.pdf")
	data := qdfForm(tb, pdf)
	edited := edit(bytes.Clone(data))
	if bytes.Equal(edited, data) && edit != nil {
		tb.Fatal("the edit changed nothing")
	}
	if err := os.WriteFile(qdf, edited, 0o644); err != nil {
		tb.Fatal(err)
	}
	bin, err := exec.LookPath("fix-qdf")
	if err != nil {
		tb.Skip("fix-qdf not installed")
	}
	cmd := exec.Command(bin, qdf)
	f, err := os.Create(fixed)
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout = f
	if err := cmd.Run(); err != nil {
		tb.Fatalf("fix-qdf: %v", err)
	}
	f.Close()
	runQPDF(tb, "qpdf", fixed, out)
	data, err = os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// qdfForm is pdf in qpdf's QDF form: objects in order, streams
// uncompressed, each page's content marked "%% Contents for page N".
func qdfForm(tb testing.TB, pdf []byte) []byte {
	tb.Helper()
	dir := tb.TempDir()
	in, qdf := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "qdf.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	runQPDF(tb, "qpdf", "--qdf", "--object-streams=disable", in, qdf)
	data, err := os.ReadFile(qdf)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// firstPage returns where the content stream of page 1 of a QDF file
// starts and ends.
func firstPage(tb testing.TB, qdf []byte) (int, int) {
	tb.Helper()
	start := bytes.Index(qdf, []byte("%% Contents for page 1"))
	if start < 0 {
		tb.Fatal("no page contents in the QDF file")
	}
	start += bytes.Index(qdf[start:], []byte("stream\n")) + len("stream\n")
	end := start + bytes.Index(qdf[start:], []byte("endstream"))
	return start, end
}

// qrBlock is the QR code's drawing in page 1 of a QDF file: the run of
// filled rectangles (a residence certificate has no other).
func qrBlock(tb testing.TB, qdf []byte) (int, int) {
	tb.Helper()
	start, end := firstPage(tb, qdf)
	rects := regexp.MustCompile(`(?m)^[-0-9. ]+ re f$`).FindAllIndex(qdf[start:end], -1)
	if len(rects) < 50 {
		tb.Fatalf("%d filled rectangles on the page: no QR code", len(rects))
	}
	return start + rects[0][0], start + rects[len(rects)-1][1]
}

// utf16 is s as fpdf writes it in a content stream for a UTF-8 font: the
// hex digits of its UTF-16 code units.
func utf16(s string) []byte {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04x", r)
	}
	return []byte(b.String())
}

// TestCheckPage tampers with a certificate's file as a forger would, with
// qpdf: the name on the page changed, another certificate's seal and data
// grafted in, a line of text added over the page. Each must be refused;
// the file saved again untouched must not.
func TestCheckPage(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	d := residence(t)
	pdf, err := Certificate(d, demoLetterhead)
	if err != nil {
		t.Fatal(err)
	}
	other := household(3)
	other.Person.Surname, other.Person.Name, other.Person.CF = "Bianchi", "Paolo", "BNCPLA70A01A269X"
	od := document(t, other, certificate.Request{Types: []certificate.Type{certificate.Residence}, Duty: certificate.StampDuty{Payment: certificate.PayVirtual}})
	otherPDF, err := Certificate(od, demoLetterhead)
	if err != nil {
		t.Fatal(err)
	}
	keywords := func(pdf []byte) []byte {
		return regexp.MustCompile(`sportello-seal:[A-Za-z0-9+/=]+ sportello-page:[A-Za-z0-9+/=]+`).Find(pdf)
	}
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		ok   bool
	}{
		{"saved again untouched", func(b []byte) []byte { return append(b, "\n% saved again\n"...) }, true},
		{"the name changed", func(b []byte) []byte { return bytes.ReplaceAll(b, utf16("ROSSI MARIO"), utf16("RUSSO MARIO")) }, false},
		{"another person's seal and data grafted", func(b []byte) []byte {
			return bytes.ReplaceAll(b, keywords(pdf), keywords(otherPDF))
		}, false},
		{"another certificate's QR code drawn in", func(b []byte) []byte {
			o := qdfForm(t, otherPDF)
			from, to := qrBlock(t, o)
			s, e := qrBlock(t, b)
			return append(b[:s:s], append(bytes.Clone(o[from:to]), b[e:]...)...)
		}, false},
		{"the name covered with white", func(b []byte) []byte {
			_, end := firstPage(t, b)
			box := []byte("q 1 1 1 rg 56 560 480 50 re f Q\n")
			return append(b[:end:end], append(box, b[end:]...)...)
		}, false},
		{"a line added over the page", func(b []byte) []byte {
			page := bytes.Index(b, []byte("%% Contents for page 1"))
			end := bytes.Index(b[page:], []byte("Tj ET Q\n")) + page + len("Tj ET Q\n")
			line := []byte("q BT 100.00 300.00 Td <004e004f004e>Tj ET Q\n")
			return append(b[:end:end], append(line, b[end:]...)...)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tamper(t, pdf, tc.edit)
			pd, lh, ok := Printed(got)
			if !ok {
				t.Fatal("the file lost its page data")
			}
			err := CheckPage(t.Context(), got, pd, lh)
			switch {
			case tc.ok && err != nil:
				t.Errorf("CheckPage refuses the untouched page: %v", err)
			case !tc.ok && fault.Code(err) != fault.Invalid:
				t.Errorf("CheckPage = %v, want the page refused", err)
			}
		})
	}
}

// TestCheckPageLong checks a two-page duplicate saved again: accepted.
func TestCheckPageLong(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed")
	}
	d := document(t, household(40), certificate.Request{Types: []certificate.Type{certificate.FamilyWithRelationships}, Duty: certificate.StampDuty{Exemption: 7}})
	d.Duplicate, d.ReprintedAt, d.ReprintedBy = true, time.Now(), "Anna Bianchi"
	pdf, err := Certificate(d, demoLetterhead)
	if err != nil {
		t.Fatal(err)
	}
	got := tamper(t, pdf, func(b []byte) []byte { return append(b, "\n% saved again\n"...) })
	pd, lh, ok := Printed(got)
	if !ok {
		t.Fatal("the file lost its page data")
	}
	if err := CheckPage(t.Context(), got, pd, lh); err != nil {
		t.Errorf("CheckPage refuses the untouched two-page duplicate: %v", err)
	}
}

func TestPrintedWithoutData(t *testing.T) {
	if _, _, ok := Printed([]byte("%PDF-1.4\n/Keywords (sportello-seal:U1BUMQ==)")); ok {
		t.Error("a file with a seal and no page data reads as a certificate")
	}
}
