package social

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
	"sportello/registry"
)

// Phase is where a case stands in the PUA's path.
type Phase string

const (
	PhaseIntake         Phase = "intake"         // accoglienza
	PhaseAssessment     Phase = "assessment"     // valutazione (UVM)
	PhasePlanning       Phase = "planning"       // progetto (PAI)
	PhaseImplementation Phase = "implementation" // attuazione
	PhaseMonitoring     Phase = "monitoring"     // monitoraggio
	PhaseClosed         Phase = "closed"         // chiusura
)

// Phases lists the phases in their order.
var Phases = []Phase{PhaseIntake, PhaseAssessment, PhasePlanning, PhaseImplementation, PhaseMonitoring, PhaseClosed}

// Valid reports whether p is one of Phases.
func (p Phase) Valid() bool { return member(Phases, p) }

// transitions are the phase changes Move allows: one step on, one step
// back to redo it, and from monitoring back to implementation when the plan
// needs changing. Closing and reopening are Close and Reopen.
var transitions = map[Phase][]Phase{
	PhaseIntake:         {PhaseAssessment},
	PhaseAssessment:     {PhasePlanning, PhaseIntake},
	PhasePlanning:       {PhaseImplementation, PhaseAssessment},
	PhaseImplementation: {PhaseMonitoring, PhasePlanning},
	PhaseMonitoring:     {PhaseImplementation},
}

// Next returns the phases a case in phase p may move to with Move.
func Next(p Phase) []Phase { return transitions[p] }

// ClosureReason is why a case was closed.
type ClosureReason string

const (
	GoalsAchieved ClosureReason = "goals_achieved"
	Partial       ClosureReason = "partial"
	Transferred   ClosureReason = "transferred"
	Ineligible    ClosureReason = "ineligible"
	LostContact   ClosureReason = "lost_contact"
	Deceased      ClosureReason = "deceased"
	OtherReason   ClosureReason = "other"
)

// ClosureReasons lists the closure reasons in the order the desk offers them.
var ClosureReasons = []ClosureReason{GoalsAchieved, Partial, Transferred, Ineligible, LostContact, Deceased, OtherReason}

// Valid reports whether r is one of ClosureReasons.
func (r ClosureReason) Valid() bool { return member(ClosureReasons, r) }

// Number is a case number: "SOC-2026-00042", a yearly sequence of the desk
// that took the intake. Desk is empty on a one-desk office; with more desks
// it keeps two desks from giving the same number offline
// ("SOC-D01-2026-00042").
type Number struct {
	Desk string
	Year int
	Seq  int
}

// String is the number as printed.
func (n Number) String() string {
	if n.Desk != "" {
		return fmt.Sprintf("SOC-%s-%04d-%05d", n.Desk, n.Year, n.Seq)
	}
	return fmt.Sprintf("SOC-%04d-%05d", n.Year, n.Seq)
}

// ParseNumber reads a case number as String writes it, in any case.
func ParseNumber(s string) (Number, error) {
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(s)), "-")
	bad := fault.New(fault.Invalid, "{{.Number}} is not a case number (SOC-2026-00042)", map[string]any{"Number": s})
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "SOC" {
		return Number{}, bad
	}
	var n Number
	if len(parts) == 4 {
		n.Desk = parts[1]
		parts = parts[1:]
		if n.Desk == "" {
			return Number{}, bad
		}
	}
	var err1, err2 error
	n.Year, err1 = strconv.Atoi(parts[1])
	n.Seq, err2 = strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || n.Year < 2000 || n.Year > 9999 || n.Seq < 1 {
		return Number{}, bad
	}
	return n, nil
}

// Case is a request followed from intake to closure.
type Case struct {
	ID     int64 // local row id, never sent
	UID    string
	Number Number
	Intake
	PersonName  string // "Surname Name" of the person or the visitor, for lists
	Phase       Phase
	OpenedAt    time.Time // UTC
	ClosedAt    time.Time // UTC; zero while open
	Closure     ClosureReason
	ClosureNote string
	Reopened    int // how many times it was reopened
	Version     int64
}

// Open reports whether the case is not closed.
func (c Case) Open() bool { return c.Phase != PhaseClosed }

// Move takes the case to phase to, as the transition table allows.
func (c *Case) Move(to Phase) error {
	switch {
	case c.Phase == PhaseClosed:
		return fault.New(fault.Conflict, "The case is closed: reopen it first", nil)
	case to == PhaseClosed:
		return fault.New(fault.Invalid, "Close the case with its reason", nil)
	case !to.Valid():
		return fault.New(fault.Invalid, "Unknown phase {{.Phase}}", map[string]any{"Phase": string(to)})
	case !member(transitions[c.Phase], to):
		return fault.New(fault.Conflict, "A case cannot go from {{.From}} to {{.To}}", map[string]any{"From": string(c.Phase), "To": string(to)})
	}
	c.Phase = to
	return nil
}

// Close closes an open case for reason at instant at; the note is required
// when the reason is "other".
func (c *Case) Close(reason ClosureReason, note string, at time.Time) error {
	note = strings.TrimSpace(note)
	switch {
	case c.Phase == PhaseClosed:
		return fault.New(fault.Conflict, "The case is already closed", nil)
	case !reason.Valid():
		return fault.New(fault.Invalid, "Choose why the case is closed", nil)
	case reason == OtherReason && note == "":
		return fault.New(fault.Invalid, "Explain in the note why the case is closed", nil)
	case len(note) > maxText:
		return fault.New(fault.Invalid, "The text is too long: shorten it", nil)
	}
	c.Phase, c.Closure, c.ClosureNote, c.ClosedAt = PhaseClosed, reason, note, at.UTC()
	return nil
}

// Reopen takes a closed case back to intake; its history stays.
func (c *Case) Reopen() error {
	if c.Phase != PhaseClosed {
		return fault.New(fault.Conflict, "Only a closed case can be reopened", nil)
	}
	c.Phase, c.Closure, c.ClosureNote, c.ClosedAt = PhaseIntake, "", "", time.Time{}
	c.Reopened++
	return nil
}

// OpenedOn is the day the case was opened, in Europe/Rome.
func (c Case) OpenedOn() registry.Date { return registry.DateOf(c.OpenedAt.In(registry.Rome)) }
