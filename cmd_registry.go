package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"
	"github.com/spf13/pflag"

	"sportello/registry"
	"sportello/store"
)

// cmdAudit runs `sportello audit verify --db FILE`: it walks the hash chain
// of the audit log and names the first entry that does not hold (exit 1).
func cmdAudit(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usi audit verify --db FILE", errUsage)
	}
	switch args[0] {
	case "verify":
	case "-h", "--help":
		return pflag.ErrHelp
	default:
		return fmt.Errorf("%w: audit %s non esiste: usi audit verify --db FILE", errUsage, args[0])
	}
	fs := newFlags("audit verify")
	db := fs.String("db", "", "database file")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	st, err := store.Open(*db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.VerifyAudit(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Registro delle operazioni integro: %d voci verificate\n", n)
	return nil
}

// cmdImport runs `sportello import --db FILE PATH.csv [--skip-bad]`: it
// validates every row, lists the bad ones with their line numbers, and
// loads the file into an empty register only when it has none (or, with
// --skip-bad, leaves out the families with a bad row).
func cmdImport(args []string, stdout io.Writer) error {
	fs := newFlags("import")
	db := fs.String("db", "", "database file (created if missing; its register must be empty)")
	skipBad := fs.Bool("skip-bad", false, "import the good families even if some rows are bad")
	municipality := fs.String("municipality", "A269", "cadastral code of the municipality the addresses are in")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: import vuole --db FILE e un file CSV", errUsage)
	}
	code := strings.ToUpper(*municipality)
	if _, ok := registry.LookupPlace(code, registry.Today()); !ok || strings.HasPrefix(code, "Z") {
		return fmt.Errorf("%w: %q non è il codice catastale di un comune in vigore", errUsage, *municipality)
	}
	st, err := store.Open(*db, store.Options{Create: true})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	rep, err := st.Import(context.Background(), fs.Arg(0), store.ImportOptions{
		Municipality: code,
		SkipBad:      *skipBad,
		Progress: func(pass string, rows int) {
			what := "controllate"
			if pass == "load" {
				what = "caricate"
			}
			fmt.Fprintf(stdout, "  %d righe %s\n", rows, what)
		},
	})
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "riga %d: %s\n", p.Line, lang.L(p.Message, p.Args))
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "%d righe con errori (elencate al più le prime 1000)\n", len(rep.Problems))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Importate %d persone di %d famiglie in %s", rep.ImportedPeople, rep.Families, time.Since(start).Round(time.Second))
	if rep.SkippedRows > 0 {
		fmt.Fprintf(w, "; escluse %d righe delle famiglie con errori", rep.SkippedRows)
	}
	fmt.Fprintln(w)
	return nil
}
