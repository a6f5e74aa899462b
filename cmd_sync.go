package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"sportello/access"
	"sportello/central"
	"sportello/desk"
	"sportello/fault"
	"sportello/store"
)

// syncInterval is how often a desk with a server syncs on its own.
const syncInterval = 30 * time.Second

// deskClient is the desk's signed client of the configured server, which
// trusts the certificates of server_ca when it is set.
func deskClient(ctx context.Context, st *store.Store, cfg config) (*central.Client, error) {
	if u, err := url.Parse(cfg.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: l'indirizzo del server %q non è un URL http(s)", errUsage, cfg.Server)
	}
	hc, err := central.HTTPClient(cfg.ServerCA)
	if err != nil {
		return nil, fmt.Errorf("impostazione server_ca: %v: indichi un file PEM con il certificato del server o della CA del Comune", err)
	}
	key, err := st.DeskKey(ctx)
	if err != nil {
		return nil, err
	}
	return central.NewClient(cfg.Server, st.DeskID(), key, hc), nil
}

// openDeskClient opens the desk's database (creating it when create) and
// its signed client of the configured server.
func openDeskClient(ctx context.Context, cfg config, create bool) (*store.Store, *central.Client, error) {
	if cfg.Server == "" {
		return nil, nil, fmt.Errorf("%w: manca --server URL (o server nella configurazione)", errUsage)
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode, Create: create})
	if err != nil {
		return nil, nil, err
	}
	c, err := deskClient(ctx, st, cfg)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, c, nil
}

// startSync runs the desk's sync in the background and gives the desk its
// link with the server; stop ends it.
func startSync(st *store.Store, cfg config, deps *desk.Deps) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := deskClient(ctx, st, cfg)
	if err != nil {
		cancel()
		return nil, err
	}
	link := &syncLink{st: st, poke: make(chan struct{}, 1), progress: -1}
	syncer := &central.Syncer{Store: st, Client: c, Progress: link.setProgress}
	link.syncer = syncer
	go syncer.Run(ctx, syncInterval, link.poke)
	deps.Sync = link
	deps.Auth = central.ServerFirst{Client: c, Local: deps.Auth, Logins: st}
	// One queue per office: the server's, unless this desk keeps its own
	// (a Casa di Comunità on a poor line is an office of its own).
	if !cfg.LocalQueue {
		deps.Queue, deps.OwnQueue = central.NewQueueClient(c), st
	}
	return cancel, nil
}

// A supervisor's desk that works the server's queue sets up the server's
// office (the set-up screen finds it on the queue).
var _ desk.OfficeSetup = (*central.QueueClient)(nil)

// syncLink is the desk's view of the sync: the store's state, a poke that
// syncs at once, the first download's progress.
type syncLink struct {
	st     *store.Store
	poke   chan struct{}
	syncer *central.Syncer // its Refusal: the server refuses this desk

	mu       sync.Mutex
	progress float64 // -1: no download running
}

func (l *syncLink) setProgress(done float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.progress = done
	if done >= 1 {
		l.progress = -1
	}
}

func (l *syncLink) View() desk.SyncView {
	s, err := l.st.SyncState(context.Background())
	if err != nil {
		return desk.SyncView{Download: -1}
	}
	l.mu.Lock()
	progress := l.progress
	l.mu.Unlock()
	v := desk.SyncView{OfflineSince: s.OfflineSince, LastSync: s.LastSync, Pending: s.Pending, Rejected: s.Rejected,
		Conflicts: s.Conflicts, Download: progress}
	if f := l.syncer.Refusal(); f != nil {
		v.Refused, v.RefusedArgs = f.Message, f.Args
	}
	return v
}

func (l *syncLink) SyncNow() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

func (l *syncLink) Resolve(ctx context.Context, u access.User, id int64, keepMine bool) error {
	return l.st.ResolveConflict(ctx, u, id, keepMine)
}

func (l *syncLink) Conflicts(ctx context.Context) ([]desk.ConflictView, error) {
	cs, err := l.st.OpenConflicts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]desk.ConflictView, len(cs))
	for i, c := range cs {
		out[i] = desk.ConflictView{ID: c.ID, Record: l.recordName(ctx, c.Entity, c.EntityUID), Field: c.Field,
			Base: c.Base, Mine: c.Mine, Theirs: c.Theirs, At: c.CreatedAt}
	}
	return out, nil
}

// recordName names whose record a conflict is about.
func (l *syncLink) recordName(ctx context.Context, entity, uid string) string {
	d, ok, err := l.st.Document(ctx, entity, uid)
	if err != nil || !ok {
		return entity
	}
	var f struct {
		Surname, Name, Street, HouseNumber string
		Householder                        *string
	}
	b, _ := json.Marshal(d.Fields)
	json.Unmarshal(b, &f)
	switch {
	case f.Surname != "":
		return f.Surname + " " + f.Name
	case f.Street != "":
		return f.Street + " " + f.HouseNumber
	case f.Householder != nil:
		return l.recordName(ctx, "person", *f.Householder)
	}
	return entity
}

func (l *syncLink) Rejected(ctx context.Context) ([]desk.RejectedView, error) {
	ms, err := l.st.RejectedMutations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]desk.RejectedView, len(ms))
	for i, m := range ms {
		var reason struct {
			Message string         `json:"message"`
			Args    map[string]any `json:"args"`
		}
		json.Unmarshal([]byte(m.Error), &reason)
		at, _ := time.Parse(time.RFC3339Nano, m.CreatedAt)
		out[i] = desk.RejectedView{Seq: m.Seq, What: m.Entity + " " + m.Op, Message: reason.Message, Args: reason.Args, At: at}
	}
	return out, nil
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
	ctx := context.Background()
	st, c, err := openDeskClient(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	resp, err := c.Enrol(ctx, *code, cfg.DeskCode)
	if err != nil {
		return serverFault(err)
	}
	fmt.Fprintf(stdout, "Postazione %s registrata presso %s (chiave %s).\n", cfg.DeskCode, cfg.Server, resp.KeyID)
	// The first sync brings the register and the clerks, so the desk
	// opens ready.
	last := -1
	syncer := &central.Syncer{Store: st, Client: c, Progress: func(done float64) {
		if p := int(done * 10); p != last {
			last = p
			fmt.Fprintf(stdout, "  anagrafe: %d%%\n", p*10)
		}
	}}
	rep, err := syncer.Once(ctx)
	if err != nil {
		fmt.Fprintf(stdout, "La prima sincronizzazione non è riuscita (%s): riprovi con sportello sync.\n", userMessage(serverFault(err)))
	} else {
		fmt.Fprintf(stdout, "Anagrafe della postazione: %d persone dal server, %d schede aggiornate.\n", rep.Bootstrapped, rep.Pulled)
	}
	fmt.Fprintf(stdout, "Imposti server: %s nella configurazione della postazione.\n", cfg.Server)
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
	ctx := context.Background()
	st, c, err := openDeskClient(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := (&central.Syncer{Store: st, Client: c}).Once(ctx)
	if err != nil {
		return serverFault(err)
	}
	if rep.Bootstrapped > 0 {
		fmt.Fprintf(stdout, "Anagrafe scaricata dal server: %d persone\n", rep.Bootstrapped)
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
		if f := se.Fault(); f.Code != fault.Internal {
			return f
		}
		return fmt.Errorf("il server ha avuto un errore interno (%s): riprovi; se si ripete, avvisi l'amministratore del server", se.Body.Code)
	}
	return fmt.Errorf("il server non risponde (%v): controlli l'indirizzo e la rete; la postazione continua a lavorare e riprova da sola", err)
}
