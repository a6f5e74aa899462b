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

func TestOfficeShowAndLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "server.db")
	runOK(t, "seed", "--db", db, "--people", "5")
	shown := runOK(t, "office", "show", "--db", db)
	for _, want := range []string{"code: A", "daily_cap: 300", "monday 08:30-12:30", "priority_run: 2", "services:"} {
		if !strings.Contains(shown, want) {
			t.Errorf("office show lacks %q:\n%s", want, shown)
		}
	}
	// The operator edits the file: a new service D at a new counter 4,
	// service A's cap and hours, the policy; and loads it back.
	edited := strings.Replace(shown, "daily_cap: 300", "daily_cap: 250", 1)
	edited = strings.Replace(edited, "priority_run: 2", "priority_run: 3", 1)
	file := filepath.Join(dir, "office.yaml")
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, "office", "load", "--db", db, file)
	jsonFile := filepath.Join(dir, "more.json")
	if err := os.WriteFile(jsonFile, []byte(`{"services":[{"code":"D","name":"Tributi","open":true,"position":4,"daily_cap":50,
"first_number":1,"last_number":200,"slot_minutes":20,"hours":["tuesday 09:00-12:00"]}],
"counters":[{"code":"4","name":"Sportello 4","services":["D","A"]}],
"settings":{"priority_run":3,"max_wait_minutes":30,"appointment_window_minutes":10,"within_minutes":20,"chime":false}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, "office", "load", "--db", db, jsonFile)
	st, err := store.Open(db, store.Options{DeskCode: "SRV"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	setups, _ := st.ServiceSetups(ctx)
	qs, _ := st.QueueSettings(ctx)
	st.Close()
	got := map[string]int{}
	for _, ss := range setups {
		got[ss.Service.Code] = ss.Service.DailyCap
		if ss.Service.Code == "D" && (len(ss.Hours) != 1 || ss.Hours[0].Weekday != time.Tuesday || len(ss.Counters) != 1 || ss.Counters[0] != "4") {
			t.Errorf("service D: %+v", ss)
		}
	}
	if got["A"] != 250 || got["D"] != 50 || got["B"] != 120 {
		t.Errorf("caps after the loads: %v", got)
	}
	if qs.PriorityRun != 3 || qs.MaxWait != 30*time.Minute || qs.Chime {
		t.Errorf("settings after the loads: %+v", qs)
	}
	for _, tc := range []struct {
		name, text, says string
	}{
		{"an unknown field", `{"services":[{"code":"E","colour":"red"}]}`, "colour"},
		{"a cap too big", `{"services":[{"code":"E","name":"E","daily_cap":5000,"first_number":1,"last_number":9,"slot_minutes":15}],"settings":{"within_minutes":20}}`, "1"},
		{"bad hours", `{"services":[{"code":"E","name":"E","daily_cap":5,"first_number":1,"last_number":9,"slot_minutes":15,"hours":["lunedi 9-12"]}],"settings":{"within_minutes":20}}`, "monday 08:30-12:30"},
		{"bad settings", `{"settings":{"within_minutes":0}}`, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.json")
			os.WriteFile(bad, []byte(tc.text), 0o600)
			var out, errOut bytes.Buffer
			if code := run([]string{"office", "load", "--db", db, bad}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), tc.says) {
				t.Errorf("exit %d: %s", code, errOut.String())
			}
			if after := runOK(t, "office", "show", "--db", db); strings.Contains(after, "code: E") {
				t.Error("a refused file changed the office")
			}
		})
	}
}
