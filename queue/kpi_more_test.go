package queue

import (
	"slices"
	"testing"
	"time"

	"sportello/registry"
)

func TestWaitBuckets(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome)
	waited := func(d time.Duration) Ticket { return Ticket{ArrivedAt: at, FirstCalledAt: at.Add(d)} }
	tickets := []Ticket{
		waited(0), waited(2*time.Minute + 59*time.Second), // first bucket
		waited(3 * time.Minute),                         // second: a bucket includes its start
		waited(8 * time.Minute),                         // third
		waited(40 * time.Minute), waited(3 * time.Hour), // past the last: in the last
		{ArrivedAt: at}, // never called
	}
	tests := []struct {
		name  string
		width time.Duration
		n     int
		want  []int
	}{
		{"3 minutes, 5 buckets", WaitBucket, 5, []int{2, 1, 1, 0, 2}},
		{"one bucket", WaitBucket, 1, []int{6}},
		{"none", WaitBucket, 0, nil},
	}
	for _, tt := range tests {
		if got := WaitBuckets(tickets, tt.width, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPerHour(t *testing.T) {
	rome := func(h, m int) time.Time { return time.Date(2026, 3, 29, h, m, 0, 0, registry.Rome) }
	tickets := []Ticket{
		{ArrivedAt: rome(8, 59)},
		{ArrivedAt: rome(9, 0)}, {ArrivedAt: rome(9, 59).UTC()}, // UTC instants count in Rome time
		{ArrivedAt: rome(9, 30), ParentID: 1}, // a transfer
		{ArrivedAt: rome(3, 30)},              // the DST day: 03:30 is after the jump
	}
	got := PerHour(tickets)
	want := [24]int{}
	want[3], want[8], want[9] = 1, 1, 2
	if got != want {
		t.Errorf("per hour %v, want %v", got, want)
	}
}
