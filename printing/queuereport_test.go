package printing

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sportello/certificate"
	"sportello/queue"
	"sportello/registry"
)

func TestQueueReport(t *testing.T) {
	day := registry.NewDate(2026, 11, 26)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, registry.Rome) }
	served := func(service, counter string, arrived time.Time, wait, service_ time.Duration) queue.Ticket {
		called := arrived.Add(wait)
		return queue.Ticket{Day: day, Service: service, Counter: counter, Clerk: "lneri", State: queue.Done, ArrivedAt: arrived,
			FirstCalledAt: called, CalledAt: called, StartedAt: called.Add(time.Minute), EndedAt: called.Add(time.Minute + service_)}
	}
	tickets := []queue.Ticket{
		served("A", "1", at(9, 0), 2*time.Minute, 10*time.Minute),
		served("A", "1", at(9, 10), 4*time.Minute, 6*time.Minute),
		served("B", "2", at(10, 5), 25*time.Minute, 15*time.Minute),
		{Day: day, Service: "A", State: queue.NoShow, ArrivedAt: at(11, 0), FirstCalledAt: at(11, 40), CalledAt: at(11, 40), Counter: "1"},
		{Day: day, Service: "B", State: queue.Cancelled, ArrivedAt: at(11, 20)},
	}
	office := queue.Office{
		Services: []queue.Service{{Code: "A", Name: "Anagrafe e certificati"}, {Code: "B", Name: "Carta d'identità"}},
		Counters: []queue.Counter{{Code: "1", Name: "Sportello 1"}, {Code: "2", Name: "Sportello 2"}},
	}
	tickets[0].UID, tickets[1].UID, tickets[2].UID = "t1", "t2", "t3"
	tickets[0].Label, tickets[1].Label, tickets[2].Label = "A001", "A002", "A001" // A001 went on to B
	steps := []queue.VisitStep{
		{VisitRef: queue.VisitRef{Day: day, Label: "A001", TicketUID: "t1"}, Kind: queue.StepCertificate},
		{VisitRef: queue.VisitRef{Day: day, Label: "A001", TicketUID: "t1"}, Kind: queue.StepCertificate},
		{VisitRef: queue.VisitRef{Day: day, Label: "A001", TicketUID: "t3"}, Kind: queue.StepEdit},
	}
	r := QueueDay{Day: day, Office: office, Tickets: tickets, Within: queue.DefaultWithin, Desk: "D01", Steps: steps}
	m := certificate.Municipality{Code: "A269", Name: "Anagni", Office: "Sportello unico"}
	pdf, err := QueueReport(r, m, Letterhead{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	again, err := QueueReport(r, m, Letterhead{})
	if err != nil || !bytes.Equal(pdf, again) {
		t.Error("the same day gives different bytes")
	}
	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, want := range []string{
		"Comune di Anagni", "RAPPORTO GIORNALIERO DELLA CODA", "26/11/2026",
		"Totale 5 3 1 1", "A Anagrafe e certificati 3 2 1 0", "B Carta d'identità 2 1 0 1",
		"Sportello 1 3 2 1", "Mai chiamati 1 0 0 1",
		"0-3 1", "3-6 1", "24-27 1", "27 e oltre 1",
		"09:00-10:00 2", "10:00-11:00 1", "11:00-12:00 2",
		"Cosa hanno fatto le visite",
		// visits, certificates, per visit, two services, minutes by kind, minutes with nothing recorded
		"Anagrafe e 2 2 1.00 1 - 10.0 - - - 6.0", // the name wraps in its cell
		"B Carta d'identità 1 0 0.00 1 - - - 15.0 - -",
		"Sportello 2 1 0 0.00 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "lneri") {
		t.Error("the report names a clerk's username")
	}
}
