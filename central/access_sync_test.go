package central

import (
	"context"
	"fmt"
	"testing"

	"sportello/access"
	"sportello/social"
	"sportello/store"
)

func TestRecordViewsReachTheServerOnce(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 30)
	addClerks(t, o.server, worker, access.User{Username: "mverdi", FullName: "Marta Verdi", Role: access.Clerk})
	pua, front := o.socialDesk("D01"), o.newDesk("D02")
	pua.sync(t)
	front.sync(t)
	cf := someHouseholder(t, o.server, 0)
	c := openCase(t, pua, cf)
	if _, err := pua.store.CaseFile(ctx, worker, c.UID, social.PurposeCaseWork); err != nil {
		t.Fatal(err)
	}
	rec := front.record(t, cf)
	if err := front.store.LogAccess(ctx, clerk.Username, rec.Person.ID, access.PurposeCertificate); err != nil {
		t.Fatal(err)
	}
	other := front.record(t, someHouseholder(t, o.server, 1))
	if err := front.store.LogAccess(ctx, "mverdi", other.Person.ID, access.PurposeCounter); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*desk{pua, front} {
		if rep := d.sync(t); rep.Rejected != 0 {
			t.Fatalf("sync: %+v", rep)
		}
	}
	// The same mutations again (a desk that never heard the answer).
	out, _ := front.store.Outbox(ctx, 0, 0)
	if _, err := front.syncer.Client.Push(ctx, out); err != nil {
		t.Fatal(err)
	}
	all, err := o.server.Views(ctx, store.ViewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("the server's log holds %d views, want 3: %+v", len(all), all)
	}
	for _, tc := range []struct {
		name string
		f    store.ViewFilter
		want int
	}{
		{"by person", store.ViewFilter{CF: cf}, 2},
		{"by desk", store.ViewFilter{Desk: "d02"}, 2},
		{"by clerk", store.ViewFilter{Operator: worker.Username}, 1},
		{"by clerk and desk", store.ViewFilter{Operator: "mverdi", Desk: "D01"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := o.server.Views(ctx, tc.f)
			if err != nil || len(got) != tc.want {
				t.Errorf("%d views, want %d: %+v %v", len(got), tc.want, got, err)
			}
		})
	}
	var caseView store.ViewEntry
	for _, e := range all {
		if e.Kind == "social" {
			caseView = e
		}
	}
	if caseView.Desk != "D01" || caseView.Case != c.Number.String() || caseView.CF != cf || caseView.Purpose != string(social.PurposeCaseWork) {
		t.Errorf("the case view at the server: %+v", caseView)
	}
}

func TestHostileRecordViewsAreRefused(t *testing.T) {
	ctx := context.Background()
	o := newOffice(t, 10)
	front := o.newDesk("D02")
	front.sync(t)
	out, _ := front.store.Outbox(ctx, 0, 0)
	seq := int64(0)
	if len(out) > 0 {
		seq = out[len(out)-1].Seq
	}
	person := "01J00000000000000000000001"
	for _, tc := range []struct {
		name, operator, op, payload string
		malformed                   bool // refused with the whole push, no seq used
	}{
		{"a case view from a desk not enabled for the social desk", "clerk1", "view_case", `{"at":"2026-12-04T10:00:00.000000Z","subject":"` + person + `","purpose":"case_work"}`, false},
		{"an unknown purpose", "clerk1", "view", `{"at":"2026-12-04T10:00:00.000000Z","subject":"` + person + `","purpose":"curiosity"}`, false},
		{"an op that is no view", "clerk1", "delete", `{"at":"2026-12-04T10:00:00.000000Z","subject":"` + person + `","purpose":"counter"}`, false},
		{"a view by a clerk the server does not know", "mallory", "view", `{"at":"2026-12-04T10:00:00.000000Z","subject":"` + person + `","purpose":"counter"}`, false},
		{"no time", "clerk1", "view", `{"subject":"` + person + `","purpose":"counter"}`, false},
		{"no operator", "", "view", `{"at":"2026-12-04T10:00:00.000000Z","subject":"` + person + `","purpose":"counter"}`, true},
		{"a string payload", "clerk1", "view", `"x"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := store.Mutation{Seq: seq + 1, MutationID: fmt.Sprintf("01J%023d", seq+1), DeskID: front.store.DeskID(), Operator: tc.operator,
				Entity: "access_log", EntityUID: "01J0000000000000000000000B", Op: tc.op, Payload: []byte(tc.payload), CreatedAt: "2026-12-04T10:00:00.000000Z"}
			resp, err := front.syncer.Client.Push(ctx, []store.Mutation{m})
			if tc.malformed {
				if err == nil {
					t.Errorf("push of a malformed view accepted: %+v", resp)
				}
				return
			}
			seq++
			if err != nil || len(resp.Results) != 1 || resp.Results[0].Status != store.PushRejected {
				t.Errorf("push: %+v %v", resp, err)
			}
		})
	}
	if all, err := o.server.Views(ctx, store.ViewFilter{}); err != nil || len(all) != 0 {
		t.Errorf("the server logged %+v %v", all, err)
	}
}
