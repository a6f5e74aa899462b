// Package queue is the in-person queue's domain: the office's services and
// counters, tickets and their state machine, the policy that picks the next
// ticket a counter calls, and the estimate of the wait printed on a ticket.
// It imports nothing of SQL or Fyne; the store keeps tickets and events, the
// desk shows them.
package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"sportello/fault"
	"sportello/registry"
)

// State is where a ticket is in its life (DOMAIN.md, "Queue").
type State string

const (
	Waiting     State = "waiting"
	Called      State = "called"
	Serving     State = "serving"
	Done        State = "done"
	NoShow      State = "no_show"
	Cancelled   State = "cancelled"
	Transferred State = "transferred"
	OnHold      State = "on_hold"
	Closed      State = "closed" // still open at the daily reset
)

// Open reports whether a ticket in state s still waits for something to
// happen today; the daily reset closes such tickets.
func (s State) Open() bool {
	return s == Waiting || s == Called || s == Serving || s == OnHold || s == Remote
}

// Action is a transition of the state machine; each one is an event.
type Action string

const (
	ActIssue      Action = "issue"
	ActCall       Action = "call"
	ActRecall     Action = "recall"
	ActStart      Action = "start"
	ActFinish     Action = "finish"
	ActNoShow     Action = "no_show"
	ActReactivate Action = "reactivate"
	ActTransfer   Action = "transfer"
	ActHold       Action = "hold"
	ActResume     Action = "resume"
	ActCancel     Action = "cancel"
	ActClose      Action = "close"
	// ActRestore gives back to a server restored from a backup a ticket
	// that a desk or a kiosk still held: no transition, the ticket as it was.
	ActRestore Action = "restore"
)

// transitions maps an action and the state it starts from to the state it
// leads to.
var transitions = map[Action]map[State]State{
	ActCall:       {Waiting: Called},
	ActRecall:     {Called: Called},
	ActStart:      {Called: Serving},
	ActFinish:     {Serving: Done},
	ActNoShow:     {Called: NoShow},
	ActReactivate: {NoShow: Waiting},
	ActTransfer:   {Serving: Transferred},
	ActHold:       {Serving: OnHold},
	ActResume:     {OnHold: Called},
	ActCancel:     {Waiting: Cancelled},
	ActClose:      {Waiting: Closed, Called: Closed, Serving: Closed, OnHold: Closed},
}

// Next returns the state action leads to from state from, or a
// fault.Conflict error when the state machine does not allow it.
func Next(from State, action Action) (State, error) {
	to, ok := transitions[action][from]
	if !ok {
		return "", ErrState
	}
	return to, nil
}

// ErrState refuses a transition the ticket's state does not allow, also
// when another counter changed the ticket meanwhile.
// ErrUnreachable marks the failures of a queue kept elsewhere (the
// central server's) that did not answer: the desk may then work its own.
var ErrUnreachable = errors.New("the office queue did not answer")

var ErrState = fault.New(fault.Conflict, "The ticket is no longer in a state that allows this: the list has been refreshed", nil)

// Service is a line of the office: its tickets carry its prefix.
type Service struct {
	ID       int64
	Code     string // prefix letter(s), "A"
	Name     string // "Anagrafe e certificati"
	DailyCap int    // tickets a day at most
	Open     bool   // the kiosk offers it
	Position int    // order on the kiosk and the board
}

// Validate checks a service before it is saved.
func (s Service) Validate() error {
	if len(s.Code) < 1 || len(s.Code) > 2 {
		return fault.New(fault.Invalid, "The service prefix must be one or two letters", nil)
	}
	for _, r := range s.Code {
		if r < 'A' || r > 'Z' {
			return fault.New(fault.Invalid, "The service prefix must be one or two letters", nil)
		}
	}
	if s.Name == "" {
		return fault.New(fault.Invalid, "The service name is required", nil)
	}
	if s.DailyCap < 1 || s.DailyCap > 999 {
		return fault.New(fault.Invalid, "The daily cap must be between 1 and 999", nil)
	}
	return nil
}

// Counter is a desk that calls tickets of the services it serves.
type Counter struct {
	ID       int64
	Code     string   // "1"
	Name     string   // "Sportello 1"
	Services []string // codes of the services it calls, in no order
}

// Validate checks a counter before it is saved.
func (c Counter) Validate() error {
	if c.Code == "" || c.Name == "" {
		return fault.New(fault.Invalid, "The counter needs a code and a name", nil)
	}
	if len(c.Services) == 0 {
		return fault.New(fault.Invalid, "The counter must serve at least one service", nil)
	}
	return nil
}

// Office is the set-up of the queue: services and counters.
type Office struct {
	Services []Service
	Counters []Counter
}

// Service returns the service with the code, if any.
func (o Office) Service(code string) (Service, bool) {
	for _, s := range o.Services {
		if s.Code == code {
			return s, true
		}
	}
	return Service{}, false
}

// Ticket is one person's place in a line. It holds no name: the queue
// never knows who the person is.
type Ticket struct {
	ID            int64
	UID           string
	Day           registry.Date // civil day in Europe/Rome the ticket belongs to
	Label         string        // "A001"; a transferred ticket keeps its label
	Service       string        // code of the service it waits for now
	Number        int
	Priority      bool
	State         State
	ArrivedAt     time.Time
	AppointmentAt time.Time // zero for a walk-in
	FirstCalledAt time.Time
	CalledAt      time.Time // last call
	StartedAt     time.Time
	EndedAt       time.Time
	Counter       string // code of the counter that called it
	Clerk         string // username of the clerk who called it
	Recalls       int
	Outcome       string
	ParentID      int64 // the ticket it was transferred from
	Version       int64
	Remote        bool // taken from home (its channel), checked in or not
}

// Channel is how the ticket came to be.
func (t Ticket) Channel() Channel {
	switch {
	case t.Remote:
		return ChannelRemote
	case !t.AppointmentAt.IsZero():
		return ChannelAppointment
	}
	return ChannelKiosk
}

// Wait is the time from arrival to the first call, zero if never called.
func (t Ticket) Wait() time.Duration {
	if t.FirstCalledAt.IsZero() {
		return 0
	}
	return t.FirstCalledAt.Sub(t.ArrivedAt)
}

// Label formats a ticket's label: the prefix and three digits.
func Label(prefix string, number int) string {
	return fmt.Sprintf("%s%03d", prefix, number)
}

// DayOf is the queue day of an instant: the civil date in Europe/Rome, so
// numbering restarts at local midnight whatever the daylight-saving time.
func DayOf(t time.Time) registry.Date {
	return registry.DateOf(t.In(registry.Rome))
}

// Event is one transition, numbered by the store so that boards and panels
// follow the queue and catch up after a gap.
type Event struct {
	Seq      int64
	At       time.Time
	Action   Action
	TicketID int64
	Label    string
	Service  string
	Counter  string
	State    State // the state the ticket is in after the event
	Priority bool
}

// Issued is what the kiosk prints.
type Issued struct {
	Ticket  Ticket
	Service Service
	Ahead   int           // tickets waiting before it in its service
	Wait    time.Duration // estimated wait
}

// ServiceLine is the state of one service's line.
type ServiceLine struct {
	Service Service
	Waiting int
	Next    []Ticket // the first waiting tickets, in arrival order
}

// Status is a snapshot of the office's queue: what the counter panel and
// the board show.
type Status struct {
	Seq      int64 // the last event included
	Day      registry.Date
	Lines    []ServiceLine
	Current  map[string]Ticket // by counter code: the ticket called, served or on hold there
	Held     map[string][]Ticket
	LastCall []Ticket // most recent first
	// Remote is today's tickets taken from home whose holders have not
	// checked in yet, in order of issue: a clerk marks them present.
	Remote []Ticket
}

// Engine is what the desk, the kiosk and the board need from the queue.
// The store implements it; every method that changes a ticket is one
// compare-and-set transaction that records an event.
type Engine interface {
	QueueOffice(ctx context.Context) (Office, error)
	IssueTicket(ctx context.Context, operator string, service string, priority bool) (Issued, error)
	// CallNext calls the next ticket for the counter by the policy. callID
	// makes it idempotent: the same callID returns the same ticket.
	CallNext(ctx context.Context, operator, counter, callID string) (Ticket, error)
	RecallTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	StartTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	FinishTicket(ctx context.Context, operator string, ticketID int64, outcome string) (Ticket, error)
	NoShowTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	ReactivateTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	TransferTicket(ctx context.Context, operator string, ticketID int64, service string) (Ticket, error)
	HoldTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	ResumeTicket(ctx context.Context, operator string, ticketID int64, counter string) (Ticket, error)
	CancelTicket(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	// MarkPresent is the clerk's "present" for a ticket taken from home
	// whose holder is at the office: it waits in its line from then on.
	MarkPresent(ctx context.Context, operator string, ticketID int64) (Ticket, error)
	QueueStatus(ctx context.Context) (Status, error)
	QueueEvents(ctx context.Context, after int64, limit int) ([]Event, error)
	QueueSeq(ctx context.Context) (int64, error)
	// QueueTickets returns the tickets of the days from..to, for statistics.
	QueueTickets(ctx context.Context, from, to registry.Date) ([]Ticket, error)
}
