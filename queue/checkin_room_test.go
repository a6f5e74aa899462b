package queue

import (
	"strings"
	"testing"
	"time"

	"sportello/fault"
	"sportello/registry"
)

// TestCheckInTooEarlySaysWhenItOpens: a person who comes too early on the
// day of the appointment is told when the kiosk will take the code.
func TestCheckInTooEarlySaysWhenItOpens(t *testing.T) {
	a := Appointment{Service: "A", Day: registry.NewDate(2026, 11, 26), Slot: 11*60 + 30, Minutes: 15, State: BookingBooked}
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"the same morning", time.Date(2026, 11, 26, 9, 0, 0, 0, registry.Rome), []string{"10:30", "11:30"}},
		{"the day before", time.Date(2026, 11, 25, 9, 0, 0, 0, registry.Rome), []string{"11:30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := a.CheckIn(tc.now)
			if fault.Code(err) != fault.Conflict {
				t.Fatalf("error %v", err)
			}
			key, data := fault.Message(err)
			msg := key
			for k, v := range data {
				msg = strings.ReplaceAll(msg, "{{."+k+"}}", v.(string))
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %s", msg, w)
				}
			}
		})
	}
	if err := a.CheckIn(time.Date(2026, 11, 26, 10, 31, 0, 0, registry.Rome)); err != nil {
		t.Errorf("within the hour before: %v", err)
	}
}
