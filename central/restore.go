package central

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

// After a restore from a backup the server's queue lost what came after the
// copy (store/restore.go). Desks, kiosks and boards hold part of it: each
// QueueClient remembers the tickets it saw today and the highest number of
// each service, and when the queue's epoch changes (a restored server
// answers a new one) it reports them, signed, to POST /v1/queue/report.

// DeskStatus is the queue as a desk sees it, with the server's epoch: a
// desk that sees another epoch than before knows the server was restored.
type DeskStatus struct {
	queue.Status
	Epoch string `json:"epoch"`
}

// IssuedAnswer is a ticket issued at a desk or a kiosk, with the server's
// epoch: a kiosk, which only issues, learns of a restore from it.
type IssuedAnswer struct {
	queue.Issued
	Epoch string `json:"epoch"`
}

// QueueReport is what a device saw of today's queue before a restore.
type QueueReport struct {
	Day     string         `json:"day"`     // YYYY-MM-DD, Europe/Rome
	Numbers map[string]int `json:"numbers"` // the highest number seen, per service
	Tickets []queue.Ticket `json:"tickets"` // the tickets it holds, with uid and id
}

// QueueReportAnswer counts what the server gave back.
type QueueReportAnswer = store.QueueReportResult

// maxReportBytes bounds a report's body: MaxReportTickets tickets.
const maxReportBytes = 4 << 20

// handleReport takes a device's report after a restore. Only an enrolled
// device may send it (signed, checked before the body is read further),
// only on the day the server was restored, and it can only add: tickets the
// server lost (ids in the lost range, labels that match) and numbers a
// service could have given today.
func (q *queueAPI) handleReport(w http.ResponseWriter, r *http.Request) {
	var req QueueReport
	if !decode(w, r, maxReportBytes, &req) {
		return
	}
	day, err := registry.ParseDate(req.Day)
	if err != nil {
		q.s.writeFault(w, r, fault.New(fault.Invalid, "The report's day is not a date", nil))
		return
	}
	op := operator(r)
	if op == "" {
		op = requestDesk(r.Context()).DeskCode
	}
	res, err := q.s.store.ReportQueue(r.Context(), op, store.QueueReport{Day: day, Numbers: req.Numbers, Tickets: req.Tickets})
	if err == nil {
		q.s.log.Info("queue report", "desk", requestDesk(r.Context()).DeskID, "restored", res.Restored, "known", res.Known, "refused", res.Refused)
	}
	q.answer(w, r, res, err, err == nil && res.Restored > 0)
}

// errTicketLost is a ticket page's answer for a ticket the server gave
// before it was restored from a backup, that no device reported back.
var errTicketLost = fault.New(fault.NotFound, "This ticket was lost when the server was restored from a backup: please show it at a counter", nil)

// lostOr tells a ticket the store lost in a restore from one it never had.
func lostOr(ctx context.Context, s *Server, uid string, notFound error) error {
	if lost, err := s.store.LostInRestore(ctx, uid); err != nil {
		return err
	} else if lost {
		return errTicketLost
	}
	return notFound
}

// seenQueue is what a QueueClient saw of today's queue.
type seenQueue struct {
	mu      sync.Mutex
	epoch   string
	day     string
	numbers map[string]int
	tickets map[string]queue.Ticket // by uid
}

// today resets what was seen when the day turned; call with mu held.
func (s *seenQueue) today() string {
	day := queue.DayOf(time.Now()).String()
	if s.day != day {
		s.day, s.numbers, s.tickets = day, map[string]int{}, map[string]queue.Ticket{}
	}
	return day
}

func (s *seenQueue) number(service string, n int) {
	if n > s.numbers[service] {
		s.numbers[service] = n
	}
}

// ticket keeps the latest version of a ticket of today; call with mu held.
func (s *seenQueue) ticket(t queue.Ticket) {
	if t.UID == "" || t.Day.String() != s.day {
		return
	}
	s.number(t.Service, t.Number)
	if old, ok := s.tickets[t.UID]; !ok || old.Version <= t.Version {
		s.tickets[t.UID] = t
	}
}

// note keeps the tickets of an answer of the queue.
func (s *seenQueue) note(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.today()
	switch v := v.(type) {
	case *queue.Ticket:
		s.ticket(*v)
	case *queue.Issued:
		s.ticket(v.Ticket)
	case *IssuedAnswer:
		s.ticket(v.Ticket)
	case *[]queue.Ticket:
		for _, t := range *v {
			s.ticket(t)
		}
	case *DeskStatus:
		for _, l := range v.Lines {
			for _, t := range l.Next {
				s.ticket(t)
			}
		}
		for _, t := range v.Current {
			s.ticket(t)
		}
		for _, ts := range v.Held {
			for _, t := range ts {
				s.ticket(t)
			}
		}
		for _, t := range v.LastCall {
			s.ticket(t)
		}
	case *BoardStatus:
		if v.Day != s.day {
			return
		}
		for _, c := range v.Counters {
			if c.Current != nil {
				s.label(c.Current.Service, c.Current.Label)
			}
			for _, t := range c.Held {
				s.label(t.Service, t.Label)
			}
		}
		for _, t := range v.LastCalls {
			s.label(t.Service, t.Label)
		}
	case *QueueEvent:
		if queue.DayOf(v.At).String() == s.day {
			s.label(v.Service, v.Label)
		}
	}
}

// label keeps the number a board read on a ticket; call with mu held.
func (s *seenQueue) label(service, label string) {
	if n, err := strconv.Atoi(strings.TrimPrefix(label, service)); err == nil && strings.HasPrefix(label, service) {
		s.number(service, n)
	}
}

// report is what to tell a restored server; ok is false when nothing was
// seen today.
func (s *seenQueue) report() (QueueReport, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rep := QueueReport{Day: s.today(), Numbers: maps.Clone(s.numbers), Tickets: slices.Collect(maps.Values(s.tickets))}
	slices.SortFunc(rep.Tickets, func(a, b queue.Ticket) int { return int(a.ID - b.ID) })
	// The latest, if it saw more than a report carries: the lost ones
	// came last.
	rep.Tickets = rep.Tickets[max(0, len(rep.Tickets)-store.MaxReportTickets):]
	return rep, len(rep.Numbers) > 0
}

// noticeEpoch compares the server's epoch with the one this client knew:
// a new one means the server was restored, and the client reports what it
// saw; reported says it did. The first epoch seen is only kept.
func (qc *QueueClient) noticeEpoch(ctx context.Context, epoch string) (reported bool, err error) {
	qc.seen.mu.Lock()
	known := qc.seen.epoch
	qc.seen.epoch = epoch
	qc.seen.mu.Unlock()
	// Only an enrolled device may report (a client with no key reads the
	// public routes only).
	if known == "" || epoch == "" || known == epoch || qc.c.key == nil {
		return false, nil
	}
	rep, ok := qc.seen.report()
	if !ok {
		return false, nil
	}
	var a QueueReportAnswer
	if err := qc.do(ctx, http.MethodPost, "/v1/queue/report", "", rep, &a); err != nil {
		if errors.Is(err, ErrUnreachable) {
			// Told again at the next answer with the new epoch; a
			// refusal is final.
			qc.seen.mu.Lock()
			qc.seen.epoch = known
			qc.seen.mu.Unlock()
		}
		return false, err
	}
	return true, nil
}

// sawBoard keeps the numbers a board's picture shows.
func (qc *QueueClient) sawBoard(st BoardStatus) { qc.seen.note(&st) }
