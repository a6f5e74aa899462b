package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"sportello/access"
)

// stdin is where user add reads the password (tests replace it).
var stdin io.Reader = os.Stdin

// cmdUser adds a clerk at the server: the first clerk (an administrator) of
// a new server, and any other the operator adds there. Desks pull it with
// the register. The password is read from standard input, never from a flag.
func cmdUser(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: usate user add", errUsage)
	}
	fs := newFlags("user add")
	db := fs.String("db", "", "file del database del server")
	username := fs.String("username", "", "nome di accesso")
	name := fs.String("name", "", "nome e cognome")
	role := fs.String("role", string(access.Clerk), "clerk, registrar, social_worker, supervisor o admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" || *name == "" {
		return fmt.Errorf("%w: servono --db, --username e --name", errUsage)
	}
	r := access.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("%w: ruolo %q sconosciuto: clerk, registrar, social_worker, supervisor o admin", errUsage, *role)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("lettura della password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	st, err := openStore(*db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.AddServerUser(context.Background(), "sportellod", access.User{Username: *username, FullName: *name, Role: r}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Utente %s creato con il ruolo %s: le postazioni lo ricevono alla prossima sincronizzazione\n", u.Username, u.Role)
	return nil
}
