package desk

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/queue"
)

func TestQueueStatsCSV(t *testing.T) {
	ctx := context.Background()
	st := queueStore(t)
	for _, sv := range []string{"A", "A", "B"} {
		issueTicket(t, st, sv, false)
	}
	tk, err := st.CallNext(ctx, "lneri", "1", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	st.StartTicket(ctx, "lneri", tk.ID)
	st.FinishTicket(ctx, "lneri", tk.ID, "")

	test.NewTempApp(t)
	q := &uiQueue{}
	s := newQueueStatsScreen(st, q.do, time.Now)
	s.win = test.NewTempWindow(t, s.buildUI())
	s.win.Resize(fyne.NewSize(1200, 600))
	if !s.export.Disabled() {
		t.Error("export before any figure")
	}
	s.onRefresh()
	waitUI(t, q, "the figures", func() bool { return len(s.rows) == 3 && !s.export.Disabled() })
	var b bytes.Buffer
	if err := s.writeCSV(&b); err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(strings.TrimSpace(b.String()), "\n\n")
	if len(blocks) != 3 {
		t.Fatalf("%d blocks in\n%s", len(blocks), b.String())
	}
	summary := strings.Split(blocks[0], "\n")
	if len(summary) != 4 || !strings.HasPrefix(summary[0], "Fila,Biglietti,Serviti") || !strings.HasPrefix(summary[1], "Tutti,3,1,0,0,") || !strings.HasPrefix(summary[2], "A,2,1") {
		t.Errorf("summary block:\n%s", blocks[0])
	}
	waits := strings.Split(blocks[1], "\n")
	if len(waits) != 1+waitBuckets || waits[0] != "Attesa (minuti),Biglietti" || waits[1] != "0-3,1" || waits[2] != "3-6,0" || waits[waitBuckets] != "≥ 27,0" {
		t.Errorf("wait block:\n%s", blocks[1])
	}
	hours := strings.Split(blocks[2], "\n")
	if len(hours) != 2 || hours[0] != "Ora,Biglietti emessi" || !strings.HasSuffix(hours[1], ":00,3") {
		t.Errorf("hour block:\n%s", blocks[2])
	}
	// The daily report of the same day.
	if s.report.Disabled() || len(s.todays()) != 3 {
		t.Fatalf("report button disabled or %d tickets today", len(s.todays()))
	}
	s.office = Office{Municipality: "Comune di Anagni", Office: "Sportello unico", DeskCode: "D01"}
	office, err := st.QueueOffice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := s.reportPDF(office, s.todays(), s.to)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("report: %d bytes, %v", len(pdf), err)
	}
	if name := s.exportName(); name != "statistiche-coda-"+queue.DayOf(time.Now()).String()+".csv" {
		t.Errorf("file name %q", name)
	}
}
