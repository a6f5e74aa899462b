package desk

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sportello/queue"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 0.5 }

func TestBarChart(t *testing.T) {
	test.NewTempApp(t)
	c := newChart(barChart, "Biglietti", "")
	c.Resize(fyne.NewSize(400, 300))
	c.SetData([]string{"09", "10", "11", "12"}, []float64{1, 2, 4, 0})
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	r.Layout(c.Size())
	if len(r.bars) != 4 || len(r.labels) != 4 || r.labels[2].Text != "11" {
		t.Fatalf("%d bars, %d labels", len(r.bars), len(r.labels))
	}
	h := func(i int) float32 { return r.bars[i].Size().Height }
	if h(2) <= 0 || !near(h(1)*2, h(2)) || !near(h(0)*4, h(2)) || h(3) != 0 {
		t.Errorf("bar heights %v %v %v %v, want in the ratio 1:2:4:0", h(0), h(1), h(2), h(3))
	}
	// Bars stand on the same base line, left to right in data order.
	base := func(i int) float32 { return r.bars[i].Position().Y + h(i) }
	if !near(base(0), base(2)) || r.bars[0].Position().X >= r.bars[1].Position().X {
		t.Errorf("bars not aligned: bases %v %v, x %v %v", base(0), base(2), r.bars[0].Position().X, r.bars[1].Position().X)
	}
	if r.scale.Text != "4" {
		t.Errorf("scale %q, want the largest value", r.scale.Text)
	}
	// New data with fewer values redraws the bars.
	c.SetData([]string{"A"}, []float64{3})
	r.Layout(c.Size())
	if len(r.bars) != 1 || r.bars[0].Size().Height <= 0 || r.scale.Text != "3" {
		t.Errorf("after new data: %d bars, scale %q", len(r.bars), r.scale.Text)
	}
}

func TestLineChart(t *testing.T) {
	test.NewTempApp(t)
	c := newChart(lineChart, "Attesa mediana", "min")
	c.Resize(fyne.NewSize(400, 300))
	c.SetData([]string{"24/11", "25/11", "26/11"}, []float64{10, 0, 5})
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	r.Layout(c.Size())
	if len(r.points) != 3 || len(r.segments) != 2 || len(r.bars) != 0 {
		t.Fatalf("%d points, %d segments", len(r.points), len(r.segments))
	}
	y := func(i int) float32 { return r.points[i].Position().Y + r.points[i].Size().Height/2 }
	base := r.axis.Position1.Y
	if !near(y(1), base) || !near(base-y(2), (base-y(0))/2) || y(0) >= y(2) {
		t.Errorf("point heights above the axis %v %v %v, want 10:0:5", base-y(0), base-y(1), base-y(2))
	}
	// The segments join the points.
	if !near(r.segments[0].Position1.Y, y(0)) || !near(r.segments[0].Position2.Y, y(1)) || !near(r.segments[1].Position2.Y, y(2)) {
		t.Errorf("segments %v-%v, %v-%v", r.segments[0].Position1, r.segments[0].Position2, r.segments[1].Position1, r.segments[1].Position2)
	}
	if r.scale.Text != "10 min" {
		t.Errorf("scale %q", r.scale.Text)
	}
}

// TestQueueStatsChartsAndSettings: the statistics use the threshold the
// supervisor set, show the counters' pause and idle times, and draw the
// day's tickets per hour and waits.
func TestQueueStatsChartsAndSettings(t *testing.T) {
	ctx := context.Background()
	st := queueStore(t)
	qs := queue.DefaultSettings
	qs.Within = 15 * time.Minute
	if _, err := st.SaveQueueSettings(ctx, "sbruno", qs); err != nil {
		t.Fatal(err)
	}
	for _, sv := range []string{"A", "A", "B"} {
		issueTicket(t, st, sv, false)
	}
	tk, err := st.CallNext(ctx, "lneri", "1", "call-1")
	if err != nil {
		t.Fatal(err)
	}
	st.StartTicket(ctx, "lneri", tk.ID)
	st.FinishTicket(ctx, "lneri", tk.ID, "")
	if _, err := st.PauseCounter(ctx, "lneri", "1", queue.Break); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EndPause(ctx, "lneri", "1"); err != nil {
		t.Fatal(err)
	}

	test.NewTempApp(t)
	q := &uiQueue{}
	s := newQueueStatsScreen(st, q.do, time.Now)
	w := test.NewTempWindow(t, s.buildUI())
	w.Resize(fyne.NewSize(1200, 800))
	s.onRefresh()
	waitUI(t, q, "the figures", func() bool { return len(s.rows) == 3 })
	if hs := s.headers(); hs[13] != "Entro 15 min" {
		t.Errorf("threshold header %q", hs[13])
	}
	if !strings.Contains(s.summary.Text, "entro 15 minuti") {
		t.Errorf("summary %q", s.summary.Text)
	}
	if s.cell(0, 14) != "" {
		t.Errorf("pause time by service: %q", s.cell(0, 14))
	}
	// The hour chart has the three tickets in this hour; the service chart
	// a bar per service; the trend a point per hour.
	total := 0.0
	for _, v := range s.hourChart.values {
		total += v
	}
	if total != 3 || len(s.hourChart.values) != len(s.trendChart.values) {
		t.Errorf("hour chart %v %v, trend %v", s.hourChart.labels, s.hourChart.values, s.trendChart.values)
	}
	if len(s.serviceChart.labels) != 2 || s.serviceChart.labels[0] != "A" {
		t.Errorf("service chart %v", s.serviceChart.labels)
	}

	// By counter: counter 1 was busy, then paused; the pause columns say so.
	s.groupBy.SetSelected(s.groupings()[1])
	waitUI(t, q, "the counters", func() bool { return s.activity != nil })
	row := -1
	for i, r := range s.rows {
		if r.Key == "1" {
			row = i
		}
	}
	if row < 0 || s.cell(row, 14) == "" || s.cell(row, 16) == "" {
		t.Errorf("counter 1 row %d: paused %q idle %q", row, s.cell(max(row, 0), 14), s.cell(max(row, 0), 16))
	}
	if a := s.activity["1"]; a.Busy <= 0 || a.Paused <= 0 || a.Working < a.Busy+a.Paused {
		t.Errorf("counter 1 activity %+v", a)
	}
	if _, ok := s.activity["3"]; ok {
		t.Error("activity for counter 3, which did nothing")
	}
	// A period of days draws one point per day.
	s.period.SetSelected(s.periods()[1])
	waitUI(t, q, "the week", func() bool { return s.from != s.to })
	waitUI(t, q, "the week's trend", func() bool { return len(s.trendChart.values) == 7 })
}
