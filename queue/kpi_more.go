package queue

import (
	"time"

	"sportello/registry"
)

// WaitBucket is the width of the wait distribution's buckets.
const WaitBucket = 3 * time.Minute

// WaitBuckets counts the called tickets by their wait to the first call in
// buckets of width: [0, width), [width, 2·width)... The last of the n
// buckets also holds every longer wait. Tickets never called are not
// counted.
func WaitBuckets(tickets []Ticket, width time.Duration, n int) []int {
	if n <= 0 || width <= 0 {
		return nil
	}
	out := make([]int, n)
	for _, t := range tickets {
		if t.FirstCalledAt.IsZero() {
			continue
		}
		i := int(max(t.FirstCalledAt.Sub(t.ArrivedAt), 0) / width)
		out[min(i, n-1)]++
	}
	return out
}

// PerHour counts the tickets issued in each hour of the day, by the civil
// time in Europe/Rome of their arrival; a transfer is not a new ticket.
func PerHour(tickets []Ticket) [24]int {
	var out [24]int
	for _, t := range tickets {
		if t.ParentID != 0 || t.ArrivedAt.IsZero() {
			continue
		}
		out[t.ArrivedAt.In(registry.Rome).Hour()]++
	}
	return out
}
