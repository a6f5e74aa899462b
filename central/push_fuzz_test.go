package central

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"sportello/store"
)

// FuzzPush pushes, as an enrolled desk, hostile mutations: random entities,
// ops, operators, payloads and documents (seeds in testdata/fuzz/FuzzPush).
// Whatever it sends, the server never fails, and never changes another
// desk's record, a key or a clerk: none of that is a desk's to change
// without a login the server checked.
//
// In the seeds, CLERK_UID stands for the uid of clerk1 at the server,
// PERSON_UID for a person of the register and DESK_B for the other desk.
func FuzzPush(f *testing.F) {
	ctx := context.Background()
	o := newOffice(f, 10)
	addClerks(f, o.server, admin)
	a, b := o.newDesk("D01"), o.newDesk("D02")
	for _, d := range []*desk{a, b} {
		if _, err := d.syncer.Once(ctx); err != nil {
			f.Fatal(err)
		}
	}
	addDocument(f, b, someHouseholder(f, o.server, 1), "FZ0000001")
	if _, err := b.syncer.Once(ctx); err != nil {
		f.Fatal(err)
	}
	var clerkUID, personUID string
	o.scan(f, `SELECT uid FROM users WHERE username = ?`, []any{clerk.Username}, &clerkUID)
	o.scan(f, `SELECT uid FROM person ORDER BY id LIMIT 1`, nil, &personUID)
	held := func(tb testing.TB) string {
		var users, keys, other string
		o.scan(tb, `SELECT coalesce(group_concat(uid || username || role || password_hash || version, '|'), '') FROM (SELECT * FROM users ORDER BY uid)`, nil, &users)
		o.scan(tb, `SELECT coalesce(group_concat(key_id || desk_code || hex(public_key), '|'), '') FROM (SELECT * FROM desk_key ORDER BY key_id)`, nil, &keys)
		o.scan(tb, `SELECT (SELECT desk_code || key_id || last_seq FROM sync_desk WHERE desk_id = ?) ||
 (SELECT count(*) || coalesce(group_concat(sha256 || status), '') FROM sync_mutation WHERE desk_id = ?)`, []any{b.store.DeskID(), b.store.DeskID()}, &other)
		return users + "\n" + keys + "\n" + other
	}
	want := held(f)

	f.Fuzz(func(t *testing.T, entity, op, operator, id, uid string, payload, docs []byte, auth string) {
		expand := func(s string) string {
			return strings.NewReplacer("CLERK_UID", clerkUID, "PERSON_UID", personUID, "DESK_B", b.store.DeskID()).Replace(s)
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		d, err := o.server.Desk(ctx, a.store.DeskID())
		if err != nil {
			t.Fatal(err)
		}
		if id == "" {
			id = ulid.Make().String()
		}
		m := store.Mutation{Seq: d.LastSeq + 1, MutationID: id, DeskID: a.store.DeskID(), Operator: operator, Entity: entity,
			EntityUID: expand(uid), Op: op, CreatedAt: time.Now().UTC().Format(time.RFC3339Nano), Auth: auth}
		m.Payload = json.RawMessage(payload)
		if !json.Valid(payload) {
			m.Payload, _ = json.Marshal(string(payload))
		}
		if json.Valid(docs) {
			m.Docs = json.RawMessage(expand(string(bytes.TrimSpace(docs))))
		}
		_, err = a.syncer.Client.Push(ctx, []store.Mutation{m})
		var se *ServerError
		switch {
		case err == nil:
		case errors.As(err, &se) && se.Status < 500:
		default:
			t.Fatalf("push %+v: %v", m, err)
		}
		if got := held(t); got != want {
			t.Fatalf("a hostile push changed a clerk, a key or another desk:\n%s\nwas\n%s", got, want)
		}
	})
}
