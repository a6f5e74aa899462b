package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
	"github.com/spf13/pflag"

	"sportello/access"
	"sportello/demo"
	"sportello/desk"
	"sportello/fault"
	"sportello/registry"
	"sportello/store"
	"sportello/version"
)

const appID = "it.comune.sportello"

// demoPeople is the size of the demo municipality made on the first demo run.
const demoPeople = 20000

// errUsage marks a command line that could not be understood; usage is printed.
var errUsage = errors.New("usage")

const usage = `Sportello: lo sportello unico dei servizi demografici e sociali.

Uso:
  sportello [opzioni]                       apre lo sportello (desk)
  sportello seed --db FILE --people N --seed S [--municipality CODICE]
                                            crea un comune dimostrativo sintetico
  sportello search --db FILE [--limit N] RICERCA
                                            cerca persone: CF, COGNOME, NOME, NASCITA (una per riga)
  sportello cf check CODICE                 controlla un codice fiscale e lo decodifica
  sportello cf compute --surname S --name N --sex M|F --born AAAA-MM-GG --place LUOGO
                                            calcola un codice fiscale (LUOGO: codice catastale o nome)
  sportello user add [--db FILE] --username U --name "Nome Cognome" --role RUOLO
                                            crea un utente; la password si legge dallo standard input
  sportello audit verify --db FILE          verifica la catena del registro delle operazioni
  sportello certificate [--db FILE] --operator UTENTE --cf CODICE --type TIPO [--use USO] [--exempt CODICE --reason TESTO] --out FILE.pdf
                                            rilascia e registra un certificato (TIPO: codice della tabella 13,
                                            residenza, nascita, stato-di-famiglia, cittadinanza, contestuale...);
                                            la password dell'operatore si legge dallo standard input
  sportello verify --db FILE INPUT          verifica il sigillo di un certificato (testo del QR, PDF,
                                            codice di verifica o numero)
  sportello cash close --db FILE [--day AAAA-MM-GG] [--pdf FILE] [--csv FILE] [--lock [--operator UTENTE]]
                                            chiusura giornaliera di cassa: totali per voce e modalità
  sportello import --db FILE [--skip-bad] [--municipality CODICE] FILE.csv
                                            importa persone e famiglie da un CSV (formato nel README)
  sportello stradario load --db FILE FILE.csv
                                            carica lo stradario (vie e numeri civici) da un CSV
                                            nel tracciato ANNCSU (colonne nel README)
  sportello kiosk [opzioni] [--printer NOME | --tickets CARTELLA]
                                            il totem dei biglietti della coda, a tutto schermo
  sportello board [opzioni]                 il monitor della sala d'attesa, a tutto schermo
  sportello appointments import --db FILE FILE.csv
                                            importa appuntamenti da un CSV (formato nel README)
  sportello enrol --server URL --code CODICE [opzioni]
                                            registra la postazione presso il server centrale
                                            (codice da sportellod enrol) e fa la prima sincronizzazione
  sportello sync [--server URL] [opzioni]   sincronizza una volta con il server centrale
  sportello key rotate [--server URL] [opzioni]
                                            la postazione adotta una nuova chiave, firmata con quella attuale
  sportello --version                       la versione di questo programma
  sportello --help                          questo aiuto

Opzioni dello sportello (anche nel file di configurazione YAML, con la chiave tra
parentesi quadre, o come variabili d'ambiente SPORTELLO_CHIAVE, ad esempio SPORTELLO_DESK_CODE):
`

// run dispatches a command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "version") {
		fmt.Fprint(stdout, version.Line("sportello"))
		return 0
	}
	cmd, rest := "desk", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	commands := map[string]func([]string, io.Writer) error{
		"desk":        cmdDesk,
		"seed":        cmdSeed,
		"search":      cmdSearch,
		"cf":          cmdCF,
		"user":        cmdUser,
		"audit":       cmdAudit,
		"import":      cmdImport,
		"stradario":   cmdStradario,
		"certificate": cmdCertificate,
		"verify":      cmdVerify,
		"cash":        cmdCash,
		"kiosk":       cmdKiosk,
		"board":       cmdBoard,

		"appointments": cmdAppointments,
		"enrol":        cmdEnrol,
		"sync":         cmdSync,
		"key":          cmdKey,
	}
	f, ok := commands[cmd]
	if cmd != "desk" {
		// The desk sets its language from the configuration; headless
		// commands from the environment, Italian by default.
		if err := desk.SetupLanguage(cmp.Or(os.Getenv("SPORTELLO_LANGUAGE"), desk.DefaultLanguage)); err != nil {
			fmt.Fprintln(stderr, "Errore:", err)
			return 2
		}
	}
	if !ok {
		fmt.Fprintf(stderr, "comando sconosciuto %q\n\n", cmd)
		printUsage(stderr)
		return 2
	}
	err := f(rest, stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, pflag.ErrHelp):
		printUsage(stdout)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "%v\n\n", err)
		printUsage(stderr)
		return 2
	}
	fmt.Fprintln(stderr, "Errore: "+userMessage(err))
	return 1
}

func printUsage(w io.Writer) {
	fs := pflag.NewFlagSet("sportello", pflag.ContinueOnError)
	configFlags(fs)
	fmt.Fprint(w, usage)
	fmt.Fprint(w, fs.FlagUsages())
	fmt.Fprintf(w, "\nConfigurazione: %s\nDati: %s\n", defaultConfigFile(), dataDir())
}

// userMessage is what an administrator reads for err: the translated domain
// message, or the error itself for anything else.
func userMessage(err error) string {
	if fault.Code(err) == fault.Internal {
		return err.Error()
	}
	key, args := fault.Message(err)
	return lang.L(key, args)
}

// newFlags makes a flag set for a subcommand; --help is handled by run.
func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	return fs
}

func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func cmdDesk(args []string, _ io.Writer) error {
	fs := newFlags("sportello")
	configFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: argomento inatteso %q", errUsage, fs.Arg(0))
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	if err := desk.SetupLanguage(cfg.Language); err != nil {
		return err
	}
	return runDesk(cfg)
}

// openDesk opens (in demo mode creates and seeds) the desk's database and
// gathers what the desk window needs.
func openDesk(cfg config) (*store.Store, desk.Deps, error) {
	ctx := context.Background()
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return nil, desk.Deps{}, fmt.Errorf("cartella dei dati %s: %w", filepath.Dir(cfg.DB), err)
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode, Create: true})
	if err != nil {
		return nil, desk.Deps{}, err
	}
	deps := desk.Deps{
		Directory: st,
		Registry:  st,
		Auth:      st.WithLockout(),
		Office:    desk.Office{Municipality: registry.MunicipalityTitle(cfg.Municipality), Office: cfg.Office, DeskCode: cfg.DeskCode},
	}
	deps.Certificates = newCertificateDesk(st, cfg)
	deps.Queue = st
	deps.Visits = st
	deps.Appointments = st
	deps.Social = st
	if cfg.Demo {
		logins, err := prepareDemo(ctx, st, cfg)
		if err != nil {
			st.Close()
			return nil, desk.Deps{}, err
		}
		deps.Demo = logins
	}
	users, err := st.Users(ctx)
	if err == nil && len(users) == 0 {
		err = fmt.Errorf("il database %s non ha ancora utenti: crei il primo con\n  sportello user add --db %s --username NOME --name \"Nome Cognome\" --role admin\noppure provi lo sportello con --demo", cfg.DB, cfg.DB)
	}
	if err != nil {
		st.Close()
		return nil, desk.Deps{}, err
	}
	return st, deps, nil
}

// prepareDemo seeds the demo municipality and its clerks on the first run.
func prepareDemo(ctx context.Context, st *store.Store, cfg config) ([]desk.DemoLogin, error) {
	n, err := st.CountPersons(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		fmt.Printf("Primo avvio dimostrativo: creo un comune sintetico di %d persone in %s\n", demoPeople, cfg.DB)
		if err := seed(ctx, st, demo.Config{People: demoPeople, Seed: 1, Municipality: cfg.Municipality}, os.Stdout); err != nil {
			return nil, err
		}
	}
	var logins []desk.DemoLogin
	for _, c := range demo.Clerks() {
		if _, err := st.CreateUser(ctx, "demo", c.User, c.Password); err != nil && fault.Code(err) != fault.Conflict {
			return nil, err
		}
		logins = append(logins, desk.DemoLogin{Username: c.User.Username, Password: c.Password, Role: string(c.User.Role)})
	}
	return logins, nil
}

func cmdSeed(args []string, stdout io.Writer) error {
	fs := newFlags("seed")
	db := fs.String("db", "", "database file to create")
	people := fs.Int("people", demoPeople, "how many people")
	seedValue := fs.Uint64("seed", 1, "seed of the generator: the same seed gives the same municipality")
	municipality := fs.String("municipality", "A269", "cadastral code of the municipality")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	if *people < 1 || *people > 10_000_000 {
		return fmt.Errorf("%w: --people deve essere tra 1 e 10000000", errUsage)
	}
	code := strings.ToUpper(*municipality)
	if p, ok := registry.LookupPlace(code, registry.Today()); !ok || p.Foreign {
		return fmt.Errorf("%w: %q non è il codice catastale di un comune in vigore", errUsage, *municipality)
	}
	st, err := store.Open(*db, store.Options{Create: true})
	if err != nil {
		return err
	}
	defer st.Close()
	return seed(context.Background(), st, demo.Config{People: *people, Seed: *seedValue, Municipality: code}, stdout)
}

// seed loads a synthetic municipality, printing progress.
func seed(ctx context.Context, st *store.Store, cfg demo.Config, out io.Writer) error {
	start := time.Now()
	step := max(cfg.People/20, 1000)
	next := step
	n, err := st.Load(ctx, demo.Generate(cfg), func(people int) {
		if people >= next {
			fmt.Fprintf(out, "  %d persone (%.0f s)\n", people, time.Since(start).Seconds())
			next += step
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Caricate %d persone in %.1f s\n", n, time.Since(start).Seconds())
	return seedStradario(ctx, st, cfg, out)
}

func cmdSearch(args []string, stdout io.Writer) error {
	fs := newFlags("search")
	db := fs.String("db", "", "database file")
	limit := fs.Int("limit", 50, "how many results at most")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	q, err := registry.ParseQuery(strings.Join(fs.Args(), " "))
	if err != nil {
		return err
	}
	st, err := store.Open(*db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	matches, err := st.Search(context.Background(), q, *limit)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, m := range matches {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.CF, m.Surname, m.Name, m.BirthDate)
	}
	return w.Flush()
}

func cmdCF(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usi cf check oppure cf compute", errUsage)
	}
	switch args[0] {
	case "check":
		return cmdCFCheck(args[1:], stdout)
	case "compute":
		return cmdCFCompute(args[1:], stdout)
	case "-h", "--help":
		return pflag.ErrHelp
	}
	return fmt.Errorf("%w: cf %s non esiste: usi cf check oppure cf compute", errUsage, args[0])
}

func cmdCFCheck(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: cf check vuole un solo codice", errUsage)
	}
	info, err := registry.DecodeCF(args[0], registry.Today())
	if err != nil {
		return err
	}
	place := info.PlaceCode + " (luogo sconosciuto)"
	if info.PlaceKnown {
		place = placeLabel(info.Place)
	}
	fmt.Fprintf(stdout, "Codice fiscale:   %s\n", info.Code)
	if info.Omocode {
		fmt.Fprintf(stdout, "Omocodice di:     %s\n", info.Base)
	}
	fmt.Fprintf(stdout, "Sesso:            %s\nData di nascita:  %s\nLuogo di nascita: %s\n", info.Sex, info.BirthDate.Italian(), place)
	return nil
}

func placeLabel(p registry.Place) string {
	if p.Province != "" {
		return fmt.Sprintf("%s (%s) %s", p.Name, p.Province, p.Code)
	}
	return fmt.Sprintf("%s %s", p.Name, p.Code)
}

var placeCode = regexp.MustCompile(`^[A-Za-z][0-9]{3}$`)

func cmdCFCompute(args []string, stdout io.Writer) error {
	fs := newFlags("cf compute")
	surname := fs.String("surname", "", "surname")
	name := fs.String("name", "", "name")
	sex := fs.String("sex", "", "M or F")
	born := fs.String("born", "", "birth date YYYY-MM-DD")
	place := fs.String("place", "", "cadastral code or name of the birth municipality or country")
	if err := parse(fs, args); err != nil {
		return err
	}
	date, err := registry.ParseDate(*born)
	if err != nil {
		return err
	}
	if date.IsZero() {
		return fmt.Errorf("%w: manca --born AAAA-MM-GG", errUsage)
	}
	s := registry.Sex(strings.ToUpper(*sex))
	if s != registry.Male && s != registry.Female {
		return fmt.Errorf("%w: --sex deve essere M oppure F", errUsage)
	}
	code, err := resolvePlace(*place, date)
	if err != nil {
		return err
	}
	cf, err := registry.ComputeCF(*surname, *name, s, date, code)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, cf)
	return nil
}

// resolvePlace turns a cadastral code or a place name into the code valid on
// the birth date; an ambiguous name lists the candidates.
func resolvePlace(place string, on registry.Date) (string, error) {
	place = strings.TrimSpace(place)
	if place == "" {
		return "", fmt.Errorf("%w: manca --place LUOGO", errUsage)
	}
	if placeCode.MatchString(place) {
		return strings.ToUpper(place), nil
	}
	found := registry.FindPlaces(place, on)
	var exact []registry.Place
	for _, p := range found {
		if registry.Fold(p.Name) == registry.Fold(place) {
			exact = append(exact, p)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0].Code, nil
	case len(exact) == 0 && len(found) == 1:
		return found[0].Code, nil
	case len(found) == 0:
		return "", fmt.Errorf("nessun comune o stato chiamato %q alla data %s: controlli il nome o usi il codice catastale", place, on.Italian())
	}
	if len(exact) > 1 {
		found = exact
	}
	names := make([]string, 0, min(len(found), 10))
	for _, p := range found[:min(len(found), 10)] {
		names = append(names, placeLabel(p))
	}
	return "", fmt.Errorf("%q indica più luoghi: %s; usi il codice catastale", place, strings.Join(names, "; "))
}

func cmdUser(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: usi user add", errUsage)
	}
	fs := newFlags("user add")
	fs.String("config", "", "file di configurazione YAML (predefinito: "+defaultConfigFile()+")")
	fs.String("db", "", "database file (predefinito: quello della configurazione) [db]")
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "full name")
	role := fs.String("role", string(access.Clerk), "clerk, registrar, social_worker, supervisor or admin")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" || *name == "" {
		return fmt.Errorf("%w: servono --username e --name", errUsage)
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	r := access.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("%w: ruolo %q sconosciuto: clerk, registrar, social_worker, supervisor o admin", errUsage, *role)
	}
	password, err := readPassword()
	if err != nil {
		return err
	}
	if len(password) < 8 {
		return errors.New("la password (dallo standard input) deve avere almeno 8 caratteri")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return fmt.Errorf("cartella dei dati %s: %w", filepath.Dir(cfg.DB), err)
	}
	st, err := store.Open(cfg.DB, store.Options{Create: true})
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(context.Background(), "admin-cli", access.User{Username: *username, FullName: *name, Role: r}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Utente %s creato con il ruolo %s\n", u.Username, u.Role)
	return nil
}
