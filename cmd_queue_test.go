package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportello/printing"
	"sportello/store"
)

func TestQueueCommandsRefuseBadLines(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"kiosk with an unknown flag", []string{"kiosk", "--no-such-flag"}},
		{"kiosk with an argument", []string{"kiosk", "extra"}},
		{"board with an argument", []string{"board", "extra"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "sportello kiosk") {
				t.Errorf("usage does not list the kiosk:\n%s", errOut.String())
			}
		})
	}
}

func TestAppointmentsImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	st, err := store.Open(db, store.Options{DeskCode: "D01", Create: true})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bad := write("bad.csv", "service,date,time,person\nA,07/01/2030,09:00,Mario Rossi\nA,07/01/2030,09:07,Anna Bianchi\nZ,07/01/2030,09:00,Luca Rossi\n")
	code, out, errOut := runCmd(t, "appointments", "import", "--db", db, bad)
	if code != 1 || !strings.Contains(out, "riga 3:") || !strings.Contains(out, "riga 4:") || strings.Contains(out, "riga 2:") ||
		!strings.Contains(errOut, "non è stato importato nulla") {
		t.Errorf("bad file: exit %d\n%s\n%s", code, out, errOut)
	}
	good := write("good.csv", "service,date,time,person\nA,07/01/2030,09:00,Mario Rossi\nB,2030-01-07,09:15,RSSMRA80A01H501U\n")
	code, out, errOut = runCmd(t, "appointments", "import", "--db", db, good)
	if code != 0 || !strings.Contains(out, "Importati 2 appuntamenti") || strings.Contains(out, "Mario") {
		t.Errorf("good file: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := runCmd(t, "appointments", "--db", db, good); code != 2 {
		t.Errorf("without import: exit %d", code)
	}
}

// TestTicketPrinter: the kiosk prints through the --printer flag's CUPS
// queue, else the ticket_printer setting, else into a folder of PDFs.
func TestTicketPrinter(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		name, file, flag string
		want             printing.Printer
		bad              bool
	}{
		{"flag over setting", "ticket_printer: escpos:/dev/usb/lp0\n", "Termica", printing.LP{Destination: "Termica"}, false},
		{"CUPS default", "", "default", printing.LP{}, false},
		{"ESC/POS device", "ticket_printer: escpos:/dev/usb/lp0\n", "", printing.ESCPOS{Device: "/dev/usb/lp0"}, false},
		{"ESC/POS network", "ticket_printer: escpos-tcp:10.0.0.9:9100\n", "", printing.ESCPOS{Addr: "10.0.0.9:9100"}, false},
		{"CUPS queue", "ticket_printer: cups:biglietti\n", "", printing.LP{Destination: "biglietti"}, false},
		{"folder", "", "", printing.Folder{Dir: "/tmp/biglietti"}, false},
		{"bad setting", "ticket_printer: laser\n", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := configFrom(t, "--config", writeConfig(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := ticketPrinter(cfg, tc.flag, "/tmp/biglietti")
			if tc.bad {
				if err == nil || !strings.Contains(err.Error(), "ticket_printer") {
					t.Errorf("bad setting accepted: %v %v", p, err)
				}
				return
			}
			if err != nil || p != tc.want {
				t.Errorf("printer %#v, %v; want %#v", p, err, tc.want)
			}
		})
	}
	// The environment sets it too.
	t.Setenv("SPORTELLO_TICKET_PRINTER", "escpos-tcp:stampante")
	cfg, err := configFrom(t, "--config", writeConfig(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := ticketPrinter(cfg, "", ""); err != nil || p != (printing.ESCPOS{Addr: "stampante:9100"}) {
		t.Errorf("from the environment: %#v, %v", p, err)
	}
}
