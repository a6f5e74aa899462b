package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"sportello/central"
	"sportello/demo"
	"sportello/fault"
	"sportello/registry"
	"sportello/store"
	"sportello/version"
)

const usage = `sportellod: il server centrale di Sportello

  sportellod serve   [--config FILE] [--db FILE] [--listen ADDR] [--tls-cert FILE --tls-key FILE] [--portal-listen ADDR] [--portal-url URL] [--demo]
  sportellod seed    --db FILE [--people N] [--municipality CODE]   crea un'anagrafe dimostrativa
  sportellod import  --db FILE [--skip-bad] FILE.csv                 carica l'anagrafe da CSV
  sportellod enrol   --db FILE --desk-code D01                       codice monouso per registrare una postazione
  sportellod enrol   --db FILE --kind kiosk|board --name NOME        codice monouso per un totem o un monitor nel browser
  sportellod device  list|revoke --db FILE [ID]                      i totem e i monitor registrati; revoca di uno
  sportellod backup  --db FILE --out FILE                            copia coerente, anche col server in funzione
  sportellod desk list   --db FILE                                 postazioni, chiavi, date di registrazione e revoca, codici
  sportellod desk revoke --db FILE D02                             revoca una postazione: richieste rifiutate, sigilli revocati
  sportellod verify  --db FILE INPUT                                 verifica il sigillo di un certificato (testo del QR)
  sportellod desk set --db FILE D03 --social | --no-social           abilita (o no) una postazione allo sportello sociale
  sportellod office show --db FILE                                   l'impostazione dell'ufficio (servizi, sportelli, orari, chiamata) in YAML
  sportellod office load --db FILE FILE.yaml                         la carica da un file YAML o JSON (aggiunge e cambia, non toglie)
  sportellod access-log --db FILE [--clerk U] [--cf CF] [--desk D01] [--from GG] [--to GG] [--csv]
                                                                     chi ha consultato quali dati, da ogni postazione
  sportellod --version                                               la versione di questo programma
  sportellod portal-keys --db FILE [--rotate]                         chiavi del portale dei cittadini; --rotate le sostituisce
  sportellod user add --db FILE --username U --name "N C" --role R   un operatore del server (password dallo standard input)

Le impostazioni di serve vengono da --config (YAML), dalle variabili SPORTELLOD_* e dai flag:
db, listen (predefinito 127.0.0.1:8420), tls_cert, tls_key, municipality (codice catastale). Senza certificato TLS il server
ascolta solo sull'interfaccia di loopback. Il portale dei cittadini (Sportello online): portal_listen, portal_url,
portal_providers (elenco di {name, issuer, label}), portal_contacts, portal_authority_hints,
portal_trust_anchors, portal_trusted_proxies; i recapiti del Comune in fondo a ogni pagina: portal_address, portal_phone,
portal_email, portal_pec, e portal_coat_of_arms (lo stemma, PNG), portal_accessibility_date (AAAA-MM-GG, l'ultimo riesame
della dichiarazione di accessibilità); --demo aggiunge un gestore di identità dimostrativo (e, su un database
vuoto, un'anagrafe dimostrativa).
`

var errUsage = errors.New("uso")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) == 1 && (args[0] == "--version" || args[0] == "version") {
		fmt.Fprint(stdout, version.Line("sportellod"))
		return 0
	}
	commands := map[string]func([]string, io.Writer) error{
		"serve": cmdServe, "seed": cmdSeed, "import": cmdImport, "enrol": cmdEnrol, "backup": cmdBackup, "verify": cmdVerify,
		"desk": cmdDesk, "device": cmdDevice, "access-log": cmdAccessLog, "office": cmdOffice, "portal-keys": cmdPortalKeys,
		"user": cmdUser,
	}
	f, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "comando sconosciuto %q\n\n%s", args[0], usage)
		return 2
	}
	err := f(args[1:], stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, pflag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "Errore: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintln(stderr, "Errore:", message(err))
		return 1
	}
}

// message is err in Italian: a domain error's key translated with the
// desk's own translation files, anything else as it is.
func message(err error) string {
	var f *fault.Error
	if !errors.As(err, &f) {
		return err.Error()
	}
	text, _ := central.Italian(f.Message, f.Args)
	return text
}

func newFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func openStore(path string, create bool) (*store.Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	return store.Open(path, store.Options{DeskCode: "SRV", Create: create})
}

// serveConfig is the server's deployment configuration.
type serveConfig struct {
	DB, Listen, TLSCert, TLSKey, Municipality string
	Portal                                    portalConfig
	Notify                                    notifyConfig
}

func loadServeConfig(fs *pflag.FlagSet) (serveConfig, error) {
	v := viper.New()
	v.SetEnvPrefix("SPORTELLOD")
	v.AutomaticEnv()
	v.SetDefault("listen", "127.0.0.1:8420")
	for key, flag := range map[string]string{"db": "db", "listen": "listen", "tls_cert": "tls-cert", "tls_key": "tls-key", "municipality": "municipality",
		"portal_listen": "portal-listen", "portal_url": "portal-url"} {
		if err := v.BindPFlag(key, fs.Lookup(flag)); err != nil {
			return serveConfig{}, err
		}
	}
	if file, _ := fs.GetString("config"); file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return serveConfig{}, fmt.Errorf("lettura di %s: %w", file, err)
		}
	}
	withDemo, _ := fs.GetBool("demo")
	pc, err := loadPortalConfig(v, withDemo)
	if err != nil {
		return serveConfig{}, err
	}
	nc, err := loadNotifyConfig(v)
	return serveConfig{DB: v.GetString("db"), Listen: v.GetString("listen"), TLSCert: v.GetString("tls_cert"), TLSKey: v.GetString("tls_key"),
		Municipality: v.GetString("municipality"), Portal: pc, Notify: nc}, err
}

func cmdServe(args []string, stdout io.Writer) error {
	fs := newFlags("serve")
	fs.String("config", "", "file di configurazione YAML")
	fs.String("db", "", "file del database del server")
	fs.String("listen", "127.0.0.1:8420", "indirizzo:porta di ascolto")
	fs.String("tls-cert", "", "certificato TLS (PEM)")
	fs.String("tls-key", "", "chiave del certificato TLS (PEM)")
	fs.String("municipality", "A269", "codice catastale del comune, per il nome sulle pagine web")
	fs.String("portal-listen", "", "indirizzo:porta del portale dei cittadini (Sportello online)")
	fs.String("portal-url", "", "indirizzo pubblico del portale, per esempio https://sportello.comune.example.it")
	fs.Bool("demo", false, "portale con un gestore di identità dimostrativo (solo per provare)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadServeConfig(fs)
	if err != nil {
		return err
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return fmt.Errorf("%w: servono sia tls_cert sia tls_key", errUsage)
	}
	if cfg.TLSCert == "" && !loopback(cfg.Listen) {
		return fmt.Errorf("%w: senza TLS il server ascolta solo in loopback (127.0.0.1 o ::1), non su %s", errUsage, cfg.Listen)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, cfg, stdout)
}

// serve runs the API until ctx ends.
func serve(ctx context.Context, cfg serveConfig, stdout io.Writer) error {
	st, err := openStore(cfg.DB, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Epoch(ctx); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("ascolto su %s: %w", cfg.Listen, err)
	}
	waitPortal, err := startPortal(ctx, cfg, st, log, stdout)
	if err != nil {
		ln.Close()
		return err
	}
	defer waitPortal()
	startNotify(ctx, cfg.Notify, st)
	api := central.NewServer(st, log)
	api.Municipality = registry.MunicipalityTitle(cfg.Municipality)
	srv := &http.Server{
		// Event streams end with the server, not only when their client leaves.
		BaseContext: func(net.Listener) context.Context { return ctx }}
	api.Configure(srv) // handler, timeouts, header limit
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "sportellod in ascolto su %s://%s\n", scheme, ln.Addr())
	if cfg.TLSCert != "" {
		err = srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// loopback reports whether addr listens on a loopback interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func cmdSeed(args []string, stdout io.Writer) error {
	fs := newFlags("seed")
	db := fs.String("db", "", "file del database del server")
	people := fs.Int("people", 20000, "persone dell'anagrafe dimostrativa")
	municipality := fs.String("municipality", "A269", "codice catastale del comune")
	seed := fs.Uint64("seed", 1, "seme del generatore")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(*db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	start := time.Now()
	n, err := st.Load(ctx, demo.Generate(demo.Config{People: *people, Seed: *seed, Municipality: *municipality}), nil)
	if err != nil {
		return err
	}
	if err := st.LogLoadedRegister(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Caricate %d persone in %.1f s\n", n, time.Since(start).Seconds())
	return nil
}

func cmdImport(args []string, stdout io.Writer) error {
	fs := newFlags("import")
	db := fs.String("db", "", "file del database del server")
	skip := fs.Bool("skip-bad", false, "importa le righe valide e salta le altre")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import vuole il file CSV", errUsage)
	}
	st, err := openStore(*db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	rep, err := st.Import(ctx, fs.Arg(0), store.ImportOptions{SkipBad: *skip})
	if err != nil {
		return err
	}
	if err := st.LogLoadedRegister(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Importate %d persone\n", rep.ImportedPeople)
	return nil
}

func cmdEnrol(args []string, stdout io.Writer) error {
	fs := newFlags("enrol")
	db := fs.String("db", "", "file del database del server")
	desk := fs.String("desk-code", "", "codice della postazione da registrare, per esempio D01")
	kind := fs.String("kind", "desk", "desk (una postazione, anche il totem o il monitor del programma), kiosk o board (un totem o un monitor nel browser)")
	name := fs.String("name", "", "nome del totem o del monitor, per riconoscerlo nell'elenco (sportellod device list)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(*db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if *kind != "desk" {
		d, code, err := st.NewDeviceCode(context.Background(), "admin", *kind, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Codice di registrazione per %s %q (valido %d ore, una sola volta):\n\n    %s\n\nSul dispositivo: aprite https://SERVER/%s e scrivete il codice. Per revocarlo: sportellod device revoke --db %s %s\n",
			map[string]string{store.DeviceKiosk: "il totem", store.DeviceBoard: "il monitor"}[d.Kind], d.Name, int(store.EnrolCodeTTL.Hours()), code, d.Kind, *db, d.ID)
		return nil
	}
	code, err := st.NewEnrolCode(context.Background(), "admin", *desk)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Codice di registrazione per la postazione %s (valido %d ore, una sola volta):\n\n    %s\n\nSulla postazione: sportello enrol --server URL --code %s\n",
		strings.ToUpper(*desk), int(store.EnrolCodeTTL.Hours()), code, code)
	return nil
}

// cmdDevice lists the browser devices (kiosks, boards) or revokes one.
func cmdDevice(args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "revoke") {
		return fmt.Errorf("%w: usi device list oppure device revoke ID", errUsage)
	}
	fs := newFlags("device")
	db := fs.String("db", "", "file del database del server")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if args[0] == "revoke" {
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: device revoke vuole l'identificativo del dispositivo (sportellod device list)", errUsage)
		}
		if err := st.RevokeDevice(ctx, "admin", fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Dispositivo %s revocato: il suo browser non apre più il totem o il monitor.\n", fs.Arg(0))
		return nil
	}
	devices, err := st.Devices(ctx)
	if err != nil {
		return err
	}
	for _, d := range devices {
		state := "registrato il " + d.EnrolledAt.In(registry.Rome).Format("02/01/2006 15:04")
		switch {
		case !d.RevokedAt.IsZero():
			state = "revocato il " + d.RevokedAt.In(registry.Rome).Format("02/01/2006 15:04")
		case d.EnrolledAt.IsZero():
			state = "codice non ancora usato"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", d.ID, d.Kind, d.Name, state)
	}
	return nil
}

func cmdBackup(args []string, stdout io.Writer) error {
	fs := newFlags("backup")
	db := fs.String("db", "", "file del database del server")
	out := fs.String("out", "", "file della copia (non deve esistere)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: manca --out FILE", errUsage)
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(context.Background(), *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Copia scritta in %s. Se il server viene ripristinato da questa copia, le postazioni reinviano ciò che manca.\n", *out)
	return nil
}

func cmdVerify(args []string, stdout io.Writer) error {
	fs := newFlags("verify")
	db := fs.String("db", "", "file del database del server (le chiavi delle postazioni registrate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: verify vuole il testo del QR del certificato", errUsage)
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	seal, err := st.VerifySeal(context.Background(), fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sigillo valido (chiave %s): certificato n. %s del %s, %s %s, codice fiscale %s, nato il %s\n",
		seal.KeyID, seal.Number, seal.IssueDate.Italian(), seal.Surname, seal.Name, seal.CF, seal.BirthDate.Italian())
	return nil
}
