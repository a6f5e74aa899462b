package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"sportello/registry"
	"sportello/store"
)

// cmdAccessLog prints the complete log of record views (the register's
// and the social desk's, from every desk) for the privacy officer, newest
// first, as a table or as CSV.
func cmdAccessLog(args []string, stdout io.Writer) error {
	fs := newFlags("access-log")
	db := fs.String("db", "", "file del database del server")
	clerk := fs.String("clerk", "", "solo gli accessi di questo operatore (nome utente)")
	cf := fs.String("cf", "", "solo gli accessi ai dati della persona con questo codice fiscale")
	desk := fs.String("desk", "", "solo gli accessi da questa postazione, per esempio D01")
	from := fs.String("from", "", "dal giorno AAAA-MM-GG (compreso)")
	to := fs.String("to", "", "al giorno AAAA-MM-GG (compreso)")
	asCSV := fs.Bool("csv", false, "scrive in CSV")
	limit := fs.Int("limit", 10000, "al massimo tante righe")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f := store.ViewFilter{Operator: *clerk, CF: *cf, Desk: *desk, Limit: *limit}
	for _, d := range []struct {
		text  string
		into  *time.Time
		after bool
	}{{*from, &f.From, false}, {*to, &f.To, true}} {
		if d.text == "" {
			continue
		}
		day, err := registry.ParseDate(d.text)
		if err != nil {
			return fmt.Errorf("%w: %q non è una data AAAA-MM-GG", errUsage, d.text)
		}
		// Days are Europe/Rome's; --to includes its day.
		t := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, registry.Rome)
		if d.after {
			t = t.AddDate(0, 0, 1)
		}
		*d.into = t
	}
	st, err := openReadOnly(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	views, err := st.Views(context.Background(), f)
	if err != nil {
		return err
	}
	kinds := map[string]string{"registry": "anagrafe", "social": "sociale"}
	header := []string{"quando", "postazione", "operatore", "archivio", "codice fiscale", "persona", "pratica", "finalità"}
	row := func(v store.ViewEntry) []string {
		return []string{v.At.In(registry.Rome).Format("2006-01-02 15:04:05"), v.Desk, v.Operator, kinds[v.Kind], v.CF, v.Name, v.Case, v.Purpose}
	}
	if *asCSV {
		w := csv.NewWriter(stdout)
		w.Write(header)
		for _, v := range views {
			w.Write(row(v))
		}
		w.Flush()
		return w.Error()
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	line := func(cols []string) {
		for i, c := range cols {
			if i > 0 {
				fmt.Fprint(w, "\t")
			}
			fmt.Fprint(w, c)
		}
		fmt.Fprintln(w)
	}
	line(header)
	for _, v := range views {
		line(row(v))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d accessi\n", len(views))
	return nil
}
