package central

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"sportello/fault"
	"sportello/queue"
	"sportello/registry"
)

// TestDeskStatusCarriesRemoteTickets: the office's queue tells a desk the
// tickets taken from home not yet checked in, and marks them once they wait,
// so the counter panel of a desk on a server can check them in.
func TestDeskStatusCarriesRemoteTickets(t *testing.T) {
	o, rt := remoteTicketOffice(t)
	ctx := context.Background()
	d := o.enrol("D01")
	st, err := d.QueueStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Remote) != 1 || st.Remote[0].ID != rt.Ticket.ID || !st.Remote[0].Remote || st.Lines[0].Waiting != 0 {
		t.Fatalf("before check-in: remote %+v, line %+v", st.Remote, st.Lines[0])
	}
	var e queue.Engine = d // the counter panel's path
	if _, err := e.MarkPresent(ctx, "clerk1", rt.Ticket.ID); err != nil {
		t.Fatal(err)
	}
	if st, err = d.QueueStatus(ctx); err != nil {
		t.Fatal(err)
	}
	if len(st.Remote) != 0 || len(st.Lines[0].Next) != 1 || st.Lines[0].Next[0].Channel() != queue.ChannelRemote {
		t.Fatalf("after check-in: remote %+v, line %+v", st.Remote, st.Lines[0])
	}
}

// TestChannelsOverHTTP: the channels' statistics are an enrolled desk's
// signed read, with the same range of days as the tickets'.
func TestChannelsOverHTTP(t *testing.T) {
	o := newQueueOffice(t)
	ctx := context.Background()
	d := o.enrol("D01")
	if _, err := d.IssueTicket(ctx, "clerk1", "A", false); err != nil {
		t.Fatal(err)
	}
	today := queue.DayOf(time.Now())
	if status, body := o.raw(http.MethodGet, "/v1/queue/desk/channels?from="+today.String()+"&to="+today.String(), nil, ""); status/100 != 4 {
		t.Errorf("unsigned read: %d %s", status, body)
	}
	if _, err := o.public().QueueChannels(ctx, today, today); err == nil {
		t.Error("a kiosk's client read the statistics")
	}
	_, err := d.QueueChannels(ctx, today, registry.DateOf(today.Time().AddDate(-2, 0, 0)))
	wantCode(t, "a range that ends before it starts", err, fault.Invalid)
	rep, err := d.QueueChannels(ctx, today, today)
	if err != nil {
		t.Fatal(err)
	}
	want, err := o.store.QueueChannels(ctx, today, today)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep, want) || rep.Channels[0].Channel != queue.ChannelKiosk || rep.Channels[0].Tickets != 1 {
		t.Errorf("channels over HTTP %+v, in the store %+v", rep, want)
	}
}
