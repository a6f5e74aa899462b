package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sportello/access"
	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// findPerson returns the codice fiscale of the first person of the seeded
// register for whom ok holds.
func findPerson(tb testing.TB, db string, ok func(registry.Record) bool) string {
	tb.Helper()
	st, err := store.Open(db, store.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, w := range []string{"a", "b", "c", "d", "e", "f", "g", "l", "m", "p", "r", "s"} {
		found, err := st.Search(ctx, registry.Query{Words: []string{w}}, 200)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range found {
			rec, err := st.Record(ctx, m.ID)
			if err != nil {
				tb.Fatal(err)
			}
			if rec.Person.CF != "" && ok(rec) {
				return rec.Person.CF
			}
		}
	}
	tb.Fatal("no person of the seeded register fits")
	return ""
}

// The operators the certificate tests issue as.
const (
	cliClerk    = "pverdi"
	cliPassword = "sportello-2026"
)

// addOperators adds users of each role to the database at db, all with
// cliPassword; the clerk is cliClerk.
func addOperators(tb testing.TB, db string) {
	tb.Helper()
	st, err := store.Open(db, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	for _, u := range []access.User{
		{Username: cliClerk, FullName: "Paola Verdi", Role: access.Clerk},
		{Username: "uneri", FullName: "Ugo Neri", Role: access.Registrar},
		{Username: "sblu", FullName: "Sara Blu", Role: access.Supervisor},
		{Username: "aadmin", FullName: "Aldo Admin", Role: access.Admin},
		{Username: "social", FullName: "Sofia Sociale", Role: access.SocialWorker},
	} {
		if _, err := st.CreateUser(context.Background(), "test", u, cliPassword); err != nil {
			tb.Fatal(err)
		}
	}
}

// runAs runs a command line with password as the first line of standard
// input.
func runAs(tb testing.TB, password string, args ...string) (int, string, string) {
	tb.Helper()
	stdin = strings.NewReader(password + "\n")
	defer func() { stdin = os.Stdin }()
	return runCmd(tb, args...)
}

var numberLine = regexp.MustCompile(`^(D01-\d{4}-\d{6}-[0-9A-Z])\tcodice di verifica ([A-Z2-7]{4}-[A-Z2-7]{4})\t`)

func TestCertificateCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // the default fees, whatever this machine's config file says
	setVirtualBollo(t)
	db := seededDB(t, 2000)
	resident := func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && slices.Contains(r.Person.Citizenships, registry.Italy) &&
			r.Address.Street != "" && len(r.Members) >= 3 && r.Family.HouseholderID != 0
	}
	married := func(r registry.Record) bool {
		return resident(r) && r.Person.CivilStatus == registry.Married
	}
	foreign := func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && !slices.Contains(r.Person.Citizenships, registry.Italy)
	}
	cf, spouse, alien := findPerson(t, db, resident), findPerson(t, db, married), findPerson(t, db, foreign)
	abroad := findPerson(t, db, func(r registry.Record) bool { return r.Person.Status == registry.AIRE })
	addOperators(t, db)
	dir := t.TempDir()
	out := filepath.Join(dir, "residenza.pdf")

	code, stdout, stderr := runAs(t, cliPassword, "certificate", "--db", db, "--operator", cliClerk, "--cf", cf, "--type", "residenza", "--out", out,
		"--self-declaration", filepath.Join(dir, "autocertificazione.pdf"))
	if code != 0 {
		t.Fatalf("certificate: exit %d: %s %s", code, stdout, stderr)
	}
	m := numberLine.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("output %q does not start with the number and the verification code", stdout)
	}
	number, verification := m[1], m[2]
	pdf, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("no PDF written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "autocertificazione.pdf")); err != nil {
		t.Errorf("no self-declaration: %v", err)
	}

	seal, ok := printing.ExtractSeal(pdf)
	if !ok {
		t.Fatal("the PDF carries no seal")
	}
	for _, tt := range []struct {
		name, input string
		exit        int
		want        string
	}{
		{"the PDF", out, 0, "identico alla copia nel registro"},
		{"the QR text", seal, 0, number},
		{"the verification code", strings.ToLower(verification), 0, cf},
		{"the number", number, 0, "Sigillo valido"},
		{"an altered QR text", strings.Replace(seal, "|"+number+"|8|", "|"+number+"|5|", 1), 1, "alterati"},
		{"garbage", "SPT1|nonsense", 1, "non è ben formato"},
		{"an unknown code", "AAAA-AAAA", 1, "Nessun certificato"},
	} {
		t.Run("verify "+tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "verify", "--db", db, tt.input)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output lacks %q: %s %s", tt.want, stdout, stderr)
			}
		})
	}

	for _, tt := range []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"contestuale for abroad, exempt", []string{"--cf", cf, "--type", "contestuale", "--use", "abroad", "--exempt", "99", "--reason", "borsa di studio", "--norm", "art. 8, legge 11 agosto 1991, n. 266"}, 0, "D01-"},
		{"stato di famiglia with relationships, court", []string{"--cf", cf, "--type", "16", "--use", "court", "--exempt", "3"}, 0, "diritti € 0,26"},
		{"stato libero of a married person", []string{"--cf", spouse, "--type", "stato-libero"}, 1, "non è coniugato"},
		{"cittadinanza of a foreigner", []string{"--cf", alien, "--type", "cittadinanza"}, 1, "solo ai cittadini italiani"},
		{"exemption 99 without reason", []string{"--cf", cf, "--type", "residenza", "--exempt", "99"}, 1, "motivo"},
		{"historical residence combined", []string{"--cf", cf, "--type", "9,8"}, 1, "da solo"},
		{"unknown type", []string{"--cf", cf, "--type", "passaporto"}, 1, "non è un tipo"},
		{"unknown person", []string{"--cf", "RSSMRA80A01H501U", "--type", "residenza"}, 1, "Nessuna persona"},
		{"force by the command line", []string{"--cf", spouse, "--type", "stato-libero", "--force", "verified"}, 1, "non è coniugato"},
		{"residenza of an AIRE citizen", []string{"--cf", abroad, "--type", "residenza"}, 1, "rilasci invece il certificato di residenza AIRE (10)"},
		{"residenza AIRE of an AIRE citizen", []string{"--cf", abroad, "--type", "residenza-aire", "--use", "abroad", "--exempt", "9"}, 0, "diritti € 0,26"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"certificate", "--db", db, "--operator", cliClerk, "--out", filepath.Join(dir, "x.pdf")}, tt.args...)
			code, stdout, stderr := runAs(t, cliPassword, args...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output lacks %q: %s %s", tt.want, stdout, stderr)
			}
		})
	}

	csvPath, pdfPath := filepath.Join(dir, "cassa.csv"), filepath.Join(dir, "cassa.pdf")
	code, stdout, stderr = runCmd(t, "cash", "close", "--db", db, "--csv", csvPath, "--pdf", pdfPath)
	if code != 0 {
		t.Fatalf("cash close: exit %d: %s %s", code, stdout, stderr)
	}
	// Four certificates issued: residence (bollo 16,00 + 0,52), contestuale
	// exempt (0,26), family exempt for court (0,26), AIRE residence exempt
	// for a foreign pension (0,26).
	if !strings.Contains(stdout, "Totale\t\t\t€ 17,30") {
		t.Errorf("cash close printed %q", stdout)
	}
	csvText, err := os.ReadFile(csvPath)
	if err != nil || !strings.Contains(string(csvText), number) {
		t.Errorf("csv lacks the certificate %s: %v", number, err)
	}
	if pdf, err := os.ReadFile(pdfPath); err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("no cash report PDF: %v", err)
	}

	dup := filepath.Join(dir, "duplicato.pdf")
	code, stdout, stderr = runCmd(t, "certificate", "--db", db, "--reprint", number, "--out", dup)
	if code != 0 || !strings.Contains(stdout, number+"\tduplicato") {
		t.Fatalf("reprint: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "verify", "--db", db, dup)
	if code != 0 || !strings.Contains(stdout, "Duplicato del certificato n. "+number+" registrato il") {
		t.Errorf("verify of the duplicate: exit %d: %s %s", code, stdout, stderr)
	}

	// The close with --lock: recorded once, then the day takes no more amounts.
	for _, tt := range []struct {
		name string
		args []string
		exit int
		want string
	}{
		{"the report says the day is open", []string{"cash", "close", "--db", db}, 0, "Cassa aperta"},
		{"lock", []string{"cash", "close", "--db", db, "--lock"}, 0, "Totale\t\t\t€ 17,30\nCassa chiusa il "},
		{"lock again", []string{"cash", "close", "--db", db, "--lock"}, 1, "è già chiusa"},
		{"a paid certificate on the closed day", []string{"certificate", "--db", db, "--operator", cliClerk, "--cf", cf, "--type", "residenza", "--out", out}, 1, "quel giorno non si incassano altri importi"},
		{"the report says the day is closed", []string{"cash", "close", "--db", db}, 0, "il giorno non accetta altri incassi"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAs(t, cliPassword, tt.args...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output lacks %q: %s %s", tt.want, stdout, stderr)
			}
		})
	}
}

// TestCertificateFeesFromSettings checks that `sportello certificate` takes
// the bollo and fees from the config file, the environment and its flags.
func TestCertificateFeesFromSettings(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	setVirtualBollo(t)
	db := seededDB(t, 500)
	cf := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && r.Address.Street != ""
	})
	addOperators(t, db)
	file := writeConfig(t, "fee_with_bollo_cents: 100\nbollo_cents: 1500\nfee_exempt_cents: 30\n")
	bad := writeConfig(t, "bollo_cents: 1600\nfee_exempt_cents: 0,26\n")
	out := filepath.Join(t.TempDir(), "c.pdf")
	for _, tt := range []struct {
		name string
		env  string // SPORTELLO_FEE_EXEMPT_CENTS
		args []string
		exit int
		want string
	}{
		{"file", "", []string{"--config", file}, 0, "bollo € 15,00\tdiritti € 1,00"},
		{"flag over file", "", []string{"--config", file, "--fee-with-bollo-cents", "70"}, 0, "bollo € 15,00\tdiritti € 0,70"},
		{"environment, exempt", "45", []string{"--config", file, "--exempt", "3", "--use", "court"}, 0, "bollo € 0,00\tdiritti € 0,45"},
		{"defaults", "", nil, 0, "bollo € 16,00\tdiritti € 0,52"},
		{"not a whole number in the file", "", []string{"--config", bad}, 1, bad + ", riga 2, chiave \"fee_exempt_cents\": \"0,26\" non è un numero intero di centesimi"},
		{"not a whole number in the environment", "-5", nil, 1, "fee_exempt_cents"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("SPORTELLO_FEE_EXEMPT_CENTS", tt.env)
			}
			args := append([]string{"certificate", "--db", db, "--operator", cliClerk, "--cf", cf, "--type", "residenza", "--out", out}, tt.args...)
			code, stdout, stderr := runAs(t, cliPassword, args...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output lacks %q: %s %s", tt.want, stdout, stderr)
			}
		})
	}
}

// TestCertificateDeskPrinter checks that the desk prints to the configured
// CUPS queue, and to the default one when none is set, through a fake lp.
func TestCertificateDeskPrinter(t *testing.T) {
	bin := t.TempDir()
	args := filepath.Join(bin, "args")
	script := "#!/bin/sh\necho \"$@\" > " + args + "\ncat > /dev/null\n"
	if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tt := range []struct{ printer, want string }{
		{"ufficio-a4", "-t Sportello -d ufficio-a4 -"},
		{"", "-t Sportello -"},
	} {
		c := newCertificateDesk(st, config{Municipality: "A269", Printer: tt.printer, Fees: certificate.DefaultSettings})
		if err := c.Print(context.Background(), []byte("%PDF-1.4")); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(args)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(got)) != tt.want {
			t.Errorf("printer %q: lp %s, want %s", tt.printer, got, tt.want)
		}
	}
}

// TestCertificateCommandAuthenticates checks that the command line issues
// only as an operator who exists, gives the right password on standard
// input and has a role that issues; supervisors only under the setting.
// The certificate carries the operator's name.
func TestCertificateCommandAuthenticates(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := seededDB(t, 300)
	addOperators(t, db)
	cf := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && r.Address.Street != ""
	})
	supervisors := writeConfig(t, "supervisors_issue: true\n")
	clerksBarred := writeConfig(t, "clerks_issue: false\n")
	// A server that does not answer: the desk's own copy of the users
	// checks the password, as at the desk's login offline.
	offline := writeConfig(t, "server: http://127.0.0.1:1\n")
	out := filepath.Join(t.TempDir(), "c.pdf")
	for _, tt := range []struct {
		name     string
		operator string
		password string
		config   string
		exit     int
		want     string
	}{
		{"no operator", "", cliPassword, "", 2, "--operator"},
		{"no password", cliClerk, "", "", 1, "manca la password"},
		{"wrong password", cliClerk, "sbagliata-123", "", 1, "Nome utente o password sbagliati"},
		{"unknown operator", "nessuno", cliPassword, "", 1, "Nome utente o password sbagliati"},
		{"an administrator", "aadmin", cliPassword, "", 1, "Il Suo ruolo non rilascia certificati"},
		{"a social worker", "social", cliPassword, "", 1, "Il Suo ruolo non rilascia certificati"},
		{"a supervisor", "sblu", cliPassword, "", 1, "Il Suo ruolo non rilascia certificati"},
		{"a supervisor under the setting", "sblu", cliPassword, supervisors, 0, "D01-"},
		{"a clerk", cliClerk, cliPassword, "", 0, "D01-"},
		{"a clerk under clerks_issue: false", cliClerk, cliPassword, clerksBarred, 1, "Il Suo ruolo non rilascia certificati"},
		{"a registrar", "uneri", cliPassword, "", 0, "D01-"},
		{"a clerk, the server offline", cliClerk, cliPassword, offline, 0, "D01-"},
		{"a wrong password, the server offline", cliClerk, "sbagliata-123", offline, 1, "Nome utente o password sbagliati"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"certificate", "--db", db, "--cf", cf, "--type", "residenza", "--use", "court", "--exempt", "3", "--out", out}
			if tt.operator != "" {
				args = append(args, "--operator", tt.operator)
			}
			if tt.config != "" {
				args = append(args, "--config", tt.config)
			}
			os.Remove(out)
			code, stdout, stderr := runAs(t, tt.password, args...)
			if code != tt.exit {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.exit, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output lacks %q: %s %s", tt.want, stdout, stderr)
			}
			_, err := os.Stat(out)
			if wrote := err == nil; wrote != (tt.exit == 0) {
				t.Errorf("PDF written %v, exit %d", wrote, tt.exit)
			}
			if tt.exit != 0 {
				return
			}
			number := strings.Fields(stdout)[0]
			code, stdout, stderr = runCmd(t, "verify", "--db", db, number)
			if code != 0 || !strings.Contains(stdout, "da "+tt.operator) {
				t.Errorf("verify: the register does not name %s: %s %s", tt.operator, stdout, stderr)
			}
			st, err := store.Open(db, store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			reg, err := st.CertificateByNumber(context.Background(), number)
			if err != nil || strings.TrimSpace(reg.Document.Signer) == "" {
				t.Errorf("the certificate names no official: %q, %v", reg.Document.Signer, err)
			}
		})
	}
}

// TestCertificateCommandSelfDeclaration checks that a minor's
// self-declaration needs the parent or guardian who declares, and that a
// refused one issues nothing.
func TestCertificateCommandSelfDeclaration(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := seededDB(t, 300)
	addOperators(t, db)
	child := findPerson(t, db, func(r registry.Record) bool {
		return r.Person.Status == registry.Resident && r.Address.Street != "" && r.Person.BirthDate.AgeOn(registry.Today()) < 14
	})
	dir := t.TempDir()
	decl := filepath.Join(dir, "autocertificazione.pdf")
	base := []string{"certificate", "--db", db, "--operator", cliClerk, "--cf", child, "--type", "residenza", "--use", "court", "--exempt", "3",
		"--out", filepath.Join(dir, "c.pdf"), "--self-declaration", decl}
	code, stdout, stderr := runAs(t, cliPassword, base...)
	if code != 1 || !strings.Contains(stderr, "minorenne") {
		t.Fatalf("a minor's self-declaration with no declarant: exit %d: %s %s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "c.pdf")); err == nil {
		t.Error("the refused self-declaration issued the certificate")
	}
	code, stdout, stderr = runAs(t, cliPassword, append(base, "--declarant", "Verdi Paola", "--declarant-as", "guardian")...)
	if code != 0 {
		t.Fatalf("with the guardian: exit %d: %s %s", code, stdout, stderr)
	}
	pdf, err := os.ReadFile(decl)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Error("no self-declaration written") // its wording is printing's TestSelfDeclarationIsTheCitizens
	}
}
