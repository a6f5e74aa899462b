package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2/lang"
	"github.com/spf13/pflag"

	"sportello/demo"
	"sportello/store"
)

// cmdStradario runs `sportello stradario load --db FILE FILE.csv`: it
// replaces the stradario with the streets and house numbers of a CSV in the
// ANNCSU layout, listing the bad rows (left out) with their line numbers.
func cmdStradario(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usi stradario load --db FILE FILE.csv", errUsage)
	}
	switch args[0] {
	case "load":
	case "-h", "--help":
		return pflag.ErrHelp
	default:
		return fmt.Errorf("%w: stradario %s non esiste: usi stradario load --db FILE FILE.csv", errUsage, args[0])
	}
	fs := newFlags("stradario load")
	db := fs.String("db", "", "database file")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *db == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: stradario load vuole --db FILE e un file CSV", errUsage)
	}
	in, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := store.Open(*db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.LoadStradario(context.Background(), bufio.NewReader(in))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "riga %d: %s\n", p.Line, lang.L(p.Message, p.Args))
	}
	if rep.BadRows > 0 {
		fmt.Fprintf(w, "%d righe con errori, escluse (elencate al più le prime 1000)\n", rep.BadRows)
	}
	fmt.Fprintf(w, "Stradario caricato: %d vie, %d numeri civici\n", rep.Streets, rep.Numbers)
	return nil
}

// seedStradario loads the stradario of the demo municipality cfg made.
func seedStradario(ctx context.Context, st *store.Store, cfg demo.Config, out io.Writer) error {
	r, w := io.Pipe()
	go func() { w.CloseWithError(demo.Stradario(cfg, w)) }()
	rep, err := st.LoadStradario(ctx, r)
	r.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Stradario: %d vie, %d numeri civici\n", rep.Streets, rep.Numbers)
	return nil
}
