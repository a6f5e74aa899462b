package central

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"sportello/fault"
	"sportello/social"
	"sportello/store"
)

// socialDesk is a desk the server enabled for the social desk.
func (o *office) socialDesk(code string) *desk {
	o.t.Helper()
	d := o.newDesk(code)
	if err := o.server.SetDeskSocial(context.Background(), "admin", code, true); err != nil {
		o.t.Fatal(err)
	}
	return d
}

// openCase opens a case at the desk for the householder cf.
func openCase(t *testing.T, d *desk, cf string) social.Case {
	t.Helper()
	rec := d.record(t, cf)
	c, err := d.store.OpenCase(context.Background(), worker, social.Intake{
		PersonUID: rec.Person.UID, Type: social.HomeCare, Source: social.WalkIn, PresentingIssue: "Vive sola e non esce più",
		Priority: social.High, Consent: social.Consent{Given: true, Signed: true}, Worker: worker.Username,
		Documents: []social.Document{{Kind: social.DocISEE, Name: "isee.pdf", Content: []byte("%PDF-1.4\n%%EOF\n")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func hasCase(t *testing.T, d *desk, uid string) bool {
	t.Helper()
	_, err := d.store.CaseFile(context.Background(), worker, uid, social.PurposeCaseWork)
	if err != nil && fault.Code(err) != fault.NotFound {
		t.Fatal(err)
	}
	return err == nil
}

func TestSocialDataReachesOnlyTheSocialDesks(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	addClerks(t, o.server, worker)
	pua, front := o.socialDesk("D01"), o.newDesk("D02")
	pua.sync(t)
	front.sync(t)
	c := openCase(t, pua, someHouseholder(t, o.server, 0))
	if rep := pua.sync(t); rep.Rejected != 0 {
		t.Fatalf("the social desk's push: %+v", rep)
	}
	front.sync(t)
	if hasCase(t, front, c.UID) {
		t.Error("a desk not enabled for the social desk pulled a case")
	}
	t.Run("its pulls carry no social record", func(t *testing.T) {
		page, err := front.syncer.Client.Changes(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Docs {
			if strings.HasPrefix(d.Entity, "social_") {
				t.Fatalf("a pull carried %s", d.Entity)
			}
		}
	})
	t.Run("its snapshot is empty of them, and the social one is refused to it", func(t *testing.T) {
		info, err := front.syncer.Client.SnapshotInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fresh := o.newDesk("D05")
		if _, err := fresh.syncer.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if hasCase(t, fresh, c.UID) {
			t.Error("a new desk not enabled for the social desk got a case from the snapshot")
		}
		full, err := pua.syncer.Client.SnapshotInfo(ctx)
		if err != nil || full.Name == info.Name {
			t.Fatalf("the social desk's snapshot: %+v %v", full, err)
		}
		err = front.syncer.Client.DownloadSnapshot(ctx, full, filepath.Join(t.TempDir(), "s.db"), nil)
		var se *ServerError
		if !errors.As(err, &se) || se.Status != 404 {
			t.Errorf("a desk not enabled for the social desk downloaded its snapshot: %v", err)
		}
	})
	t.Run("its push of a social record is refused", func(t *testing.T) {
		doc, _ := json.Marshal(store.EditDocs{After: []store.Doc{{Entity: "social_note", UID: "01J00000000000000000000009",
			Fields: map[string]json.RawMessage{"author": json.RawMessage(`"x"`), "text": json.RawMessage(`"y"`), "case": json.RawMessage(`"` + c.UID + `"`)}}}})
		out, _ := front.store.Outbox(ctx, 0, 0)
		m := store.Mutation{Seq: out[len(out)-1].Seq + 1, MutationID: "01J0000000000000000000000A", DeskID: front.store.DeskID(), Operator: "clerk1",
			Entity: "social_note", EntityUID: "01J00000000000000000000009", Op: "create", Payload: []byte(`{}`), Docs: doc, CreatedAt: "2026-12-04T10:00:00.000000Z"}
		resp, err := front.syncer.Client.Push(ctx, []store.Mutation{m})
		if err != nil || len(resp.Results) != 1 || resp.Results[0].Status != store.PushRejected {
			t.Fatalf("push of a note: %+v %v", resp, err)
		}
		if _, ok, _ := o.server.Document(ctx, "social_note", "01J00000000000000000000009"); ok {
			t.Error("the server wrote the note")
		}
	})
	t.Run("a desk that loses the setting drops what it held", func(t *testing.T) {
		if err := o.server.SetDeskSocial(ctx, "admin", "D01", false); err != nil {
			t.Fatal(err)
		}
		pua.sync(t)
		if hasCase(t, pua, c.UID) {
			t.Error("the desk kept the case")
		}
		if err := o.server.SetDeskSocial(ctx, "admin", "D01", true); err != nil {
			t.Fatal(err)
		}
		pua.sync(t)
		if f, err := pua.store.CaseFile(ctx, worker, c.UID, social.PurposeCaseWork); err != nil || len(f.Documents) != 1 {
			t.Errorf("enabled again, the desk has the case back: %+v %v", f, err)
		}
	})
}
