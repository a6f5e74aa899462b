package queue

import (
	"context"
	"time"

	"sportello/registry"
)

// PauseKind is why a counter stops calling for a while.
type PauseKind string

const (
	Break      PauseKind = "pause"       // the clerk is away
	BackOffice PauseKind = "back_office" // the clerk works on files, not at the public
)

// Pause is a stretch of time a counter did not call; End is zero while it
// lasts. Calls are per counter, so a pause skips nobody: it is a state the
// office sees and the statistics count.
type Pause struct {
	UID     string
	Counter string
	Day     registry.Date
	Kind    PauseKind
	Clerk   string
	Start   time.Time
	End     time.Time
}

// Pauser is what the counter panel and the office view need to pause a
// counter and see who is paused.
type Pauser interface {
	PauseCounter(ctx context.Context, operator, counter string, kind PauseKind) (Pause, error)
	EndPause(ctx context.Context, operator, counter string) (Pause, error)
	// OpenPauses returns today's pauses still running, by counter code.
	OpenPauses(ctx context.Context) (map[string]Pause, error)
}
