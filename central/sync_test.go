package central

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportello/access"
	"sportello/demo"
	"sportello/fault"
	"sportello/registry"
	"sportello/store"
)

var (
	registrar = access.User{Username: "reg1", FullName: "Rita Ufficiale", Role: access.Registrar}
	clerk     = access.User{Username: "clerk1", FullName: "Carlo Sportello", Role: access.Clerk}
)

var (
	clerk2 = access.User{Username: "clerk2", FullName: "Chiara Sportello", Role: access.Clerk}
	admin  = access.User{Username: "admin", FullName: "Adele Amministra", Role: access.Admin}
)

// testPassword is every test clerk's password.
const testPassword = "una-password-lunga"

// addClerks makes the clerks known at the server (sportellod user add): a
// desk's mutations are accepted only from a clerk the server knows.
func addClerks(tb testing.TB, srv *store.Store, users ...access.User) {
	tb.Helper()
	for _, u := range users {
		if _, err := srv.AddServerUser(context.Background(), "setup", u, testPassword); err != nil && fault.Code(err) != fault.Conflict {
			tb.Fatal(err)
		}
	}
}

// office is a server with a small register and desks enrolled at it, over
// real HTTP on 127.0.0.1.
type office struct {
	t      testing.TB
	dir    string
	server *store.Store
	http   *httptest.Server
}

func newOffice(t testing.TB, people int) *office {
	t.Helper()
	dir := t.TempDir()
	srv, err := store.Open(filepath.Join(dir, "server.db"), store.Options{DeskCode: "SRV", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := srv.Load(ctx, demo.Generate(demo.Config{People: people, Seed: 7, Municipality: "A269"}), nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.LogLoadedRegister(ctx); err != nil {
		t.Fatal(err)
	}
	addClerks(t, srv, clerk, clerk2)
	o := &office{t: t, dir: dir, server: srv}
	o.http = httptest.NewServer(NewServer(srv, nil).Handler())
	t.Cleanup(func() { o.http.Close(); o.server.Close() })
	return o
}

// restore replaces the server's file with backup, as an administrator
// would after losing the disk, and serves it at the same address.
func (o *office) restore(backup string) {
	o.t.Helper()
	o.server.Close()
	path := filepath.Join(o.dir, "server.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	copyFile(o.t, backup, path)
	srv, err := store.Open(path, store.Options{DeskCode: "SRV"})
	if err != nil {
		o.t.Fatal(err)
	}
	o.server = srv
	o.http.Config.Handler = NewServer(srv, nil).Handler()
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// desk is a desk's store with its syncer.
type desk struct {
	store  *store.Store
	syncer *Syncer
}

func (o *office) newDesk(code string) *desk {
	t := o.t
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), code+".db"), store.Options{DeskCode: code, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	key, err := st.DeskKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	enrolCode, err := o.server.NewEnrolCode(ctx, "admin", code)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(o.http.URL, st.DeskID(), key, nil)
	if _, err := c.Enrol(ctx, enrolCode, code); err != nil {
		t.Fatal(err)
	}
	return &desk{store: st, syncer: &Syncer{Store: st, Client: c}}
}

func (d *desk) sync(t *testing.T) Report {
	t.Helper()
	rep, err := d.syncer.Once(context.Background())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return rep
}

// record finds the person with codice fiscale cf on the desk.
func mustQuery(t testing.TB, s string) registry.Query {
	t.Helper()
	q, err := registry.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func (d *desk) record(t testing.TB, cf string) registry.Record {
	t.Helper()
	ms, err := d.store.Search(context.Background(), mustQuery(t, cf), 1)
	if err != nil || len(ms) != 1 {
		t.Fatalf("search %s: %v %v", cf, ms, err)
	}
	rec, err := d.store.FullRecord(context.Background(), ms[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func digest(t *testing.T, s *store.Store) string {
	t.Helper()
	d, err := s.RegisterDigest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func assertConverged(t *testing.T, o *office, desks ...*desk) {
	t.Helper()
	want := digest(t, o.server)
	for i, d := range desks {
		if got := digest(t, d.store); got != want {
			t.Errorf("desk %d holds another register than the server", i)
		}
	}
}

// someHouseholder returns the codice fiscale of a resident householder of
// a family of at least two.
func someHouseholder(t testing.TB, s *store.Store, skip int) string {
	t.Helper()
	ctx := context.Background()
	for id := int64(1); id < 500; id++ {
		rec, err := s.FullRecord(ctx, id)
		if err != nil {
			continue
		}
		if rec.Person.Status == registry.Resident && len(rec.Members) >= 2 && rec.Members[0].Person.ID == id {
			if skip == 0 {
				return rec.Person.CF
			}
			skip--
		}
	}
	t.Fatal("no householder in the register")
	return ""
}

func addDocument(t testing.TB, d *desk, cf, number string) {
	t.Helper()
	rec := d.record(t, cf)
	err := d.store.AddDocument(context.Background(), clerk, cardEdit(rec.Person, number))
	if err != nil {
		t.Fatalf("add document: %v", err)
	}
}

// cardEdit records an identity card with number for person p, issued a
// month ago by the municipality.
func cardEdit(p registry.Person, number string) registry.DocumentEdit {
	return registry.DocumentEdit{PersonID: p.ID, BaseVersion: p.Version,
		Document: registry.Document{Kind: registry.DocCIE, Number: number, IssuedOn: registry.DateOf(time.Now().AddDate(0, -1, 0)),
			Expires: registry.DateOf(time.Now().AddDate(9, 0, 0)), IssuedBy: "Comune di Anagni"}}
}

func TestPullBuildsTheReplica(t *testing.T) {
	o := newOffice(t, 120)
	a := o.newDesk("D01")
	rep := a.sync(t)
	if rep.Pulled == 0 && rep.Bootstrapped == 0 {
		t.Fatal("nothing pulled")
	}
	assertConverged(t, o, a)
	n, _ := a.store.CountPersons(context.Background())
	m, _ := o.server.CountPersons(context.Background())
	if n != m || n < 100 {
		t.Fatalf("desk has %d persons, server %d", n, m)
	}
}

func TestDisjointOfflineEditsMerge(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 120)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	cf := someHouseholder(t, o.server, 0)

	// Offline, desk A moves the family; desk B records an identity card.
	rec := a.record(t, cf)
	err := a.store.ChangeAddress(ctx, clerk, registry.AddressChange{PersonID: rec.Person.ID, BaseVersion: rec.Person.Version,
		Address: registry.Address{Toponym: "via", Street: "Cavour", HouseNumber: "7"}, From: registry.DateOf(time.Now().AddDate(0, 0, -3))})
	if err != nil {
		t.Fatal(err)
	}
	addDocument(t, b, cf, "CA12345BC")

	if rep := a.sync(t); rep.Pushed == 0 || rep.Conflicts != 0 {
		t.Fatalf("desk A: %+v", rep)
	}
	if rep := b.sync(t); rep.Conflicts != 0 || rep.Rejected != 0 {
		t.Fatalf("desk B: %+v", rep)
	}
	a.sync(t)
	assertConverged(t, o, a, b)
	for _, d := range []*desk{a, b} {
		got := d.record(t, cf)
		if got.Address.Street != "CAVOUR" || len(got.Documents) == 0 || got.Documents[0].Number != "CA12345BC" {
			t.Errorf("after sync: address %q, documents %v", got.Address.Street, got.Documents)
		}
	}
	for _, d := range []*desk{a, b} {
		st, _ := d.store.SyncState(ctx)
		if st.Pending != 0 || st.Rejected != 0 || st.Conflicts != 0 {
			t.Errorf("sync state %+v", st)
		}
	}
}

func TestSameFieldTwoWaysIsAConflictAClerkResolves(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 120)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	cf := someHouseholder(t, o.server, 1)
	addDocument(t, a, cf, "AA1111111")
	addDocument(t, b, cf, "BB2222222")
	a.sync(t)
	if rep := b.sync(t); rep.Conflicts != 1 {
		t.Fatalf("desk B: %+v, want one conflict", rep)
	}
	conflicts, err := b.store.OpenConflicts(ctx)
	if err != nil || len(conflicts) != 1 || conflicts[0].Field != "documents" {
		t.Fatalf("conflicts %+v %v", conflicts, err)
	}
	// B pulled the server's value meanwhile; the clerk keeps B's.
	if err := b.store.ResolveConflict(ctx, clerk, conflicts[0].ID, true); err != nil {
		t.Fatal(err)
	}
	b.sync(t)
	a.sync(t)
	assertConverged(t, o, a, b)
	got := a.record(t, cf)
	if len(got.Documents) != 1 || got.Documents[0].Number != "BB2222222" {
		t.Fatalf("documents after resolution: %+v", got.Documents)
	}
	if st, _ := b.store.SyncState(ctx); st.Conflicts != 0 {
		t.Fatalf("conflict still open: %+v", st)
	}
}

func TestPushIsIdempotentAndRefusesTampering(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 60)
	a := o.newDesk("D01")
	a.sync(t)
	addDocument(t, a, someHouseholder(t, o.server, 0), "CC3333333")
	muts, err := a.store.PendingMutations(ctx, 100)
	if err != nil || len(muts) != 1 {
		t.Fatalf("pending %v %v", muts, err)
	}
	first, err := a.syncer.Client.Push(ctx, muts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := a.syncer.Client.Push(ctx, muts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Results[0].Status != store.PushApplied || again.Results[0].Status != store.PushApplied || again.LastSeq != first.LastSeq {
		t.Fatalf("replay: %+v then %+v", first, again)
	}
	forged := muts[0]
	forged.Payload = []byte(`{"number":"XX"}`)
	resp, err := a.syncer.Client.Push(ctx, []store.Mutation{forged})
	if err != nil || resp.Results[0].Status != store.PushRejected {
		t.Fatalf("same id, other content: %+v %v", resp, err)
	}
	ahead := muts[0]
	ahead.MutationID, ahead.Seq = "01JZZZZZZZZZZZZZZZZZZZZZZZ", muts[0].Seq+5
	_, err = a.syncer.Client.Push(ctx, []store.Mutation{ahead})
	var se *ServerError
	if !errors.As(err, &se) || se.Body.Code != CodeSeqGap || *se.Body.LastSeq != muts[0].Seq {
		t.Fatalf("gap: %v", err)
	}
	// The server's answers are recorded: nothing pending.
	a.sync(t)
	if st, _ := a.store.SyncState(ctx); st.Pending != 0 {
		t.Fatalf("pending after sync: %+v", st)
	}
}

func TestRestoredServerGetsEverythingBackOnce(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 60)
	a := o.newDesk("D01")
	a.sync(t)
	addDocument(t, a, someHouseholder(t, o.server, 0), "DD4444444")
	a.sync(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := o.server.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	cf := someHouseholder(t, o.server, 1)
	addDocument(t, a, cf, "EE5555555")
	a.sync(t)
	o.restore(backup)
	if _, err := o.server.Desk(ctx, a.store.DeskID()); err != nil {
		t.Fatal(err)
	}
	rep := a.sync(t)
	if !rep.NewEpoch {
		t.Fatalf("the desk did not notice the restore: %+v", rep)
	}
	out, _ := a.store.Outbox(ctx, 0, 0)
	d, err := o.server.Desk(ctx, a.store.DeskID())
	if err != nil || d.LastSeq != out[len(out)-1].Seq {
		t.Fatalf("server holds up to %d of %d: %v", d.LastSeq, len(out), err)
	}
	assertConverged(t, o, a)
	if got := a.record(t, cf); len(got.Documents) == 0 || got.Documents[0].Number != "EE5555555" {
		t.Fatalf("the edit made after the backup is lost: %+v", got.Documents)
	}
}

func TestRequestsMustBeSigned(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 10)
	a := o.newDesk("D01")
	_, stranger, _ := ed25519.GenerateKey(nil)
	c := NewClient(o.http.URL, a.store.DeskID(), stranger, nil)
	_, err := c.Status(ctx)
	var se *ServerError
	if !errors.As(err, &se) || se.Body.Code != CodeUnauthorised {
		t.Fatalf("status with another key: %v", err)
	}
	c = NewClient(o.http.URL, "unknown-desk", stranger, nil)
	if _, err := c.Changes(ctx, 0); !errors.As(err, &se) || se.Status != 401 {
		t.Fatalf("unknown desk: %v", err)
	}
	if _, err := c.Enrol(ctx, "AAAA-BBBB-CCCC-DDDD", "D09"); !errors.As(err, &se) || se.Body.Code != "forbidden" {
		t.Fatalf("enrol with a made-up code: %v", err)
	}
}

func TestClerksTravelAndLogInOffline(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	addClerks(t, o.server, admin)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	// The administrator logs in at desk A through the server: that login
	// lets them add a clerk.
	if _, err := (ServerFirst{Client: a.syncer.Client, Local: a.store.WithLockout(), Logins: a.store}).Login(ctx, admin.Username, testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.CreateUser(ctx, admin.Username, access.User{Username: "mverdi", FullName: "Marta Verdi", Role: access.Clerk}, "una-password-lunga"); err != nil {
		t.Fatal(err)
	}
	if rep := a.sync(t); rep.Rejected != 0 {
		t.Fatalf("desk A: %+v", rep)
	}
	b.sync(t)
	online := ServerFirst{Client: b.syncer.Client, Local: b.store.WithLockout()}
	u, err := online.Login(ctx, "mverdi", "una-password-lunga")
	if err != nil || u.FullName != "Marta Verdi" {
		t.Fatalf("login at desk B through the server: %+v %v", u, err)
	}
	if _, err := online.Login(ctx, "mverdi", "sbagliata"); err == nil {
		t.Fatal("a wrong password let in")
	}
	// The server goes away: desk B still lets her in with the copy it pulled.
	o.http.Close()
	if u, err := online.Login(ctx, "mverdi", "una-password-lunga"); err != nil || u.Role != access.Clerk {
		t.Fatalf("offline login at desk B: %+v %v", u, err)
	}
	if _, err := online.Login(ctx, "mverdi", "sbagliata"); err == nil {
		t.Fatal("a wrong password let in offline")
	}
}

func TestProtocolRefusals(t *testing.T) {
	o := newOffice(t, 5)
	get := func(path string, header map[string]string) (int, ErrorBody) {
		req, _ := http.NewRequest(http.MethodGet, o.http.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e ErrorBody
		json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e
	}
	if code, e := get("/v1/status", map[string]string{ClientHeader: "0"}); code != 400 || e.Code != CodeClientVersion || e.Args["Server"] != "1" {
		t.Errorf("old client: %d %+v", code, e)
	}
	if code, e := get("/v1/nothing", nil); code != 404 || e.Code != "not_found" {
		t.Errorf("unknown path: %d %+v", code, e)
	}
	big := strings.NewReader(`{"code":"` + strings.Repeat("x", MaxEnrolBytes) + `"}`)
	req, _ := http.NewRequest(http.MethodPost, o.http.URL+"/v1/enrol", big)
	req.Header.Set(ClientHeader, APIVersion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized enrolment: %d", resp.StatusCode)
	}
}

func TestPullKeepsBackWhatTheDeskHasNotSentYet(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 40)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	cf := someHouseholder(t, o.server, 0)
	addDocument(t, a, cf, "GG7777777") // reaches the server
	a.sync(t)
	addDocument(t, b, cf, "HH8888888") // pending at desk B
	st, err := b.store.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Desk B pulls without pushing first (as when its push was cut).
	page, err := b.syncer.Client.Changes(ctx, st.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	written, kept, err := b.store.ApplyChanges(ctx, page)
	if err != nil {
		t.Fatal(err)
	}
	if kept == 0 {
		t.Fatalf("nothing kept back (written %d)", written)
	}
	got := b.record(t, cf)
	if len(got.Documents) != 1 || got.Documents[0].Number != "HH8888888" {
		t.Fatalf("the pull overwrote the pending edit: %+v", got.Documents)
	}
	// Once sent, the server's merge comes back and the conflict is shown.
	if rep := b.sync(t); rep.Conflicts != 1 {
		t.Fatalf("desk B: %+v", rep)
	}
}

func TestARefusedChangeIsRecordedAndShown(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 20)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	a.sync(t)
	b.sync(t)
	born, _ := registry.ParseDate("1990-05-04")
	cf, err := registry.ComputeCF("Zanetti", "Elisa", registry.Female, born, "A269")
	if err != nil {
		t.Fatal(err)
	}
	p := registry.Person{CF: cf, Surname: "Zanetti", Name: "Elisa", Sex: registry.Female, BirthDate: born, BirthPlace: "A269",
		Citizenships: []string{registry.Italy}, CivilStatus: registry.Single, Status: registry.Resident}
	// Both desks register her offline, each as a new person.
	if _, err := a.store.AddPerson(ctx, "clerk1", p); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.AddPerson(ctx, "clerk2", p); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	rep := b.sync(t)
	if rep.Rejected != 1 {
		t.Fatalf("desk B: %+v", rep)
	}
	st, _ := b.store.SyncState(ctx)
	rejected, err := b.store.RejectedMutations(ctx)
	if err != nil || st.Rejected != 1 || len(rejected) != 1 || !strings.Contains(rejected[0].Error, "codice fiscale") {
		t.Fatalf("state %+v, refused %+v, %v", st, rejected, err)
	}
	// Nothing after it is held up: desk B's next change still goes.
	addDocument(t, b, someHouseholder(t, o.server, 0), "JJ9999999")
	if rep := b.sync(t); rep.Pushed != 1 || rep.Rejected != 0 {
		t.Fatalf("the change after the refused one: %+v", rep)
	}
}
