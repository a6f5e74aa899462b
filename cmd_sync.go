package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"sportello/central"
	"sportello/desk"
	"sportello/store"
)

// syncInterval is how often a desk with a server syncs on its own.
const syncInterval = 30 * time.Second

// deskClient is the desk's signed client of the configured server.
func deskClient(ctx context.Context, st *store.Store, server string) (*central.Client, error) {
	if u, err := url.Parse(server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: l'indirizzo del server %q non è un URL http(s)", errUsage, server)
	}
	key, err := st.DeskKey(ctx)
	if err != nil {
		return nil, err
	}
	return central.NewClient(server, st.DeskID(), key, nil), nil
}

// startSync runs the desk's sync in the background and gives the top bar
// its state; stop ends it.
func startSync(st *store.Store, cfg config, deps *desk.Deps) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := deskClient(ctx, st, cfg.Server)
	if err != nil {
		cancel()
		return nil, err
	}
	syncer := &central.Syncer{Store: st, Client: c}
	go syncer.Run(ctx, syncInterval, nil, nil)
	deps.Sync = func() desk.SyncView {
		s, err := st.SyncState(context.Background())
		if err != nil {
			return desk.SyncView{}
		}
		return desk.SyncView{OfflineSince: s.OfflineSince, LastSync: s.LastSync, Pending: s.Pending, Rejected: s.Rejected, Conflicts: s.Conflicts}
	}
	return cancel, nil
}

// cmdEnrol registers this desk at the server with the one-time code the
// administrator made with `sportellod enrol`.
func cmdEnrol(args []string, stdout io.Writer) error {
	fs := newFlags("enrol")
	configFlags(fs)
	code := fs.String("code", "", "codice monouso dato dall'amministratore (sportellod enrol)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	if cfg.Server == "" || *code == "" {
		return fmt.Errorf("%w: servono --server URL e --code CODICE", errUsage)
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode, Create: true})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	c, err := deskClient(ctx, st, cfg.Server)
	if err != nil {
		return err
	}
	resp, err := c.Enrol(ctx, *code, cfg.DeskCode)
	if err != nil {
		return serverFault(err)
	}
	fmt.Fprintf(stdout, "Postazione %s registrata presso %s (chiave %s).\nImpostate server: %s nella configurazione; la prima sincronizzazione scarica l'anagrafe.\n",
		cfg.DeskCode, cfg.Server, resp.KeyID, cfg.Server)
	return nil
}

// cmdSync syncs once with the server and says what moved.
func cmdSync(args []string, stdout io.Writer) error {
	fs := newFlags("sync")
	configFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	if cfg.Server == "" {
		return fmt.Errorf("%w: manca --server URL (o server nella configurazione)", errUsage)
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	c, err := deskClient(ctx, st, cfg.Server)
	if err != nil {
		return err
	}
	rep, err := (&central.Syncer{Store: st, Client: c}).Once(ctx)
	if err != nil {
		return serverFault(err)
	}
	fmt.Fprintf(stdout, "Inviate %d modifiche (%d rifiutate, %d con conflitti); ricevute %d schede", rep.Pushed, rep.Rejected, rep.Conflicts, rep.Pulled)
	if rep.Kept > 0 {
		fmt.Fprintf(stdout, " (%d in attesa di modifiche locali)", rep.Kept)
	}
	fmt.Fprintln(stdout)
	if rep.NewEpoch {
		fmt.Fprintln(stdout, "Il server è stato ripristinato da una copia: la postazione ha reinviato le sue modifiche.")
	}
	return nil
}

// serverFault turns the server's refusal into the domain error the
// command prints in Italian; an unreachable server says what to check.
func serverFault(err error) error {
	var se *central.ServerError
	if errors.As(err, &se) {
		return se.Fault()
	}
	return fmt.Errorf("il server non risponde (%v): controllate l'indirizzo e la rete; la postazione continua a lavorare e riprova da sola", err)
}
