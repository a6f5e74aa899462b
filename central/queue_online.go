package central

import (
	"context"

	"sportello/queue"
)

// MarkPresent is the clerk's "present" for a ticket taken from home whose
// holder is at the office (POST /v1/queue/tickets/{id}/present, an
// enrolled desk's signed request like every ticket action).
func (qc *QueueClient) MarkPresent(ctx context.Context, operator string, ticketID int64) (queue.Ticket, error) {
	return qc.ticket(ctx, operator, ticketID, "present", TicketRequest{})
}
