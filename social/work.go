package social

import (
	"strings"
	"time"
	"unicode/utf8"

	"sportello/fault"
	"sportello/registry"
)

// Note is an entry of a case's diary: append-only, signed by its author and
// time. A correction is a new note.
type Note struct {
	UID     string
	CaseUID string
	Author  string    // username
	At      time.Time // UTC
	Text    string
}

// Validate checks the text of a note.
func (n *Note) Validate() error {
	n.Text = strings.TrimSpace(n.Text)
	switch {
	case n.Text == "":
		return fault.New(fault.Invalid, "Write the note", nil)
	case utf8.RuneCountInString(n.Text) > maxText:
		return fault.New(fault.Invalid, "The text is too long: shorten it", nil)
	}
	return nil
}

// ReferralStatus is where a referral to a service stands.
type ReferralStatus string

const (
	ReferralPending   ReferralStatus = "pending"
	ReferralAccepted  ReferralStatus = "accepted"
	ReferralRejected  ReferralStatus = "rejected"
	ReferralCompleted ReferralStatus = "completed"
)

// ReferralStatuses lists the statuses in their order.
var ReferralStatuses = []ReferralStatus{ReferralPending, ReferralAccepted, ReferralRejected, ReferralCompleted}

// referralMoves are the status changes a referral allows.
var referralMoves = map[ReferralStatus][]ReferralStatus{
	ReferralPending:  {ReferralAccepted, ReferralRejected, ReferralCompleted},
	ReferralAccepted: {ReferralCompleted, ReferralRejected},
}

// Referral sends the person to a service (home care, a day centre, the
// employment office...) and is followed up by a date.
type Referral struct {
	UID      string
	CaseUID  string
	Service  string
	Status   ReferralStatus
	FollowUp registry.Date // when to check how it went
	Note     string
	Version  int64
	// For the worker's list, filled by the store.
	CaseNumber Number
	PersonName string
}

// Validate checks a new referral on day today.
func (r *Referral) Validate(today registry.Date) error {
	r.Service, r.Note = strings.TrimSpace(r.Service), strings.TrimSpace(r.Note)
	if r.Status == "" {
		r.Status = ReferralPending
	}
	switch {
	case r.Service == "" || utf8.RuneCountInString(r.Service) > maxShort:
		return fault.New(fault.Invalid, "Write the service the person is referred to", nil)
	case !member(ReferralStatuses, r.Status):
		return fault.New(fault.Invalid, "Unknown referral status", nil)
	case !r.FollowUp.Valid():
		return fault.New(fault.Invalid, "Write the follow-up date (dd/mm/yyyy)", nil)
	case r.FollowUp.Before(today):
		return fault.New(fault.Invalid, "The follow-up date must be today or later", nil)
	case utf8.RuneCountInString(r.Note) > maxText:
		return fault.New(fault.Invalid, "The text is too long: shorten it", nil)
	}
	return nil
}

// SetStatus moves the referral to status to.
func (r *Referral) SetStatus(to ReferralStatus) error {
	if !member(referralMoves[r.Status], to) {
		return fault.New(fault.Conflict, "A referral cannot go from {{.From}} to {{.To}}", map[string]any{"From": string(r.Status), "To": string(to)})
	}
	r.Status = to
	return nil
}

// Open reports whether the referral still waits for an answer or an end.
func (r Referral) Open() bool { return r.Status == ReferralPending || r.Status == ReferralAccepted }

// Overdue reports whether an open referral's follow-up date has passed at
// instant now (a follow-up due today is not overdue yet).
func (r Referral) Overdue(now time.Time) bool {
	return r.Open() && r.FollowUp.Before(registry.DateOf(now.In(registry.Rome)))
}

// AppointmentState is where an appointment with a social worker stands.
type AppointmentState string

const (
	AppointmentBooked    AppointmentState = "booked"
	AppointmentArrived   AppointmentState = "arrived" // the person came: a queue ticket was issued
	AppointmentCancelled AppointmentState = "cancelled"
)

// Appointment is a meeting of the person with a social worker.
type Appointment struct {
	UID       string
	CaseUID   string
	Worker    string    // username
	At        time.Time // UTC
	Minutes   int
	Place     string // room or "home visit"
	State     AppointmentState
	TicketUID string // the queue ticket issued when the person arrived
	Version   int64
	// For the worker's list, filled by the store.
	CaseNumber Number
	PersonName string
}

// Validate checks a new appointment booked at instant now.
func (a *Appointment) Validate(now time.Time) error {
	a.Place = strings.TrimSpace(a.Place)
	if a.Minutes == 0 {
		a.Minutes = 30
	}
	switch {
	case strings.TrimSpace(a.Worker) == "":
		return fault.New(fault.Invalid, "Choose the social worker", nil)
	case a.At.IsZero():
		return fault.New(fault.Invalid, "Write the day and time of the appointment", nil)
	case a.At.Before(now):
		return fault.New(fault.Invalid, "The appointment must be in the future", nil)
	case a.Minutes < 10 || a.Minutes > 240:
		return fault.New(fault.Invalid, "The duration must be between 10 and 240 minutes", nil)
	case utf8.RuneCountInString(a.Place) > maxShort:
		return fault.New(fault.Invalid, "The text is too long: shorten it", nil)
	}
	return nil
}

// End is when the appointment ends.
func (a Appointment) End() time.Time { return a.At.Add(time.Duration(a.Minutes) * time.Minute) }

// Overlaps reports whether a and b are for the same worker at times that
// overlap.
func (a Appointment) Overlaps(b Appointment) bool {
	return a.Worker == b.Worker && a.At.Before(b.End()) && b.At.Before(a.End())
}

// Arrive records that the person came, with the ticket issued for them.
func (a *Appointment) Arrive(ticketUID string) error {
	if a.State != AppointmentBooked {
		return fault.New(fault.Conflict, "The appointment is not waiting for the person", nil)
	}
	a.State, a.TicketUID = AppointmentArrived, ticketUID
	return nil
}

// Cancel cancels a booked appointment.
func (a *Appointment) Cancel() error {
	if a.State != AppointmentBooked {
		return fault.New(fault.Conflict, "The appointment is not waiting for the person", nil)
	}
	a.State = AppointmentCancelled
	return nil
}

// Purpose is why a social worker opens a case; every view is logged with it.
type Purpose string

const (
	PurposeCaseWork    Purpose = "case_work"   // working the case: assessment, plan, notes
	PurposeAppointment Purpose = "appointment" // meeting the person
	PurposeFollowUp    Purpose = "follow_up"   // following up a referral
	PurposeReceipt     Purpose = "receipt"     // printing the receipt or the consent form for the person
)

// Purposes lists the purposes in the order the desk offers them.
var Purposes = []Purpose{PurposeCaseWork, PurposeAppointment, PurposeFollowUp, PurposeReceipt}

// Valid reports whether p is one of Purposes.
func (p Purpose) Valid() bool { return member(Purposes, p) }

// File is a case as its worker reads it: the case with its intake, and the
// notes, referrals and appointments, oldest first. Documents carry no
// content: it is read one document at a time.
type File struct {
	Case
	Notes        []Note
	Referrals    []Referral
	Appointments []Appointment
}
