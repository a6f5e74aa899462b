package main

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"sportello/certificate"
	"sportello/printing"
	"sportello/registry"
)

// config is the deployment configuration: a YAML file, SPORTELLO_* environment
// variables and flags, in rising order of precedence.
type config struct {
	File         string // the YAML file read, "" if none
	DB           string
	Demo         bool
	DeskCode     string
	Municipality string
	Office       string
	Language     string
	Printer      string                  // the certificates' printer: a CUPS queue, a Windows printer's name; "" for the system's default
	Server       string                  // sportellod's URL; "" for a standalone desk
	ServerCA     string                  // PEM file of the certificates trusted for the server; "" for the system's
	LocalQueue   bool                    // with a server, keep the queue on this desk (queue: local)
	Fees         certificate.Settings    // bollo and secretarial fees, in cents
	Issuing      certificate.IssuePolicy // which roles issue certificates (supervisors_issue)

	// Letterhead is what every certificate prints from the settings: the
	// coat of arms (a PNG file), province, office address and PEC, and the
	// address of sportellod's verification page.
	Letterhead printing.Letterhead

	// TicketPrinter is the kiosk's ticket printer as printing.ParseTicketPrinter
	// reads it; "" for none.
	TicketPrinter string
}

// configKey describes one setting: its YAML key, flag, kind and help.
type configKey struct {
	key, flag, kind, def, help string
}

var configKeys = []configKey{
	{"db", "db", "string", "", "file del database (predefinito: sportello.db, o demo.db con --demo, nella cartella dei dati)"},
	{"demo", "demo", "bool", "false", "modalità dimostrativa: al primo avvio crea un comune sintetico e mostra gli accessi di prova"},
	{"desk_code", "desk-code", "string", "D01", "codice breve di questa postazione, unico nel comune"},
	{"municipality", "municipality", "string", "A269", "codice catastale del comune (A269 = Anagni)"},
	{"office", "office", "string", "Sportello unico", "nome dell'ufficio mostrato nella barra in alto"},
	{"language", "language", "string", "it", "lingua dell'interfaccia: it oppure en"},
	// The flag is not --printer: `sportello queue` has its own for tickets.
	{"printer", "certificate-printer", "string", "", "stampante dei certificati: la coda CUPS, o su Windows il nome della stampante (vuoto: la stampante predefinita del sistema)"},
	{"server", "server", "string", "", "indirizzo del server centrale sportellod (vuoto: postazione autonoma)"},
	{"server_ca", "server-ca", "string", "", "file PEM del certificato di cui fidarsi per il server: quello autofirmato del server o quello della CA del Comune (vuoto: le CA del sistema)"},
	{"queue", "queue", "string", "server", "dove sta la coda con un server: server (la coda dell'ufficio, condivisa) oppure local (la coda di questa postazione, che funziona anche senza rete)"},
	{"ticket_printer", "ticket-printer", "string", "", "stampante dei biglietti del totem: cups:NOME (cups: la predefinita), escpos:/dev/usb/lp0, escpos:COM3 (Windows) oppure escpos-tcp:INDIRIZZO:PORTA; vuoto: biglietti salvati in PDF"},
	{"fee_with_bollo_cents", "fee-with-bollo-cents", "int", "52", "diritti di segreteria di un certificato in bollo, in centesimi"},
	{"fee_exempt_cents", "fee-exempt-cents", "int", "26", "diritti di segreteria di un certificato esente dal bollo, in centesimi"},
	{"bollo_cents", "bollo-cents", "int", "1600", "imposta di bollo di un certificato, in centesimi"},
	{"bollo_virtual_authorisation", "bollo-virtual-authorisation", "string", "", "numero dell'autorizzazione dell'Agenzia delle Entrate al pagamento del bollo in modo virtuale (art. 15 d.P.R. 642/1972), stampato sui certificati; vuoto: il bollo si paga solo con la marca"},
	{"bollo_virtual_authorisation_date", "bollo-virtual-authorisation-date", "string", "", "data dell'autorizzazione al bollo virtuale (AAAA-MM-GG)"},
	{"supervisors_issue", "supervisors-issue", "bool", "false", "anche i responsabili (ruolo supervisor) rilasciano certificati; di norma solo operatori e ufficiali d'anagrafe"},
	{"clerks_issue", "clerks-issue", "bool", "true", "gli operatori di sportello rilasciano certificati come delegati dell'ufficiale d'anagrafe; false: solo gli ufficiali d'anagrafe (e i responsabili con supervisors_issue)"},
	{"coat_of_arms", "coat-of-arms", "string", "", "file PNG dello stemma del comune stampato sui certificati (vuoto: uno stemma neutro)"},
	{"province", "province", "string", "", "riga della provincia nell'intestazione dei certificati, per esempio Provincia di Frosinone"},
	{"office_address", "office-address", "string", "", "indirizzo dell'ufficio nell'intestazione dei certificati"},
	{"pec", "pec", "string", "", "indirizzo PEC del comune nell'intestazione dei certificati"},
	{"verify_url", "verify-url", "string", "", "indirizzo della pagina di verifica dei certificati di sportellod, stampato accanto al codice QR (per esempio https://anagrafe.comune.example.it/verify)"},
}

// feeFlags registers --config and the fee settings' flags only, for
// subcommands whose other flags differ from the desk's.
func feeFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "file di configurazione YAML (predefinito: "+defaultConfigFile()+")")
	for _, k := range configKeys {
		if k.kind == "int" {
			fs.String(k.flag, k.def, k.help+" ["+k.key+"]")
		}
	}
}

// configFlags registers the settings' flags on fs, plus --config.
func configFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "file di configurazione YAML (predefinito: "+defaultConfigFile()+")")
	for _, k := range configKeys {
		help := k.help + " [" + k.key + "]"
		if k.kind == "bool" {
			fs.Bool(k.flag, k.def == "true", help)
			continue
		}
		fs.String(k.flag, k.def, help)
	}
}

// loadConfig merges the config file, the environment and the flags of fs.
func loadConfig(fs *pflag.FlagSet) (config, error) {
	v := viper.New()
	v.SetEnvPrefix("SPORTELLO")
	v.AutomaticEnv()
	for _, k := range configKeys {
		v.SetDefault(k.key, k.def)
		f := fs.Lookup(k.flag)
		if f == nil {
			continue // a subcommand that takes this setting from file and environment only
		}
		if err := v.BindPFlag(k.key, f); err != nil {
			return config{}, err
		}
	}
	file, _ := fs.GetString("config")
	explicit := file != ""
	if !explicit {
		file = os.Getenv("SPORTELLO_CONFIG")
		explicit = file != ""
	}
	if !explicit {
		file = defaultConfigFile()
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		// No file of the user's: the machine's, which IT pushes to every desk.
		file = machineConfigFile()
		data, err = os.ReadFile(file)
	}
	switch {
	case err == nil:
		if err := checkConfigFile(file, data); err != nil {
			return config{}, err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(strings.NewReader(string(data))); err != nil {
			return config{}, fmt.Errorf("file di configurazione %s: %v", file, err)
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
		file = ""
	default:
		return config{}, fmt.Errorf("file di configurazione %s: impossibile leggerlo (%v): controlli il percorso", file, err)
	}
	c := config{
		File:         file,
		DB:           v.GetString("db"),
		Demo:         v.GetBool("demo"),
		DeskCode:     strings.ToUpper(v.GetString("desk_code")),
		Municipality: strings.ToUpper(v.GetString("municipality")),
		Office:       v.GetString("office"),
		Language:     strings.ToLower(v.GetString("language")),
		Printer:      strings.TrimSpace(v.GetString("printer")),
		Server:       strings.TrimRight(strings.TrimSpace(v.GetString("server")), "/"),
		ServerCA:     strings.TrimSpace(v.GetString("server_ca")),
	}
	switch q := strings.ToLower(strings.TrimSpace(v.GetString("queue"))); q {
	case "server", "":
	case "local":
		c.LocalQueue = true
	default:
		return c, fmt.Errorf("%w: queue vale server oppure local, non %q", errUsage, q)
	}
	c.TicketPrinter = strings.TrimSpace(v.GetString("ticket_printer"))
	c.Issuing.Supervisors = v.GetBool("supervisors_issue")
	c.Issuing.ClerksBarred = !v.GetBool("clerks_issue")
	for _, f := range []struct {
		key string
		to  *int64
	}{{"fee_with_bollo_cents", &c.Fees.FeeCents}, {"fee_exempt_cents", &c.Fees.FeeExemptCents}, {"bollo_cents", &c.Fees.BolloCents}} {
		n, err := cents(v.GetString(f.key))
		if err != nil {
			return config{}, fmt.Errorf("impostazione %s: %q %v", f.key, v.GetString(f.key), err)
		}
		*f.to = n
	}
	if err := virtualBollo(v.GetString("bollo_virtual_authorisation"), v.GetString("bollo_virtual_authorisation_date"), &c.Fees); err != nil {
		return config{}, err
	}
	if c.Letterhead, err = letterheadOf(v); err != nil {
		return config{}, err
	}
	if c.Language != "it" && c.Language != "en" {
		return config{}, fmt.Errorf("impostazione language: %q non è una lingua disponibile: usi it oppure en", c.Language)
	}
	if c.DB == "" {
		name := "sportello.db"
		if c.Demo {
			name = "demo.db"
		}
		c.DB = filepath.Join(dataDir(), name)
	}
	return c, nil
}

// letterheadOf reads the letterhead's settings; the coat of arms must be a
// PNG file that can be read.
func letterheadOf(v *viper.Viper) (printing.Letterhead, error) {
	lh := printing.Letterhead{
		Province:  strings.TrimSpace(v.GetString("province")),
		Address:   strings.TrimSpace(v.GetString("office_address")),
		PEC:       strings.TrimSpace(v.GetString("pec")),
		VerifyURL: strings.TrimSpace(v.GetString("verify_url")),
	}
	if u := lh.VerifyURL; u != "" {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return lh, fmt.Errorf("impostazione verify_url: %q non è un indirizzo web: scrivete per esempio https://anagrafe.comune.example.it/verify", u)
		}
	}
	file := strings.TrimSpace(v.GetString("coat_of_arms"))
	if file == "" {
		return lh, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return lh, fmt.Errorf("impostazione coat_of_arms: impossibile leggere %s (%v): controlli il percorso", file, err)
	}
	if _, err := png.DecodeConfig(bytes.NewReader(data)); err != nil {
		return lh, fmt.Errorf("impostazione coat_of_arms: %s non è un'immagine PNG: salvate lo stemma in formato PNG", file)
	}
	if err := printing.CheckCoatOfArms(data); err != nil {
		return lh, fmt.Errorf("impostazione coat_of_arms: %s non si può stampare (%v): salvate lo stemma come PNG non interlacciato", file, err)
	}
	lh.CoatOfArms = data
	return lh, nil
}

// checkConfigFile reports a malformed YAML file or a bad key with the file,
// the line and the key, in Italian, before viper reads it.
func checkConfigFile(file string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := yamlErrorLine(err)
		key := keyBefore(data, line)
		return fmt.Errorf("file di configurazione %s, riga %d%s: il testo non è YAML valido (%v): correggete quella riga", file, line, keyPhrase(key), err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("file di configurazione %s, riga %d: ci si aspetta un elenco di impostazioni \"chiave: valore\"", file, root.Line)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, val := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return fmt.Errorf("file di configurazione %s, riga %d, chiave %q: la chiave compare due volte: tenetene una sola", file, k.Line, k.Value)
		}
		seen[k.Value] = true
		spec, ok := lookupConfigKey(k.Value)
		if !ok {
			return fmt.Errorf("file di configurazione %s, riga %d, chiave %q: impostazione sconosciuta (valide: %s)", file, k.Line, k.Value, knownKeys())
		}
		if val.Kind != yaml.ScalarNode {
			return fmt.Errorf("file di configurazione %s, riga %d, chiave %q: ci si aspetta un solo valore", file, val.Line, k.Value)
		}
		if spec.kind == "bool" {
			if _, err := strconv.ParseBool(val.Value); err != nil {
				return fmt.Errorf("file di configurazione %s, riga %d, chiave %q: %q non è un valore valido: scrivete true oppure false", file, val.Line, k.Value, val.Value)
			}
		}
		if spec.kind == "int" {
			if _, err := cents(val.Value); err != nil {
				return fmt.Errorf("file di configurazione %s, riga %d, chiave %q: %q %v", file, val.Line, k.Value, val.Value, err)
			}
		}
	}
	return nil
}

// virtualBollo reads the authorisation of the virtual bollo: a number and
// a date, both or neither.
func virtualBollo(number, day string, to *certificate.Settings) error {
	number, day = strings.TrimSpace(number), strings.TrimSpace(day)
	switch {
	case number == "" && day == "":
		return nil
	case number == "":
		return errors.New("impostazione bollo_virtual_authorisation: manca il numero dell'autorizzazione al bollo virtuale, che accompagna la data")
	case day == "":
		return errors.New("impostazione bollo_virtual_authorisation_date: manca la data dell'autorizzazione al bollo virtuale (AAAA-MM-GG)")
	}
	if t, err := time.Parse("2006-01-02 15:04:05 -0700 MST", day); err == nil {
		day = t.Format(time.DateOnly) // YAML reads an unquoted date as a timestamp
	}
	d, err := registry.ParseDate(day)
	if err != nil || !d.Valid() || d.After(registry.Today()) {
		return fmt.Errorf("impostazione bollo_virtual_authorisation_date: %q non è una data passata: la scriva come AAAA-MM-GG", day)
	}
	to.VirtualBollo = certificate.Authorisation{Number: number, Date: d}
	return nil
}

// cents reads an amount in euro cents: a whole number, zero or more.
func cents(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("non è un numero intero di centesimi: scrivete per esempio 52 per € 0,52")
	}
	return n, nil
}

func lookupConfigKey(key string) (configKey, bool) {
	for _, k := range configKeys {
		if k.key == key {
			return k, true
		}
	}
	return configKey{}, false
}

func knownKeys() string {
	names := make([]string, len(configKeys))
	for i, k := range configKeys {
		names[i] = k.key
	}
	return strings.Join(names, ", ")
}

// yamlErrorLine finds the line number in a yaml.v3 error ("yaml: line 3: ...").
// yaml.v3 counts from 1 for scanner errors but from 0 for the parser's "did
// not find expected" errors.
func yamlErrorLine(err error) int {
	msg := err.Error()
	offset := 0
	if strings.Contains(msg, "did not find expected") {
		offset = 1
	}
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(rest)
		}
		if n, err := strconv.Atoi(rest[:end]); err == nil {
			return n + offset
		}
	}
	return 1
}

// keyBefore returns the key written on the given line, or on the nearest line
// above it that holds one.
func keyBefore(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	for i := min(line, len(lines)) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if j := strings.Index(l, ":"); j > 0 && !strings.HasPrefix(l, "#") {
			return strings.TrimSpace(l[:j])
		}
	}
	return ""
}

func keyPhrase(key string) string {
	if key == "" {
		return ""
	}
	return fmt.Sprintf(", chiave %q", key)
}
