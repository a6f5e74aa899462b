package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"sportello/registry"
	"sportello/store"
)

// deskCommands are the verbs of `sportellod desk`.
var deskCommands = map[string]func([]string, io.Writer) error{
	"list":   cmdDeskList,
	"revoke": cmdDeskRevoke,
	"set":    cmdDeskSet, // desk_settings.go
}

// cmdDesk runs `sportellod desk VERB`: the desks the server trusts.
func cmdDesk(args []string, stdout io.Writer) error {
	return runVerb("desk", deskCommands, args, stdout)
}

// runVerb runs the verb args[0] of the command name from verbs; a missing
// or unknown verb is a usage error naming the verbs there are.
func runVerb(name string, verbs map[string]func([]string, io.Writer) error, args []string, stdout io.Writer) error {
	names := slices.Sorted(maps.Keys(verbs))
	list := strings.Join(names[:len(names)-1], ", ") + " o " + names[len(names)-1]
	if len(args) == 0 {
		return fmt.Errorf("%w: %s vuole %s", errUsage, name, list)
	}
	f, ok := verbs[args[0]]
	if !ok {
		return fmt.Errorf("%w: %s %q non esiste (%s)", errUsage, name, args[0], strings.Join(names, ", "))
	}
	return f(args[1:], stdout)
}

// cmdDeskList shows the desks, their keys and enrolment codes.
func cmdDeskList(args []string, stdout io.Writer) error {
	fs := newFlags("desk list")
	db := fs.String("db", "", "file del database del server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	desks, err := st.Desks(ctx)
	if err != nil {
		return err
	}
	codes, err := st.EnrolCodes(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "POSTAZIONE\tCHIAVE\tREGISTRATA\tREVOCATA\tULTIMA MODIFICA\tID")
	for _, d := range desks {
		revoked := "-"
		if d.RevokedAt != "" {
			revoked = day(d.RevokedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", d.DeskCode, d.KeyID, day(d.EnrolledAt), revoked, d.LastSeq, d.DeskID)
	}
	if len(desks) == 0 {
		fmt.Fprintln(w, "(nessuna postazione registrata)")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "CODICE PER\tCREATO\tSCADE\tUSATO")
	for _, c := range codes {
		used := "-"
		if c.UsedAt != "" {
			used = day(c.UsedAt)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.DeskCode, day(c.CreatedAt), day(c.ExpiresAt), used)
	}
	return w.Flush()
}

// day writes a stored UTC timestamp as the day and time in Rome.
func day(at string) string {
	t, err := store.ParseTimestamp(at)
	if err != nil {
		return at
	}
	return t.In(registry.Rome).Format("02/01/2006 15:04")
}

// cmdDeskRevoke revokes a desk: its requests are refused and its seals
// verify as revoked.
func cmdDeskRevoke(args []string, stdout io.Writer) error {
	fs := newFlags("desk revoke")
	db := fs.String("db", "", "file del database del server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: desk revoke vuole il codice della postazione, per esempio D02", errUsage)
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := st.RevokeDesk(context.Background(), "admin", fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Postazione %s revocata il %s: il server rifiuta le sue richieste e i sigilli delle sue chiavi risultano revocati.\n"+
		"Una postazione che la sostituisce si registra con un nuovo codice di postazione (sportellod enrol --desk-code ...).\n",
		strings.ToUpper(d.DeskCode), day(d.RevokedAt))
	return nil
}
