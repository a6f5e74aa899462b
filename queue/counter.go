package queue

import "context"

// Picker is what the counter panel needs beyond Engine to work on a chosen
// ticket: call one waiting ticket out of order and list today's no-shows
// to reactivate one.
type Picker interface {
	CallTicket(ctx context.Context, operator, counter string, ticketID int64) (Ticket, error)
	QueueNoShows(ctx context.Context) ([]Ticket, error)
}
