package central

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
	"sportello/store"
)

func TestMarkPresentOverHTTP(t *testing.T) {
	o, rt := remoteTicketOffice(t)
	ctx := context.Background()
	d := o.enrol("D01")
	kiosk, err := d.IssueTicket(ctx, "clerk1", "A", false)
	if err != nil {
		t.Fatal(err)
	}
	// Who may send it: an enrolled desk only; unsigned, nothing changes.
	if status, body := o.raw(http.MethodPost, fmt.Sprintf("/v1/queue/tickets/%d/present", rt.Ticket.ID), nil, "{}"); status/100 != 4 {
		t.Errorf("unsigned present: %d %s", status, body)
	}
	if _, err := o.public().MarkPresent(ctx, "clerk1", rt.Ticket.ID); err == nil {
		t.Error("a kiosk's client marked a ticket present")
	}
	if still, _ := o.store.RemoteByToken(ctx, rt.Token); still.Ticket.State != queue.Remote {
		t.Fatalf("after refused requests: %+v", still.Ticket)
	}
	_, err = d.MarkPresent(ctx, "clerk1", kiosk.Ticket.ID)
	wantCode(t, "present on a kiosk ticket", err, fault.Conflict)
	got, err := d.MarkPresent(ctx, "clerk1", rt.Ticket.ID)
	if err != nil || got.State != queue.Waiting || got.ID != rt.Ticket.ID {
		t.Fatalf("present: %+v %v", got, err)
	}
	_, err = d.MarkPresent(ctx, "clerk1", rt.Ticket.ID)
	wantCode(t, "present twice", err, fault.Conflict)
}

// remoteTicketOffice is an office whose service A is open all day and takes
// tickets from home, with one such ticket taken.
func remoteTicketOffice(t *testing.T) (*queueOffice, store.RemoteTicket) {
	t.Helper()
	if now := time.Now().In(registry.Rome); now.Hour() == 23 && now.Minute() >= 55 {
		t.Skip("the queue's day would turn while the test runs")
	}
	o := newQueueOffice(t)
	ctx := context.Background()
	var hours []queue.Hours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		hours = append(hours, queue.Hours{Weekday: wd, Opens: 0, Closes: 23*60 + 59})
	}
	if err := o.store.SetServiceHours(ctx, "admin", "A", hours, 15); err != nil {
		t.Fatal(err)
	}
	if _, err := o.store.SaveOnlineService(ctx, "admin", queue.OnlineService{Service: "A", BookingLimit: 1, Remote: true, RemoteMaxWait: time.Hour, RemoteMaxWaiting: 5}); err != nil {
		t.Fatal(err)
	}
	rt, err := o.store.TakeRemote(ctx, store.Citizen{CF: "RSSMRA80A01H501U"}, "A", false)
	if err != nil {
		t.Fatal(err)
	}
	return o, rt
}
