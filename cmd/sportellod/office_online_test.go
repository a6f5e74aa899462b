package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportello/store"
)

func TestOfficeOnlineLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "server.db")
	runOK(t, "seed", "--db", db, "--people", "5")
	shown := runOK(t, "office", "show", "--db", db)
	if !strings.Contains(shown, "online:\n  days_ahead: 30\n  near_ahead: 3\n  hold_minutes: 30") {
		t.Errorf("office show lacks the online rules:\n%s", shown)
	}
	file := filepath.Join(dir, "online.json")
	os.WriteFile(file, []byte(`{"services":[{"code":"A","name":"Anagrafe e certificati","open":true,"position":1,"daily_cap":300,
"first_number":1,"last_number":999,"slot_minutes":15,"hours":["monday 08:30-12:30"],
"online":{"bookable":true,"guests":true,"booking_limit":2,"remote":true,"remote_max_wait_minutes":45,"remote_max_waiting":10,"bring":"Carta d'identità"}}],
"settings":{"priority_run":2,"max_wait_minutes":45,"appointment_window_minutes":10,"within_minutes":20,"chime":true},
"online":{"days_ahead":14,"near_ahead":5,"hold_minutes":20}}`), 0o600)
	runOK(t, "office", "load", "--db", db, file)
	shown = runOK(t, "office", "show", "--db", db)
	for _, want := range []string{"days_ahead: 14", "booking_limit: 2", "remote_max_wait_minutes: 45", "bring: Carta d'identità"} {
		if !strings.Contains(shown, want) {
			t.Errorf("office show after the load lacks %q:\n%s", want, shown)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"settings":{"priority_run":5,"max_wait_minutes":45,"appointment_window_minutes":10,"within_minutes":20},
"online":{"days_ahead":0,"near_ahead":5,"hold_minutes":20}}`), 0o600)
	var out, errOut bytes.Buffer
	if code := run([]string{"office", "load", "--db", db, bad}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "180") {
		t.Errorf("bad online rules: exit %d: %s", code, errOut.String())
	}
	st, err := store.Open(db, store.Options{DeskCode: "SRV"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	rules, _ := st.OnlineSettings(ctx)
	qs, _ := st.QueueSettings(ctx)
	so, _ := st.OnlineService(ctx, "A")
	if rules.DaysAhead != 14 || rules.Hold != 20*time.Minute || qs.PriorityRun != 2 || !so.Guests || so.RemoteMaxWaiting != 10 {
		t.Errorf("after a refused file: %+v %+v %+v", rules, qs, so)
	}
}
