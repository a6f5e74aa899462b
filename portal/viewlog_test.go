package portal

import (
	"sync"
	"testing"

	"sportello/access"
	"sportello/store"
)

func TestViewLogWritesEveryViewOnce(t *testing.T) {
	st := testStore(t)
	people, err := st.DemoCitizens(t.Context(), 2)
	if err != nil || len(people) < 2 {
		t.Fatal(err)
	}
	uids := make([]string, 2)
	for i := range uids {
		if uids[i], err = st.PersonUID(t.Context(), people[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	l := &viewLog{st: st}
	const views = 120
	var wg sync.WaitGroup
	errs := make(chan error, views)
	for i := range views {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uid := uids[i%2]
			errs <- l.log(t.Context(), store.AccessView{Operator: onlineOperator(uid), PersonUID: uid, Purpose: access.PurposeOnline})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, uid := range uids {
		log, err := st.AccessLog(t.Context(), access.LogFilter{Subject: uid})
		if err != nil || len(log) != views/2 {
			t.Fatalf("%s: %d views logged, want %d (%v)", uid, len(log), views/2, err)
		}
	}
	// A view the log refuses is an error for its page.
	if err := l.log(t.Context(), store.AccessView{Operator: "x", PersonUID: uids[0], Purpose: "gossip"}); err == nil {
		t.Fatal("a view with no valid purpose was logged")
	}
}
