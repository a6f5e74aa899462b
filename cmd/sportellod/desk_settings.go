package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// cmdDeskSet changes a desk's settings at the server: --social enables it
// for the social desk (its pulls and snapshot then carry the social
// records), --no-social disables it (the desk drops them at its next sync).
func cmdDeskSet(args []string, stdout io.Writer) error {
	fs := newFlags("desk set")
	db := fs.String("db", "", "file del database del server")
	social := fs.Bool("social", false, "abilita la postazione allo sportello sociale")
	noSocial := fs.Bool("no-social", false, "toglie alla postazione lo sportello sociale")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: desk set vuole il codice della postazione, per esempio D03", errUsage)
	}
	if *social == *noSocial {
		return fmt.Errorf("%w: desk set vuole --social oppure --no-social", errUsage)
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	code := strings.ToUpper(fs.Arg(0))
	if err := st.SetDeskSocial(context.Background(), "admin", code, *social); err != nil {
		return err
	}
	if *social {
		fmt.Fprintf(stdout, "Postazione %s abilitata allo sportello sociale: riceve le pratiche alla prossima sincronizzazione.\n", code)
	} else {
		fmt.Fprintf(stdout, "Postazione %s non più abilitata allo sportello sociale: cancella le pratiche che ha alla prossima sincronizzazione.\n", code)
	}
	return nil
}
