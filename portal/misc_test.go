package portal

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var tempDirs []string

func osMkdirTemp() (string, error) {
	dir, err := os.MkdirTemp("", "portal-test-")
	tempDirs = append(tempDirs, dir)
	return dir, err
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopChromium()
	for _, d := range tempDirs {
		os.RemoveAll(filepath.Clean(d))
	}
	os.Exit(code)
}

func readAll(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
