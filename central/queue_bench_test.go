package central

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCallNextHTTP measures call-next over HTTP with 50 desks, each a
// signed client with its own counter, timed from the desk. It reports the
// 50th and 99th percentiles; the target is p99 <= 20 ms.
//
//   - working: the 50 desks work at once, each calling about once a
//     second (an office-wide 50 calls a second, far beyond a real
//     office's peak of a call every few seconds) and marking the ticket as
//     not shown; at least 5 calls a desk. The target applies here.
//   - burst: all 50 desks call at the same instant, round after round: the
//     last of them waits for the 49 calls before it, as the store has one
//     writer. For information.
func BenchmarkCallNextHTTP(b *testing.B) {
	const desks = 50
	o := newQueueOffice(b)
	services := o.office(12*999, desks, 3)
	clients := make([]*QueueClient, desks)
	for i := range clients {
		clients[i] = o.enrol(fmt.Sprintf("D%02d", i+1))
	}
	ctx := context.Background()
	var stock atomic.Int64
	// Tickets are spread over 12 services and a counter calls 3: keep a
	// margin so that no counter finds its lines empty.
	refill := func(tb testing.TB, n int) {
		for stock.Load() < int64(n+600) {
			o.issueMany(1000, services)
			stock.Add(1000)
		}
	}
	var round atomic.Int64
	call := func(tb testing.TB, i int) (time.Duration, int64) {
		t0 := time.Now()
		t, err := clients[i].CallNext(ctx, "clerk", fmt.Sprint(i+1), fmt.Sprintf("r%d-%d", round.Add(1), i))
		d := time.Since(t0)
		if err != nil {
			tb.Error(err)
			return d, 0
		}
		stock.Add(-1)
		return d, t.ID
	}
	noShow := func(tb testing.TB, i int, id int64) {
		if _, err := clients[i].NoShowTicket(ctx, "clerk", id); err != nil && id != 0 {
			tb.Error(err)
		}
	}
	report := func(b *testing.B, times []time.Duration) {
		if len(times) == 0 {
			return
		}
		slices.Sort(times)
		p50, p99 := times[len(times)/2], times[len(times)*99/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	}

	b.Run("working", func(b *testing.B) {
		per := max((b.N+desks-1)/desks, 5)
		refill(b, desks*per)
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		b.ResetTimer()
		for i := range desks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				next := time.Now().Add(time.Duration(rand.Int64N(int64(time.Second))))
				for range per {
					time.Sleep(time.Until(next))
					next = next.Add(time.Duration(800+rand.Int64N(400)) * time.Millisecond)
					d, id := call(b, i)
					mu.Lock()
					times = append(times, d)
					mu.Unlock()
					noShow(b, i, id)
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		report(b, times)
	})

	b.Run("burst", func(b *testing.B) {
		var times []time.Duration
		b.ResetTimer()
		for done := 0; done < b.N; done += desks {
			b.StopTimer()
			refill(b, desks)
			b.StartTimer()
			durations, called := make([]time.Duration, desks), make([]int64, desks)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range desks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					durations[i], called[i] = call(b, i)
				}()
			}
			close(start)
			wg.Wait()
			b.StopTimer()
			times = append(times, durations...)
			for i := range desks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					noShow(b, i, called[i])
				}()
			}
			wg.Wait()
			b.StartTimer()
		}
		b.StopTimer()
		report(b, times)
	})
}
