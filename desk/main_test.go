package desk

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if err := SetupLanguage("it"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	closeSharedFixture()
	os.Exit(code)
}
