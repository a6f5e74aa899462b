package central

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

func TestNewDeskStartsFromTheSnapshot(t *testing.T) {
	o := newOffice(t, 300)
	a := o.newDesk("D01")
	var last float64
	a.syncer.Progress = func(done float64) { last = done }
	rep := a.sync(t)
	if rep.Bootstrapped < 290 || last != 1 {
		t.Fatalf("bootstrap: %+v, progress %v", rep, last)
	}
	assertConverged(t, o, a)
	// A desk that started from the snapshot still pulls what changes.
	b := o.newDesk("D02")
	b.sync(t)
	addDocument(t, b, someHouseholder(t, o.server, 0), "FF6666666")
	b.sync(t)
	a.sync(t)
	assertConverged(t, o, a, b)
	if _, err := os.Stat(a.store.Path() + ".snapshot"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the downloaded file was left behind: %v", err)
	}
}

// truncatingTransport cuts the body of the first snapshot download after
// limit bytes, as a line that drops.
type truncatingTransport struct {
	limit  int64
	cut    bool
	ranges []string
}

func (tt *truncatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "/snapshot/file/") {
		tt.ranges = append(tt.ranges, req.Header.Get("Range"))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || tt.cut || !strings.Contains(req.URL.Path, "/snapshot/file/") {
		return resp, err
	}
	tt.cut = true
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(resp.Body, tt.limit), errReader{}), resp.Body}
	return resp, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestCutDownloadResumesWithRange(t *testing.T) {
	o := newOffice(t, 300)
	a := o.newDesk("D01")
	tt := &truncatingTransport{limit: 100_000}
	a.syncer.Client.http = &http.Client{Transport: tt}
	if _, err := a.syncer.Once(context.Background()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("first sync: %v", err)
	}
	if n, _ := a.store.CountPersons(context.Background()); n != 0 {
		t.Fatalf("a cut download loaded %d persons", n)
	}
	rep := a.sync(t)
	if rep.Bootstrapped == 0 {
		t.Fatalf("second sync: %+v", rep)
	}
	if len(tt.ranges) != 2 || tt.ranges[0] != "" || tt.ranges[1] != "bytes=100000-" {
		t.Fatalf("download requests: %q", tt.ranges)
	}
	assertConverged(t, o, a)
}

func TestDamagedDownloadIsRefused(t *testing.T) {
	o := newOffice(t, 50)
	a := o.newDesk("D01")
	ctx := context.Background()
	info, err := a.syncer.Client.SnapshotInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info.SHA256 = strings.Repeat("0", 64)
	path := t.TempDir() + "/snap.db"
	err = a.syncer.Client.DownloadSnapshot(ctx, info, path, nil)
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("download with a wrong hash: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a damaged file was kept")
	}
}
