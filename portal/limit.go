package portal

import (
	"bytes"
	"net/http"
	"sync"
	"time"

	"sportello/assets"
)

// Rates per caller address and minute: any page, and the routes that start
// or finish a sign-in (each costs the provider and the database work).
const (
	pageRate   = 300
	signInRate = 20
)

// limiter counts requests per key in fixed one-minute windows.
type limiter struct {
	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

// maxTracked bounds the limiter's memory: past it, finished windows go.
const maxTracked = 100_000

func newLimiter() *limiter { return &limiter{windows: map[string]*window{}} }

// allow counts one request for key and reports whether it is within rate.
func (l *limiter) allow(key string, rate int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.windows) > maxTracked || now.Sub(l.swept) > 5*time.Minute {
		for k, w := range l.windows {
			if now.Sub(w.start) >= time.Minute {
				delete(l.windows, k)
			}
		}
		l.swept = now
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= time.Minute {
		if len(l.windows) > maxTracked {
			return false // every window is live: a flood
		}
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	return w.n <= rate
}

// fonts are the Titillium Web files the pages load, by file name.
var fonts = map[string][]byte{
	"titillium-400.ttf": assets.FontRegular,
	"titillium-600.ttf": assets.FontSemiBold,
	"titillium-700.ttf": assets.FontBold,
	"OFL.txt":           assets.FontLicence,
}

func handleFont(w http.ResponseWriter, r *http.Request) {
	data, ok := fonts[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, r.PathValue("name"), time.Time{}, bytes.NewReader(data))
}
