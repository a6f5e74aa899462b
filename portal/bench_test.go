package portal

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"sportello/store"
)

// BenchmarkPages200 is 200 signed-in citizens opening a page at the same
// time, over and over, with no pause: the home page (the session and the
// name) and their record (the record read, the view written to the access
// log). It reports each page's p50 and p99.
func BenchmarkPages200(b *testing.B) {
	for name, path := range map[string]string{"home": "/", "record": "/record"} {
		b.Run(name, func(b *testing.B) { benchPages(b, path) })
	}
}

func benchPages(b *testing.B, benchPath string) {
	const citizens = 200
	st := testStore(b)
	p := testPortal(b, st, Config{})
	p.pageLimit = 1 << 30
	people, err := st.DemoCitizens(b.Context(), citizens)
	if err != nil || len(people) == 0 {
		b.Fatal(err)
	}
	sids := make([]string, citizens)
	for i := range sids {
		uid, err := st.PersonUID(b.Context(), people[i%len(people)].ID)
		if err != nil {
			b.Fatal(err)
		}
		sids[i] = randomHex(32)
		if err := st.NewPortalSession(b.Context(), store.PortalSession{IDHash: hashToken(sids[i]), PersonUID: uid, Provider: "test", CSRF: randomHex(32)}); err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: citizens}}
	var mu sync.Mutex
	var took []time.Duration
	b.ResetTimer()
	var wg sync.WaitGroup
	per := max(1, b.N/citizens)
	for i := range citizens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				req, _ := http.NewRequest(http.MethodGet, p.URL()+benchPath, nil)
				req.AddCookie(&http.Cookie{Name: p.sessionCookie(), Value: sids[i]})
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(start)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				mu.Lock()
				took = append(took, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	}
}
