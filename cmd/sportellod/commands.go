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
	"sportello/certificate"
	"sportello/demo"
	"sportello/fault"
	"sportello/registry"
	"sportello/store"
)

const usage = `sportellod: il server centrale di Sportello

  sportellod serve   [--config FILE] [--db FILE] [--listen ADDR] [--tls-cert FILE --tls-key FILE]
  sportellod seed    --db FILE [--people N] [--municipality CODE]   crea un'anagrafe dimostrativa
  sportellod import  --db FILE [--skip-bad] FILE.csv                 carica l'anagrafe da CSV
  sportellod enrol   --db FILE --desk-code D01                       codice monouso per registrare una postazione
  sportellod backup  --db FILE --out FILE                            copia coerente, anche col server in funzione
  sportellod verify  --db FILE INPUT                                 verifica il sigillo di un certificato (testo del QR)
  sportellod user add --db FILE --username U --name "N C" --role R   un operatore del server (password dallo standard input)

Le impostazioni di serve vengono da --config (YAML), dalle variabili SPORTELLOD_* e dai flag:
db, listen (predefinito 127.0.0.1:8420), tls_cert, tls_key, municipality (codice catastale). Senza certificato TLS il server
ascolta solo sull'interfaccia di loopback.
`

var errUsage = errors.New("uso")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	commands := map[string]func([]string, io.Writer) error{
		"serve": cmdServe, "seed": cmdSeed, "import": cmdImport, "enrol": cmdEnrol, "backup": cmdBackup, "verify": cmdVerify,
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
}

func loadServeConfig(fs *pflag.FlagSet) (serveConfig, error) {
	v := viper.New()
	v.SetEnvPrefix("SPORTELLOD")
	v.AutomaticEnv()
	v.SetDefault("listen", "127.0.0.1:8420")
	for key, flag := range map[string]string{"db": "db", "listen": "listen", "tls_cert": "tls-cert", "tls_key": "tls-key", "municipality": "municipality"} {
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
	return serveConfig{DB: v.GetString("db"), Listen: v.GetString("listen"), TLSCert: v.GetString("tls_cert"), TLSKey: v.GetString("tls_key"),
		Municipality: v.GetString("municipality")}, nil
}

func cmdServe(args []string, stdout io.Writer) error {
	fs := newFlags("serve")
	fs.String("config", "", "file di configurazione YAML")
	fs.String("db", "", "file del database del server")
	fs.String("listen", "127.0.0.1:8420", "indirizzo:porta di ascolto")
	fs.String("tls-cert", "", "certificato TLS (PEM)")
	fs.String("tls-key", "", "chiave del certificato TLS (PEM)")
	fs.String("municipality", "A269", "codice catastale del comune, per il nome sulle pagine web")
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
	api := central.NewServer(st, log)
	api.Municipality = registry.MunicipalityTitle(cfg.Municipality)
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second,
		// Event streams end with the server, not only when their client leaves.
		BaseContext: func(net.Listener) context.Context { return ctx }}
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(*db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	code, err := st.NewEnrolCode(context.Background(), "admin", *desk)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Codice di registrazione per la postazione %s (valido %d ore, una sola volta):\n\n    %s\n\nSulla postazione: sportello enrol --server URL --code %s\n",
		strings.ToUpper(*desk), int(store.EnrolCodeTTL.Hours()), code, code)
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
	keys, err := st.TrustedKeys(context.Background())
	if err != nil {
		return err
	}
	seal, err := certificate.Verify(fs.Arg(0), keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sigillo valido (chiave %s): certificato n. %s del %s, %s %s, codice fiscale %s, nato il %s\n",
		seal.KeyID, seal.Number, seal.IssueDate.Italian(), seal.Surname, seal.Name, seal.CF, seal.BirthDate.Italian())
	return nil
}
