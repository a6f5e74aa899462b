//go:build !windows

package printing

import (
	"bytes"
	"context"
	"os/exec"
	"strings"

	"sportello/fault"
)

// printPDF prints through CUPS's lp (printer "" is CUPS's default
// destination).
func printPDF(ctx context.Context, pdf []byte, printer string) error {
	bin, err := exec.LookPath("lp")
	if err != nil {
		return fault.New(fault.Invalid, "Printing needs CUPS (the lp command), which is not installed: save the PDF and print it from another program", nil)
	}
	args := []string{"-t", "Sportello"}
	if printer != "" {
		args = append(args, "-d", printer)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fault.New(fault.Invalid, "The printer did not accept the document ({{.Detail}}): check that it is on, connected and set as the default printer in CUPS", map[string]any{"Detail": strings.TrimSpace(stderr.String())})
	}
	return nil
}
