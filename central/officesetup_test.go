package central

import (
	"context"
	"net/http"
	"testing"

	"sportello/access"
	"sportello/queue"
)

func TestOfficeSetUpAtTheServer(t *testing.T) {
	ctx := context.Background()
	o := newQueueOffice(t)
	for _, u := range []access.User{
		{Username: "capo", FullName: "Carla Capo", Role: access.Supervisor},
		{Username: "clerk1", FullName: "Carlo Sportello", Role: access.Clerk},
	} {
		if _, err := o.store.CreateUser(ctx, "admin", u, "una-password-lunga"); err != nil {
			t.Fatal(err)
		}
	}
	d := o.enrol("D01")
	setups, err := d.ServiceSetups(ctx)
	if err != nil || len(setups) != 3 {
		t.Fatalf("the set-up read at the desk: %+v %v", setups, err)
	}
	a := setups[0]
	a.Service.Name, a.Service.DailyCap, a.Last = "Anagrafe", 150, 400
	if _, err := d.SaveServiceSetup(ctx, "capo", a); err != nil {
		t.Fatalf("a supervisor's change: %v", err)
	}
	if got, _ := o.store.ServiceSetups(ctx); got[0].Service.Name != "Anagrafe" || got[0].Service.DailyCap != 150 || got[0].Last != 400 {
		t.Errorf("the server holds %+v", got[0])
	}
	qs, err := d.QueueSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qs.PriorityRun = 3
	if _, err := d.SaveQueueSettings(ctx, "CAPO", qs); err != nil {
		t.Fatalf("settings: %v", err)
	}
	if _, err := d.SaveCounter(ctx, "capo", queue.Counter{Code: "4", Name: "Sportello 4", Services: []string{"A"}}); err != nil {
		t.Fatalf("counter: %v", err)
	}
	t.Run("hostile callers change nothing", func(t *testing.T) {
		before, _ := o.store.ServiceSetups(ctx)
		b := before[0]
		b.Service.Name = "Rubato"
		for _, op := range []string{"clerk1", "nobody", ""} {
			_, err := d.SaveServiceSetup(ctx, op, b)
			wantCode(t, "service by "+op, err, "forbidden")
			_, err = d.SaveCounter(ctx, op, queue.Counter{Code: "9", Name: "Nove", Services: []string{"A"}})
			wantCode(t, "counter by "+op, err, "forbidden")
			_, err = d.SaveQueueSettings(ctx, op, queue.DefaultSettings)
			wantCode(t, "settings by "+op, err, "forbidden")
		}
		status, _ := o.raw(http.MethodPost, "/v1/queue/setup/service", http.Header{ClientHeader: {APIVersion}, OperatorHeader: {"capo"}}, `{}`)
		if status != http.StatusUnauthorized {
			t.Errorf("unsigned: %d", status)
		}
		after, _ := o.store.ServiceSetups(ctx)
		if after[0].Service.Name != before[0].Service.Name || len(after) != len(before) {
			t.Errorf("a refused change changed the office: %+v", after[0])
		}
		office, _ := o.store.QueueOffice(ctx)
		for _, c := range office.Counters {
			if c.Code == "9" {
				t.Error("a refused counter was saved")
			}
		}
		if s, _ := o.store.QueueSettings(ctx); s.PriorityRun != 3 {
			t.Errorf("refused settings were saved: %+v", s)
		}
	})
}
