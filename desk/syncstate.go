package desk

import (
	"time"

	"fyne.io/fyne/v2/lang"

	"sportello/registry"
)

// SyncView is the sync state as the top bar shows it.
type SyncView struct {
	OfflineSince time.Time // zero while the server answers
	LastSync     time.Time // zero: never synced
	Pending      int       // changes waiting to reach the server
	Rejected     int       // changes the server refused (shown until handled)
	Conflicts    int       // fields changed two ways, for a clerk to resolve
	Download     float64   // the first download of the register, 0 to 1; -1 when none runs
	// Refused is why the server refuses this desk (a message key: its
	// clock, its enrolment, ...), "" when it does not; RefusedArgs fill it.
	Refused     string
	RefusedArgs map[string]any
}

// Downloading reports whether the first download of the register runs.
func (v SyncView) Downloading() bool { return v.Download >= 0 && v.Download < 1 }

// Text is the top bar's line: online or offline since when, what waits,
// what needs a clerk.
func (v SyncView) Text() string {
	var text string
	switch {
	case v.Refused != "":
		text = translated(v.Refused, v.RefusedArgs)
	case v.Downloading():
		text = lang.L("Downloading the register: {{.Percent}}%", map[string]any{"Percent": int(v.Download * 100)})
	case !v.OfflineSince.IsZero():
		text = lang.L("Offline since {{.Time}}", map[string]any{"Time": hourMinute(v.OfflineSince)})
	case v.LastSync.IsZero():
		text = lang.L("Connecting to the server…")
	default:
		text = lang.L("Online · synced at {{.Time}}", map[string]any{"Time": hourMinute(v.LastSync)})
	}
	if v.Pending > 0 {
		text += " · " + lang.L("{{.N}} to send", map[string]any{"N": v.Pending})
	}
	if v.Conflicts > 0 {
		text += " · " + lang.L("{{.N}} conflicts", map[string]any{"N": v.Conflicts})
	}
	if v.Rejected > 0 {
		text += " · " + lang.L("{{.N}} refused", map[string]any{"N": v.Rejected})
	}
	return text
}

func hourMinute(t time.Time) string {
	local := t.In(registry.Rome)
	if local.YearDay() != time.Now().In(registry.Rome).YearDay() {
		return local.Format("02/01 15:04")
	}
	return local.Format("15:04")
}
