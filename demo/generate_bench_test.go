package demo

import (
	"testing"
)

// BenchmarkGenerate measures the generator alone: people per second. The
// seed of 3,000,000 people must leave most of its 120 s to the database load.
func BenchmarkGenerate(b *testing.B) {
	const people = 200_000
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for h, err := range Generate(Config{People: people, Seed: 42}) {
			if err != nil {
				b.Fatal(err)
			}
			n += len(h.Members)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "people/s")
}
