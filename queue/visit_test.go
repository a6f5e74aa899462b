package queue

import (
	"testing"
	"time"

	"sportello/registry"
)

func TestVisitKPIs(t *testing.T) {
	day := registry.NewDate(2026, 11, 26)
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	served := func(uid, label, service, counter string, minutes int) Ticket {
		return Ticket{UID: uid, Day: day, Label: label, Service: service, Counter: counter, Clerk: "lneri",
			StartedAt: at, EndedAt: at.Add(time.Duration(minutes) * time.Minute)}
	}
	tickets := []Ticket{
		served("t1", "A001", "A", "1", 10), // two certificates, then the social desk
		served("t1c", "A001", "C", "3", 30),
		served("t2", "A002", "A", "1", 4),                                // nothing recorded
		{UID: "t3", Day: day, Label: "A003", Service: "A", Counter: "1"}, // never served
	}
	step := func(ticket string, kind StepKind) VisitStep {
		return VisitStep{VisitRef: VisitRef{Day: day, TicketUID: ticket}, Kind: kind}
	}
	steps := []VisitStep{step("t1", StepRecord), step("t1", StepCertificate), step("t1", StepCertificate), step("t1c", StepSocial)}
	for _, tc := range []struct {
		name string
		key  func(Ticket) string
		want []VisitFigures
	}{
		{"by counter", func(t Ticket) string { return t.Counter }, []VisitFigures{
			{Key: "1", Visits: 2, Certificates: 2, PerVisit: 1, TwoServices: 1,
				ByKind: map[StepKind]time.Duration{StepRecord: 10 * time.Minute, StepCertificate: 10 * time.Minute}, Nothing: 4 * time.Minute},
			{Key: "3", Visits: 1, TwoServices: 1, ByKind: map[StepKind]time.Duration{StepSocial: 30 * time.Minute}},
		}},
		{"by clerk", func(t Ticket) string { return t.Clerk }, []VisitFigures{
			{Key: "lneri", Visits: 2, Certificates: 2, PerVisit: 1, TwoServices: 1,
				ByKind: map[StepKind]time.Duration{StepRecord: 10 * time.Minute, StepCertificate: 10 * time.Minute, StepSocial: 30 * time.Minute}, Nothing: 4 * time.Minute},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := VisitKPIs(tickets, steps, tc.key)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v", got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Key != w.Key || g.Visits != w.Visits || g.Certificates != w.Certificates || g.PerVisit != w.PerVisit ||
					g.TwoServices != w.TwoServices || g.Nothing != w.Nothing || len(g.ByKind) != len(w.ByKind) {
					t.Errorf("row %d: %+v, want %+v", i, g, w)
				}
				for k, d := range w.ByKind {
					if g.ByKind[k] != d {
						t.Errorf("row %d %s: %v, want %v", i, k, g.ByKind[k], d)
					}
				}
			}
		})
	}
}

func TestCountsRecordsOncePerPerson(t *testing.T) {
	steps := []VisitStep{
		{Kind: StepRecord, PersonUID: "p1"}, {Kind: StepRecord, PersonUID: "p1"}, {Kind: StepRecord, PersonUID: "p2"},
		{Kind: StepCertificate, PersonUID: "p1"}, {Kind: StepCertificate, PersonUID: "p1"},
	}
	n := Counts(steps)
	if n[StepRecord] != 2 || n[StepCertificate] != 2 {
		t.Errorf("counts %v, want 2 records and 2 certificates", n)
	}
}
