package main

import (
	"context"
	"fmt"
	"io"

	"sportello/central"
)

// cmdKey runs `sportello key rotate`: the desk takes a new signing key,
// which the server accepts because the request is signed with the current
// one. Certificates sealed with the old key stay valid.
func cmdKey(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: key vuole rotate", errUsage)
	}
	fs := newFlags("key rotate")
	configFlags(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, c, err := openDeskClient(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	_, resp, err := central.RotateDeskKey(ctx, st, c, "sportello")
	if err != nil {
		return serverFault(err)
	}
	fmt.Fprintf(stdout, "La postazione %s firma ora con la chiave %s; i certificati sigillati con la chiave precedente restano validi.\n"+
		"Riavvii lo sportello se è aperto.\n", st.DeskCode(), resp.KeyID)
	return nil
}
