package notify

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"sportello/queue"
	"sportello/store"
)

// Text is the translation of a message key in a language ("it", "en").
type Text func(lang, key string, args map[string]any) string

// Notifier sends the online queue's messages from the store's lists. A
// message that reaches the person by any channel is marked sent, so it is
// sent once; a failed one is tried again at the next round.
type Notifier struct {
	Store *store.Store
	Mail  *Mailer // nil: no email
	SMS   *SMS    // nil: the municipality has no SMS gateway
	Text  Text
	Now   func() time.Time
}

// Message keys (translated in assets/translations/online.*.json).
const (
	ReminderSubject = "Reminder: your appointment tomorrow"
	ReminderText    = "Your appointment for {{.Service}} is tomorrow, {{.Day}}, at {{.Time}}. Booking code: {{.Code}}. {{.Bring}}"
	BringText       = "Please bring: {{.Bring}}"
	NearSubject     = "Your turn is near"
	NearText        = "Ticket {{.Label}}: {{.Ahead}} people ahead of you, about {{.Minutes}} minutes. Check in at the kiosk with the code {{.Code}} if you have not yet."
)

// errMail stands for a failed email in the log.
var errMail = errors.New("the email could not be sent: check the SMTP settings and the server's log")

// send sends one message by email and SMS where each is set and the
// person gave the contact; it reports whether any channel took it.
func (n *Notifier) send(ctx context.Context, email, mobile, subject, text string) (bool, error) {
	var errs []error
	ok := false
	if email != "" && n.Mail != nil {
		if err := n.Mail.Send(ctx, email, subject, text); err != nil {
			// The SMTP client's errors may name the address: not for a log.
			errs = append(errs, errMail)
		} else {
			ok = true
		}
	}
	if mobile != "" && n.SMS != nil {
		if err := n.SMS.Send(ctx, mobile, text); err != nil {
			errs = append(errs, err)
		} else {
			ok = true
		}
	}
	return ok, errors.Join(errs...)
}

// SendTo sends one message to an email or a mobile number, whichever
// the notifier can reach (the portal's codes for guests).
func (n *Notifier) SendTo(ctx context.Context, email, mobile, subject, text string) error {
	ok, err := n.send(ctx, email, mobile, subject, text)
	if !ok && err == nil {
		err = errors.New("no channel reaches the person")
	}
	if ok {
		return nil
	}
	return err
}

// Remind sends the reminders of tomorrow's bookings not yet reminded and
// returns how many were sent.
func (n *Notifier) Remind(ctx context.Context) (int, error) {
	tomorrow := queue.DayOf(n.Now().AddDate(0, 0, 1))
	due, err := n.Store.DueReminders(ctx, tomorrow)
	if err != nil {
		return 0, err
	}
	office, err := n.Store.QueueOffice(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, b := range due {
		sv, _ := office.Service(b.Service)
		o, err := n.Store.OnlineService(ctx, b.Service)
		if err != nil {
			return sent, err
		}
		bring := ""
		if o.Bring != "" {
			bring = n.Text(b.Lang, BringText, map[string]any{"Bring": o.Bring})
		}
		text := n.Text(b.Lang, ReminderText, map[string]any{"Service": sv.Name, "Day": b.Day.Italian(), "Time": b.Slot.String(), "Code": b.Code, "Bring": bring})
		ok, err := n.send(ctx, b.Email, b.Mobile, n.Text(b.Lang, ReminderSubject, nil), text)
		if err != nil {
			errs = append(errs, fmt.Errorf("reminder of booking %d: %w", b.ID, err))
		}
		if ok {
			if err := n.Store.MarkReminded(ctx, b.ID); err != nil {
				return sent, err
			}
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// Near tells the holders of remote tickets who asked for it that their
// turn is near, and returns how many were told.
func (n *Notifier) Near(ctx context.Context) (int, error) {
	near, err := n.Store.NearTickets(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, rt := range near {
		text := n.Text(rt.Lang, NearText, map[string]any{"Label": rt.Ticket.Label, "Ahead": rt.Ahead, "Minutes": int(rt.Wait / time.Minute), "Code": rt.Code})
		ok, err := n.send(ctx, rt.Email, rt.Mobile, n.Text(rt.Lang, NearSubject, nil), text)
		if err != nil {
			errs = append(errs, fmt.Errorf("near message of ticket %d: %w", rt.Ticket.ID, err))
		}
		if ok {
			if err := n.Store.MarkNearSent(ctx, rt.Ticket.ID); err != nil {
				return sent, err
			}
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// Run sends the messages every interval until ctx ends; failures are
// logged (with the booking's or ticket's id only) and tried again.
func (n *Notifier) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := n.Near(ctx); err != nil {
			log.Printf("notify: %v", err)
		}
		if _, err := n.Remind(ctx); err != nil {
			log.Printf("notify: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
