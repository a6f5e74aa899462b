// The desk and the server are killed with SIGKILL: Unix only.

//go:build !windows

package central

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sportello/demo"
	"sportello/registry"
	"sportello/store"
)

// The kill test runs the desk and the server as processes of this test
// binary and kills them with SIGKILL at each step of push and pull. The
// environment tells a child what to be.
const (
	envChild  = "SPORTELLO_KILL_CHILD" // "server" or "desk"
	envDB     = "SPORTELLO_KILL_DB"
	envServer = "SPORTELLO_KILL_SERVER" // the desk's server URL
	envDieAt  = "SPORTELLO_KILL_AT"     // the step to die at
	envEdits  = "SPORTELLO_KILL_EDITS"  // how many edits the desk makes before syncing
)

func TestMain(m *testing.M) {
	switch os.Getenv(envChild) {
	case "server":
		os.Exit(killServerChild())
	case "desk":
		os.Exit(killDeskChild())
	}
	os.Exit(m.Run())
}

// dieAt returns a hook that kills this process the first time it passes
// step.
func dieAt(step string) func(string) {
	return func(s string) {
		if s == step {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Second)
		}
	}
}

// killServerChild serves the server's file on a free loopback port and
// prints the address.
func killServerChild() int {
	st, err := store.Open(os.Getenv(envDB), store.Options{DeskCode: "SRV"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	srv := NewServer(st, nil)
	if at := os.Getenv(envDieAt); at != "" {
		srv.Hook = dieAt(at)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("http://" + ln.Addr().String())
	http.Serve(ln, srv.Handler())
	return 0
}

// killDeskChild makes some edits to the register, then syncs once.
func killDeskChild() int {
	ctx := context.Background()
	st, err := store.Open(os.Getenv(envDB), store.Options{DeskCode: "D01"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	key, err := st.DeskKey(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	edits, _ := strconv.Atoi(os.Getenv(envEdits))
	for range edits {
		if err := addCard(ctx, st); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	}
	s := &Syncer{Store: st, Client: NewClient(os.Getenv(envServer), st.DeskID(), key, nil), Batch: 2}
	if at := os.Getenv(envDieAt); at != "" {
		s.Hook = dieAt(at)
	}
	if _, err := s.Once(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sync:", err)
		return 4
	}
	return 0
}

// addCard records an identity card, numbered after the desk's outbox, for
// the first adult resident.
func addCard(ctx context.Context, st *store.Store) error {
	out, err := st.Outbox(ctx, 0, 0)
	if err != nil {
		return err
	}
	for id := int64(1); id < 200; id++ {
		rec, err := st.FullRecord(ctx, id)
		if err != nil || rec.Person.Status != registry.Resident || rec.Person.BirthDate.AgeOn(registry.Today()) < 18 {
			continue
		}
		return st.AddDocument(ctx, clerk, cardEdit(rec.Person, fmt.Sprintf("CK%05dAA", len(out))))
	}
	return errors.New("no adult resident")
}

// child runs this test binary as a child process.
func child(t *testing.T, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// startServer starts a server process and returns its URL.
func startServer(t *testing.T, db, dieAt string) (*exec.Cmd, string) {
	t.Helper()
	cmd := child(t, envChild+"=server", envDB+"="+db, envDieAt+"="+dieAt)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("server child: %v", err)
	}
	return cmd, strings.TrimSpace(line)
}

// runDesk runs a desk process to its end and reports whether it was killed.
func runDesk(t *testing.T, db, url, dieAt string, edits int) (killed bool) {
	t.Helper()
	cmd := child(t, envChild+"=desk", envDB+"="+db, envServer+"="+url, envDieAt+"="+dieAt, envEdits+"="+strconv.Itoa(edits))
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
		if exit.ExitCode() == 4 {
			return false // the sync failed: the server died under it
		}
	}
	if err != nil {
		t.Fatalf("desk child: %v", err)
	}
	return false
}

func TestKillDeskAndServerAtEachStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	serverDB, deskDB := filepath.Join(dir, "server.db"), filepath.Join(dir, "desk.db")
	srv, err := store.Open(serverDB, store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Load(ctx, demo.Generate(demo.Config{People: 60, Seed: 5, Municipality: "A269"}), nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.LogLoadedRegister(ctx); err != nil {
		t.Fatal(err)
	}
	addClerks(t, srv, clerk)
	code, err := srv.NewEnrolCode(ctx, "admin", "D01")
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()

	// Enrol and bootstrap the desk with a server process.
	server, url := startServer(t, serverDB, "")
	d, err := store.Open(deskDB, store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := d.DeskKey(ctx)
	if _, err := NewClient(url, d.DeskID(), key, nil).Enrol(ctx, code, "D01"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if runDesk(t, deskDB, url, "", 0) {
		t.Fatal("the first sync was killed")
	}

	// The desk dies at each step of push and pull.
	for _, step := range []string{"pushed", "recorded", "fetched", "applied"} {
		if !runDesk(t, deskDB, url, step, 3) {
			t.Fatalf("the desk did not reach step %s", step)
		}
	}
	server.Process.Kill()
	server.Wait()
	// The server dies after committing a push, before answering; and
	// before sending a page of changes.
	for _, step := range []string{"push_applied", "changes_read"} {
		server, url = startServer(t, serverDB, step)
		runDesk(t, deskDB, url, "", 2)
		server.Wait()
	}
	// Everyone comes back: two clean syncs.
	server, url = startServer(t, serverDB, "")
	defer func() { server.Process.Kill(); server.Wait() }()
	for range 2 {
		if runDesk(t, deskDB, url, "", 0) {
			t.Fatal("clean sync killed")
		}
	}
	server.Process.Kill()
	server.Wait()

	srv, err = store.Open(serverDB, store.Options{DeskCode: "SRV"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	d, err = store.Open(deskDB, store.Options{DeskCode: "D01"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out, err := d.Outbox(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	held, err := srv.Desk(ctx, d.DeskID())
	if err != nil {
		t.Fatal(err)
	}
	if held.LastSeq != out[len(out)-1].Seq {
		t.Fatalf("the server holds %d of the desk's %d mutations", held.LastSeq, len(out))
	}
	cards := 0
	for _, m := range out {
		if m.State != "confirmed" {
			t.Errorf("mutation %d is %s", m.Seq, m.State)
		}
		if m.Op == "add_document" {
			cards++
		}
	}
	if cards != 4*3+2*2 {
		t.Errorf("the desk recorded %d cards, want %d", cards, 4*3+2*2)
	}
	a, _ := srv.RegisterDigest(ctx)
	b, _ := d.RegisterDigest(ctx)
	if a != b {
		t.Fatal("after the kills the desk and the server hold different registers")
	}
}
