package queue

import (
	"context"
	"slices"
	"time"

	"sportello/registry"
)

// A visit is one person's stop at the office: it opens when a ticket is
// served and keeps what was done for them, in every service the ticket
// went through. A transferred ticket keeps its day and label, so the visit
// is named by them and the next service sees what the first one did: the
// citizen tells their story once (DESIGN.md, "The desk window").

// VisitRef names the visit a served ticket belongs to, with where and by
// whom it is being served.
type VisitRef struct {
	Day       registry.Date
	Label     string // the ticket's label, kept through transfers
	TicketUID string // the ticket served now
	Service   string
	Counter   string
	Clerk     string
}

// Valid reports whether the reference names a visit.
func (v VisitRef) Valid() bool { return !v.Day.IsZero() && v.Label != "" && v.TicketUID != "" }

// Visit is the reference of the visit a ticket in service belongs to.
func (t Ticket) Visit() VisitRef {
	return VisitRef{Day: t.Day, Label: t.Label, TicketUID: t.UID, Service: t.Service, Counter: t.Counter, Clerk: t.Clerk}
}

// StepKind is a kind of thing done during a visit: the kinds of outcome.
type StepKind string

const (
	StepRecord          StepKind = "record"           // a record opened, with its purpose
	StepCertificate     StepKind = "certificate"      // a certificate issued
	StepSelfDeclaration StepKind = "self_declaration" // a self-declaration printed
	StepEdit            StepKind = "edit"             // a change to the register
	StepSocial          StepKind = "social"           // a social-desk case started or worked
)

// StepKinds are the kinds in the order the counter and the statistics show them.
var StepKinds = []StepKind{StepRecord, StepCertificate, StepSelfDeclaration, StepEdit, StepSocial}

// VisitStep is one thing done during a visit, recorded with the event it
// stands for.
type VisitStep struct {
	VisitRef
	At     time.Time
	Kind   StepKind
	Detail string // the purpose, the certificate's types and number, the edit, "open" or the social action
	// PersonUID is the person of the register the step concerns, if any;
	// Person is their name as the store reads it back.
	PersonUID string
	Person    string
	ClerkName string // the clerk's full name, as the store reads it back
}

// Visits is the record of what visits did. The store implements it. A
// desk opens the visit of the ticket its clerk serves and closes it when
// the ticket leaves the counter; while it is open, the register's views,
// certificates, edits and social-desk writes of that clerk are written as
// steps of the visit in the same transaction as their own effect.
type Visits interface {
	OpenVisit(operator string, v VisitRef)
	CloseVisit(operator string)
	// RecordVisitStep records a step that has no write of its own (a
	// self-declaration printed) in the visit the operator has open; nothing
	// without one.
	RecordVisitStep(ctx context.Context, operator string, kind StepKind, detail string) error
	// VisitSteps is what the visit of day and label did so far, in order.
	VisitSteps(ctx context.Context, day registry.Date, label string) ([]VisitStep, error)
	// VisitStepsBetween is every step of the days from..to, for statistics.
	VisitStepsBetween(ctx context.Context, from, to registry.Date) ([]VisitStep, error)
}

// Counts is how many steps of each kind steps hold; records count once a
// person (a record looked at again is the same record opened).
func Counts(steps []VisitStep) map[StepKind]int {
	n := map[StepKind]int{}
	seen := map[string]bool{}
	for _, s := range steps {
		if s.Kind == StepRecord {
			if seen[s.PersonUID] {
				continue
			}
			seen[s.PersonUID] = true
		}
		n[s.Kind]++
	}
	return n
}

// VisitFigures is what the visits served under one key (a service, a
// counter, a clerk) did.
type VisitFigures struct {
	Key          string
	Visits       int     // visits served under the key
	Certificates int     // certificates they issued
	PerVisit     float64 // certificates per visit
	TwoServices  int     // visits that needed two services or more
	// ByKind is the mean time at the counter of the visits that did a kind
	// of thing; Nothing is that of visits that recorded no step.
	ByKind  map[StepKind]time.Duration
	Nothing time.Duration
}

// VisitKPIs groups served tickets by key (a ticket served at a counter is
// a visit's part there) and tells what their visits did: the steps of each
// ticket, the services the whole visit went through, the mean time at the
// counter for each kind of outcome. Tickets never started are left out.
func VisitKPIs(tickets []Ticket, steps []VisitStep, key func(Ticket) string) []VisitFigures {
	type visitKey struct {
		day   registry.Date
		label string
	}
	byTicket := map[string][]VisitStep{}
	for _, s := range steps {
		byTicket[s.TicketUID] = append(byTicket[s.TicketUID], s)
	}
	services := map[visitKey]map[string]bool{}
	for _, t := range tickets {
		if t.StartedAt.IsZero() {
			continue
		}
		k := visitKey{t.Day, t.Label}
		if services[k] == nil {
			services[k] = map[string]bool{}
		}
		services[k][t.Service] = true
	}
	type acc struct {
		f       VisitFigures
		seen    map[visitKey]bool
		sum     map[StepKind]time.Duration
		n       map[StepKind]int
		nothing time.Duration
		nNone   int
	}
	groups := map[string]*acc{}
	var order []string
	for _, t := range tickets {
		if t.StartedAt.IsZero() || t.EndedAt.Before(t.StartedAt) {
			continue
		}
		g := groups[key(t)]
		if g == nil {
			g = &acc{f: VisitFigures{Key: key(t), ByKind: map[StepKind]time.Duration{}}, seen: map[visitKey]bool{},
				sum: map[StepKind]time.Duration{}, n: map[StepKind]int{}}
			groups[key(t)] = g
			order = append(order, key(t))
		}
		k := visitKey{t.Day, t.Label}
		if !g.seen[k] {
			g.seen[k] = true
			g.f.Visits++
			if len(services[k]) > 1 {
				g.f.TwoServices++
			}
		}
		took := t.EndedAt.Sub(t.StartedAt)
		counts := Counts(byTicket[t.UID])
		g.f.Certificates += counts[StepCertificate]
		if len(counts) == 0 {
			g.nothing += took
			g.nNone++
		}
		for kind := range counts {
			g.sum[kind] += took
			g.n[kind]++
		}
	}
	slices.Sort(order)
	out := make([]VisitFigures, 0, len(order))
	for _, k := range order {
		g := groups[k]
		if g.f.Visits > 0 {
			g.f.PerVisit = float64(g.f.Certificates) / float64(g.f.Visits)
		}
		for kind, sum := range g.sum {
			g.f.ByKind[kind] = sum / time.Duration(g.n[kind])
		}
		if g.nNone > 0 {
			g.f.Nothing = g.nothing / time.Duration(g.nNone)
		}
		out = append(out, g.f)
	}
	return out
}
