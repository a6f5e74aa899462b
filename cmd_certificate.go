package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"sportello/access"
	"sportello/central"
	"sportello/certificate"
	"sportello/desk"
	"sportello/fault"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// cmdCertificate runs `sportello certificate`: it issues and registers a
// certificate for the person with the codice fiscale, writes the PDF and
// prints its number; exit 1 with the reason when the rules refuse.
func cmdCertificate(args []string, stdout io.Writer) error {
	fs := newFlags("certificate")
	fs.String("db", "", "database file [db]")
	cf := fs.String("cf", "", "codice fiscale of the person")
	typ := fs.String("type", "", "certificate type: table 13 code, a name (residenza, stato-di-famiglia...), contestuale, or a list 8,5,12")
	use := fs.String("use", "private", "use: private, abroad, court, immigration or office")
	exempt := fs.Int("exempt", 0, "stamp-duty exemption code (table 39); 99 needs --reason")
	reason := fs.String("reason", "", "reason of exemption 99")
	norm := fs.String("norm", "", "legal reference of exemption 99 (the law and article that exempt the certificate)")
	bollo := fs.String("bollo", "virtual", "how the bollo was paid: virtual, marca or other")
	marca := fs.String("marca", "", "serial number of the marca da bollo")
	fee := fs.String("fee", "cash", "how the fee was paid: cash, card or pagopa")
	at := fs.String("at", "", "date for the historical residence at a date (YYYY-MM-DD)")
	operator := fs.String("operator", "", "username of the operator who issues and whose name is printed; the password is read from standard input")
	force := fs.String("force", "", "a registrar's reason to issue despite a refusal the law lets them override")
	// --db, --desk-code and --municipality fall back on the config file, as
	// the desk's own settings.
	fs.String("desk-code", "D01", "code of this desk, for a database that has none yet [desk_code]")
	fs.String("municipality", "A269", "cadastral code of the municipality [municipality]")
	office := fs.String("office", "", "office printed under the municipality")
	out := fs.String("out", "", "PDF file to write")
	selfDecl := fs.String("self-declaration", "", "also write the pre-filled self-declaration to this PDF file")
	declarant := fs.String("declarant", "", "for the self-declaration of a minor or a person under guardianship: the name of the parent or guardian who declares")
	declarantAs := fs.String("declarant-as", "parent", "the declarant's capacity: parent or guardian")
	fs.String("reprint", "", "number of a registered certificate to print again as a duplicate (with --db and --out)")
	feeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	if reprint := fs.Lookup("reprint").Value.String(); reprint != "" {
		return reprintCertificate(cfg.DB, reprint, *out, *operator, cfg.Letterhead, stdout)
	}
	if *cf == "" || *typ == "" || *out == "" {
		return fmt.Errorf("%w: servono --cf, --type e --out", errUsage)
	}
	types, err := certificate.ParseTypes(*typ)
	if err != nil {
		return err
	}
	u, err := certificate.ParseUse(*use)
	if err != nil {
		return err
	}
	req := certificate.Request{
		Types: types, Use: u, FeePayment: certificate.Payment(strings.ToLower(*fee)),
		Duty:  certificate.StampDuty{Exemption: *exempt, Reason: *reason, Norm: *norm, Payment: certificate.Payment(strings.ToLower(*bollo)), Serial: *marca},
		Force: *force != "", ForceReason: *force,
	}
	if *marca != "" && !fs.Changed("bollo") {
		req.Duty.Payment = certificate.PayMarca
	}
	if req.AtDate, err = registry.ParseDate(*at); err != nil {
		return err
	}
	m, err := municipalityOf(cfg.Municipality, *office)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	by, err := authenticatedIssuer(ctx, st, cfg, *operator)
	if err != nil {
		return err
	}
	id, err := personByCF(ctx, st, *cf)
	if err != nil {
		return err
	}
	var decl certificate.Declaration
	if *selfDecl != "" {
		// Checked before issuing: a self-declaration refused issues nothing.
		rec, err := st.Record(ctx, id)
		if err != nil {
			return err
		}
		by := certificate.Declarant{Name: *declarant, Capacity: certificate.Capacity(strings.ToLower(*declarantAs))}
		if decl, err = certificate.SelfDeclaration(rec, req, by, registry.Today(), m); err != nil {
			return err
		}
	}
	issued, err := st.IssueCertificate(ctx, store.IssueInput{
		PersonID: id, Request: req, Issuer: by, Municipality: m, Settings: cfg.Fees, Policy: cfg.Issuing,
	}, func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, cfg.Letterhead) })
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, issued.PDF, 0o644); err != nil {
		return fmt.Errorf("il certificato %s è registrato ma il file %s non si scrive (%v): ristampatelo come duplicato", issued.Number, *out, err)
	}
	if *selfDecl != "" {
		pdf, err := printing.SelfDeclaration(decl)
		if err == nil {
			err = os.WriteFile(*selfDecl, pdf, 0o644)
		}
		if err != nil {
			return fmt.Errorf("autocertificazione %s: %w", *selfDecl, err)
		}
	}
	fmt.Fprintf(stdout, "%s\tcodice di verifica %s\tbollo %s\tdiritti %s\n", issued.Number, issued.Document.Code,
		euro(issued.Fees.BolloDue), euro(issued.Fees.FeeCents))
	return nil
}

// reprintCertificate writes a registered certificate again, marked as a
// duplicate; the reprint is logged.
func reprintCertificate(db, number, out, operator string, lh printing.Letterhead, stdout io.Writer) error {
	if db == "" || out == "" {
		return fmt.Errorf("%w: --reprint vuole --db e --out", errUsage)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	by, err := issuer(ctx, st, operator)
	if err != nil {
		return err
	}
	doc, err := st.Reprint(ctx, by.Username, number)
	if err != nil {
		return err
	}
	pdf, err := printing.Certificate(doc, lh)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		return fmt.Errorf("scrittura di %s: %w", out, err)
	}
	fmt.Fprintf(stdout, "%s\tduplicato\n", doc.Number)
	return nil
}

func euro(cents int64) string {
	return fmt.Sprintf("€ %d,%02d", cents/100, cents%100)
}

// municipalityOf names the municipality with the cadastral code.
func municipalityOf(code, office string) (certificate.Municipality, error) {
	code = strings.ToUpper(code)
	p, ok := registry.LookupPlace(code, registry.Today())
	if !ok || p.Foreign {
		return certificate.Municipality{}, fmt.Errorf("%w: %q non è il codice catastale di un comune in vigore", errUsage, code)
	}
	return certificate.Municipality{Code: code, Name: registry.TitleCase(p.Name), Office: office}, nil
}

// stdin is where the headless commands read a password from.
var stdin io.Reader = os.Stdin

// readPassword reads a password from the first line of standard input.
func readPassword() (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("lettura della password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// authenticatedIssuer is the operator who issues from the command line: a
// user named with --operator whose password, read from standard input, is
// right (checked by the server when the configuration names one, as at the
// desk's login, else by this database with its lockout), in a role that
// issues under the municipality's setting. Every certificate carries the
// issuer's name, so the command line never issues as nobody.
func authenticatedIssuer(ctx context.Context, st *store.Store, cfg config, username string) (certificate.Issuer, error) {
	if strings.TrimSpace(username) == "" {
		return certificate.Issuer{}, fmt.Errorf("%w: manca --operator UTENTE: il certificato porta il nome dell'operatore che lo rilascia (la password si legge dallo standard input)", errUsage)
	}
	password, err := readPassword()
	if err != nil {
		return certificate.Issuer{}, err
	}
	if password == "" {
		return certificate.Issuer{}, fmt.Errorf("manca la password dell'operatore %s: la scriva sulla prima riga dello standard input", username)
	}
	var auth access.Authenticator = st.WithLockout()
	if cfg.Server != "" {
		c, err := deskClient(ctx, st, cfg)
		if err != nil {
			return certificate.Issuer{}, err
		}
		auth = central.ServerFirst{Client: c, Local: auth}
	}
	u, err := auth.Login(ctx, username, password)
	if err != nil {
		return certificate.Issuer{}, err
	}
	if !cfg.Issuing.MayIssue(u.Role) {
		return certificate.Issuer{}, fault.New(fault.Forbidden, "Your role does not issue certificates", nil)
	}
	return certificate.Issuer{Username: u.Username, FullName: u.FullName, Role: u.Role}, nil
}

// issuer is the operator named with --operator, or the command line itself,
// which prints no name and may not force.
func issuer(ctx context.Context, st *store.Store, username string) (certificate.Issuer, error) {
	if username == "" {
		return certificate.Issuer{Username: "cli", Role: access.Clerk}, nil
	}
	users, err := st.Users(ctx)
	if err != nil {
		return certificate.Issuer{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Username, username) {
			return certificate.Issuer{Username: u.Username, FullName: u.FullName, Role: u.Role}, nil
		}
	}
	return certificate.Issuer{}, fmt.Errorf("%w: l'utente %q non esiste in questo database", errUsage, username)
}

// personByCF finds the one person with the codice fiscale (or an omocode of it).
func personByCF(ctx context.Context, st *store.Store, cf string) (int64, error) {
	q, err := registry.ParseQuery(cf)
	if err != nil {
		return 0, err
	}
	if q.CF == "" {
		return 0, fault.New(fault.Invalid, "{{.CF}} is not a codice fiscale", map[string]any{"CF": cf})
	}
	found, err := st.Search(ctx, q, 2)
	if err != nil {
		return 0, err
	}
	if len(found) != 1 {
		return 0, fault.New(fault.NotFound, "No person with the codice fiscale {{.CF}} is in the register", map[string]any{"CF": strings.ToUpper(cf)})
	}
	return found[0].ID, nil
}

// cmdVerify runs `sportello verify INPUT`: INPUT is the QR code's text, a
// certificate PDF, a verification code or a certificate number (these two
// looked up in the register of --db). The desk keys of --db are the trusted
// ones. A PDF's pages must be those its seal certifies (printing.CheckPage);
// a duplicate is named as such. Exit 0 when the seal is valid, 1 when not or
// when the certificate's validity is over.
func cmdVerify(args []string, stdout io.Writer) error {
	fs := newFlags("verify")
	db := fs.String("db", "", "database file whose desk keys are trusted (and whose register is searched)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: verify vuole un argomento: il testo del QR, un PDF, un codice di verifica o un numero", errUsage)
	}
	if *db == "" {
		return fmt.Errorf("%w: manca --db FILE: servono le chiavi delle postazioni di cui fidarsi", errUsage)
	}
	st, err := store.Open(*db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	keys, err := st.TrustedKeys(ctx)
	if err != nil {
		return err
	}
	input := fs.Arg(0)
	text, fileHash := input, ""
	var reg *store.Registered
	var printed *certificate.Document
	var letterhead printing.Letterhead
	var file []byte
	switch {
	case strings.HasPrefix(input, "SPT1|"):
	case isFile(input):
		pdf, err := os.ReadFile(input)
		if err != nil {
			return fmt.Errorf("lettura di %s: %w", input, err)
		}
		if d, lh, ok := printing.Printed(pdf); ok {
			printed, letterhead, text = &d, lh, d.SealText
		} else if text, ok = printing.ExtractSeal(pdf); !ok {
			return fault.New(fault.Invalid, "The file holds no certificate seal", nil)
		}
		sum := sha256.Sum256(pdf)
		fileHash, file = hex.EncodeToString(sum[:]), pdf
	default:
		r, err := st.CertificateByCode(ctx, input)
		if fault.Code(err) == fault.Invalid {
			r, err = st.CertificateByNumber(ctx, input)
		}
		if err != nil {
			return err
		}
		reg, text = &r, r.Seal
	}
	seal, err := certificate.Verify(text, keys)
	if err != nil {
		return err
	}
	if printed != nil {
		// The page's data must be what the seal signs, and the page must
		// show them.
		if printed.Number != seal.Number || string(certificate.ContentHash(printed.Text())) != string(seal.ContentHash) {
			return fault.New(fault.Invalid, "The seal is not valid: the certificate data were altered", nil)
		}
		err := printing.CheckPage(ctx, file, *printed, letterhead)
		if errors.Is(err, printing.ErrNoText) {
			return fault.New(fault.Invalid, "Checking a certificate file needs pdftotext and pdftoppm (Debian package poppler-utils), which are not installed: verify the verification code or the QR code's text instead", nil)
		}
		if err != nil {
			return err
		}
	}
	if reg == nil {
		if r, err := st.CertificateByNumber(ctx, seal.Number); err == nil {
			reg = &r
		} else if fault.Code(err) != fault.NotFound {
			return err
		}
	}
	if reg != nil && string(certificate.ContentHash(reg.Document.Text())) != string(seal.ContentHash) {
		return fault.New(fault.Invalid, "The seal is not valid: the certificate data were altered", nil)
	}
	if fileHash != "" && printed == nil && (reg == nil || fileHash != reg.SHA256) {
		// A file without its page's data (printed before they were kept)
		// can only be the registered copy itself.
		return fault.New(fault.Invalid, "The text of this file cannot be checked against its seal: verify the verification code printed on it, and compare the page with what the register shows", nil)
	}
	printSeal(stdout, seal)
	switch {
	case printed != nil && printed.Duplicate:
		fmt.Fprint(stdout, duplicateNote(*printed, reg))
	case reg != nil && fileHash != "" && fileHash == reg.SHA256:
		fmt.Fprintln(stdout, "Il file è identico alla copia nel registro dei certificati.")
	case reg != nil && fileHash != "":
		fmt.Fprintln(stdout, "La pagina corrisponde al sigillo; il file non è la copia registrata (una copia salvata di nuovo).")
	case reg != nil:
		fmt.Fprintf(stdout, "Registrato il %s da %s.\n", romeTime(reg.IssuedAt), reg.Operator)
	case fileHash != "":
		fmt.Fprintln(stdout, "La pagina corrisponde al sigillo; il certificato non è nel registro di questa postazione.")
	}
	if at, reason, annulled, err := st.Annulment(ctx, seal.Number); err != nil {
		return err
	} else if annulled {
		fmt.Fprintln(stdout, certificate.AnnulNote(at, reason)+".")
		return fault.New(fault.Invalid, "The certificate was annulled: it is no longer valid", nil)
	}
	if v := certificate.Validity(seal.Types, seal.IssueDate); !v.IsZero() && verifyToday().After(v) {
		return fault.New(fault.Invalid, "The certificate is no longer valid: its validity ended on {{.Date}} (art. 41, DPR 445/2000)", map[string]any{"Date": v.Italian()})
	}
	return nil
}

// romeTime writes a register's timestamp as Italian local time,
// "04/12/2026 alle 19:06"; one it cannot read is written as it is.
func romeTime(ts string) string {
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return at.In(registry.Rome).Format("02/01/2006 alle 15:04")
}

// verifyToday is the day against which verify checks a certificate's
// validity; tests move it.
var verifyToday = registry.Today

// duplicateNote says that a file is a duplicate: of which registered
// certificate, printed when and by whom.
func duplicateNote(d certificate.Document, reg *store.Registered) string {
	var b strings.Builder
	if reg != nil {
		fmt.Fprintf(&b, "Duplicato del certificato n. %s registrato il %s da %s", reg.Number, romeTime(reg.IssuedAt), reg.Operator)
	} else {
		fmt.Fprintf(&b, "Duplicato del certificato n. %s (non è nel registro di questa postazione)", d.Number)
	}
	if !d.ReprintedAt.IsZero() {
		fmt.Fprintf(&b, ", stampato il %s", d.ReprintedAt.In(registry.Rome).Format("02/01/2006 alle 15:04"))
	}
	if d.ReprintedBy != "" {
		fmt.Fprintf(&b, " da %s", d.ReprintedBy)
	}
	b.WriteString(".\n")
	return b.String()
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

func printSeal(w io.Writer, s certificate.Seal) {
	titles := make([]string, len(s.Types))
	for i, t := range s.Types {
		titles[i] = strconv.Itoa(int(t)) + " " + strings.ToLower(t.Title())
	}
	fmt.Fprintf(w, "Sigillo valido (chiave %s)\n", s.KeyID)
	fmt.Fprintf(w, "Numero:\t%s\nCertifica:\t%s\nPersona:\t%s %s\nCodice fiscale:\t%s\nNascita:\t%s\nRilasciato il:\t%s\nUso:\t%s\n",
		s.Number, strings.Join(titles, "; "), strings.ToUpper(s.Surname), strings.ToUpper(s.Name), s.CF,
		s.BirthDate.Italian(), s.IssueDate.Italian(), strings.TrimSuffix(strings.TrimPrefix(s.Use.Wording(), "Si rilascia "), "."))
	if v := certificate.Validity(s.Types, s.IssueDate); !v.IsZero() {
		fmt.Fprintf(w, "Valido fino al:\t%s\n", v.Italian())
	}
}

// certificateDesk is the desk's CertificateDesk: the store registers, the
// printing package renders, previews and prints.
type certificateDesk struct {
	st           *store.Store
	municipality certificate.Municipality
	letterhead   printing.Letterhead
	settings     certificate.Settings
	policy       certificate.IssuePolicy
	printer      string // CUPS queue, "" for the default
}

// newCertificateDesk wires certificates for the desk of cfg. The desk's
// signing key is made now on a first start (else at the first certificate,
// which then reports what went wrong).
func newCertificateDesk(st *store.Store, cfg config) desk.CertificateDesk {
	if _, err := st.DeskKey(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "Chiave della postazione non creata:", userMessage(err))
	}
	m, err := municipalityOf(cfg.Municipality, cfg.Office)
	if err != nil {
		m = certificate.Municipality{Code: cfg.Municipality, Name: cfg.Municipality, Office: cfg.Office}
	}
	return certificateDesk{st: st, municipality: m, letterhead: cfg.Letterhead, settings: cfg.Fees, policy: cfg.Issuing, printer: cfg.Printer}
}

func (c certificateDesk) Settings() certificate.Settings { return c.settings }

func (c certificateDesk) Policy() certificate.IssuePolicy { return c.policy }

func (c certificateDesk) Issue(ctx context.Context, personID int64, req certificate.Request, by certificate.Issuer) (certificate.Issued, error) {
	return c.st.IssueCertificate(ctx, store.IssueInput{PersonID: personID, Request: req, Issuer: by, Municipality: c.municipality, Settings: c.settings, Policy: c.policy},
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, c.letterhead) })
}

func (c certificateDesk) Draft(ctx context.Context, personID int64, req certificate.Request, by certificate.Issuer) ([]byte, error) {
	_, pdf, err := c.st.DraftCertificate(ctx, store.IssueInput{PersonID: personID, Request: req, Issuer: by, Municipality: c.municipality, Settings: c.settings, Policy: c.policy},
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, c.letterhead) })
	return pdf, err
}

func (c certificateDesk) Annul(ctx context.Context, by access.User, number, reason string) error {
	return c.st.AnnulCertificate(ctx, by, number, reason)
}

func (c certificateDesk) SelfDeclaration(rec registry.Record, req certificate.Request, by certificate.Declarant) ([]byte, error) {
	decl, err := certificate.SelfDeclaration(rec, req, by, registry.Today(), c.municipality)
	if err != nil {
		return nil, err
	}
	return printing.SelfDeclaration(decl)
}

// previewDPI renders the preview sharp enough for the desk's zoom (up to
// twice the printed size on a 96-dpi screen).
const previewDPI = 150

// Preview renders the first page in-process (printing.FirstPage), on
// every platform.
func (c certificateDesk) Preview(ctx context.Context, pdf []byte) (image.Image, error) {
	return printing.FirstPage(ctx, pdf, previewDPI)
}

func (c certificateDesk) LockCash(ctx context.Context, operator string, day registry.Date) (certificate.DailyClose, error) {
	return c.st.CloseCash(ctx, operator, day)
}

func (c certificateDesk) CashLocked(ctx context.Context, day registry.Date) (bool, error) {
	_, closed, err := c.st.CashClosed(ctx, day)
	return closed, err
}

func (c certificateDesk) Print(ctx context.Context, pdf []byte) error {
	return printing.Print(ctx, pdf, c.printer)
}

// cmdCash runs `sportello cash close`: the day's cash register with its
// totals by kind and payment method, as a PDF report and a CSV file.
func cmdCash(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "close" {
		return fmt.Errorf("%w: usi cash close --db FILE [--day AAAA-MM-GG] [--pdf FILE] [--csv FILE]", errUsage)
	}
	fs := newFlags("cash close")
	db := fs.String("db", "", "database file")
	dayFlag := fs.String("day", "", "day to close (YYYY-MM-DD); today in Europe/Rome by default")
	pdfOut := fs.String("pdf", "", "PDF report to write")
	csvOut := fs.String("csv", "", "CSV file to write")
	municipality := fs.String("municipality", "A269", "cadastral code of the municipality")
	lock := fs.Bool("lock", false, "record the close: from then on the day takes no more amounts")
	operator := fs.String("operator", "", "username of the operator who closes (a user of the database)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	day := registry.Today()
	if *dayFlag != "" {
		d, err := registry.ParseDate(*dayFlag)
		if err != nil {
			return err
		}
		day = d
	}
	m, err := municipalityOf(*municipality, "")
	if err != nil {
		return err
	}
	st, err := store.Open(*db, store.Options{ReadOnly: !*lock})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if *lock {
		by, err := issuer(ctx, st, *operator)
		if err != nil {
			return err
		}
		if _, err = st.CloseCash(ctx, by.Username, day); err != nil {
			return err
		}
	}
	c, err := st.CashReport(ctx, day)
	if err != nil {
		return err
	}
	if *pdfOut != "" {
		pdf, err := printing.CashClose(c, m, st.DeskCode(), printing.Letterhead{})
		if err != nil {
			return err
		}
		if err := os.WriteFile(*pdfOut, pdf, 0o644); err != nil {
			return fmt.Errorf("scrittura di %s: %w", *pdfOut, err)
		}
	}
	if *csvOut != "" {
		f, err := os.Create(*csvOut)
		if err != nil {
			return fmt.Errorf("scrittura di %s: %w", *csvOut, err)
		}
		if err := c.WriteCSV(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("scrittura di %s: %w", *csvOut, err)
		}
	}
	fmt.Fprintf(stdout, "Cassa del %s: %d movimenti\n", day.Italian(), len(c.Entries))
	for _, t := range c.Totals {
		fmt.Fprintf(stdout, "%s\t%s\t%d\t€ %s\n", certificate.KindName(t.Kind), certificate.MethodName(t.Method), t.Count, certificate.Euro(t.Cents))
	}
	fmt.Fprintf(stdout, "Totale\t\t\t€ %s\n", certificate.Euro(c.Cents))
	for _, m := range c.Marche {
		fmt.Fprintf(stdout, "Marca da bollo n. %s\t%s\n", m.Serial, m.Number)
	}
	fmt.Fprintln(stdout, c.State())
	if !c.Closed {
		fmt.Fprintln(stdout, "--lock la chiude")
	}
	return nil
}

func (c certificateDesk) Register(ctx context.Context, day registry.Date) ([]certificate.Entry, error) {
	return c.st.CertificatesOn(ctx, day)
}

func (c certificateDesk) Reprint(ctx context.Context, operator, number string) ([]byte, error) {
	doc, err := c.st.Reprint(ctx, operator, number)
	if err != nil {
		return nil, err
	}
	return printing.Certificate(doc, c.letterhead)
}

func (c certificateDesk) CashClose(ctx context.Context, day registry.Date) (certificate.DailyClose, []byte, error) {
	dc, err := c.st.CashReport(ctx, day)
	if err != nil {
		return certificate.DailyClose{}, nil, err
	}
	pdf, err := printing.CashClose(dc, c.municipality, c.st.DeskCode(), c.letterhead)
	return dc, pdf, err
}
