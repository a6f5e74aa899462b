package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"github.com/spf13/pflag"

	"sportello/assets"
	"sportello/central"
	"sportello/desk"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// cmdKiosk runs the ticket kiosk full screen on the desk's database.
func cmdKiosk(args []string, _ io.Writer) error {
	fs := newFlags("kiosk")
	configFlags(fs)
	printer := fs.String("printer", "", "stampante CUPS dei biglietti (\"default\" per quella predefinita); senza, i biglietti si salvano come PDF")
	tickets := fs.String("tickets", "", "cartella dove salvare i biglietti in PDF quando non c'è una stampante (predefinita: tickets nella cartella dei dati)")
	cfg, st, err := openQueueStore(fs, args)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := ticketPrinter(cfg, *printer, *tickets)
	if err != nil {
		return err
	}
	deps := desk.KioskDeps{Queue: st, Office: queueOffice(cfg), Printer: p, CheckIn: st}
	if cfg.Server != "" && !cfg.LocalQueue {
		// The office's queue is the server's; each ticket carries the QR
		// of its page there.
		q, err := serverQueue(st, cfg)
		if err != nil {
			return err
		}
		deps.Queue, deps.CheckIn, deps.OwnQueue = q, q, st
		deps.StatusURL = func(uid string) string { return cfg.Server + "/ticket/" + url.PathEscape(uid) }
	}
	a, w := queueWindow("Biglietti")
	desk.NewKiosk(a, w, deps)
	w.ShowAndRun()
	return nil
}

// serverQueue is the office's queue at the server, worked by this machine
// as an enrolled desk (sportello enrol).
func serverQueue(st *store.Store, cfg config) (*central.QueueClient, error) {
	c, err := deskClient(context.Background(), st, cfg)
	if err != nil {
		return nil, err
	}
	return central.NewQueueClient(c), nil
}

// ticketPrinter is the kiosk's printer: the --printer flag's CUPS queue
// ("default" for CUPS's default), else the ticket_printer setting (CUPS, or
// raw ESC/POS to a device or a network printer), else a folder of PDFs.
func ticketPrinter(cfg config, flag, folder string) (printing.Printer, error) {
	switch {
	case flag == "default":
		return printing.LP{}, nil
	case flag != "":
		return printing.LP{Destination: flag}, nil
	}
	p, err := printing.ParseTicketPrinter(cfg.TicketPrinter)
	if err != nil || p != nil {
		return p, err
	}
	if folder == "" {
		folder = filepath.Join(dataDir(), "tickets")
	}
	fmt.Fprintf(os.Stderr, "Nessuna stampante: i biglietti si salvano in %s\n", folder)
	return printing.Folder{Dir: folder}, nil
}

// cmdBoard runs the waiting-room board full screen on the desk's database.
func cmdBoard(args []string, _ io.Writer) error {
	fs := newFlags("board")
	configFlags(fs)
	cfg, st, err := openQueueStore(fs, args)
	if err != nil {
		return err
	}
	defer st.Close()
	deps := desk.BoardDeps{Queue: st, Office: queueOffice(cfg)}
	if cfg.Server != "" && !cfg.LocalQueue {
		q, err := serverQueue(st, cfg)
		if err != nil {
			return err
		}
		deps.Queue = q
	}
	a, w := queueWindow("Coda")
	desk.NewBoard(a, w, deps)
	w.ShowAndRun()
	return nil
}

// openQueueStore reads the configuration and opens its database, as the
// desk does, so kiosk, board and desks of one machine share the queue.
func openQueueStore(fs *pflag.FlagSet, args []string) (config, *store.Store, error) {
	if err := parse(fs, args); err != nil {
		return config{}, nil, err
	}
	if fs.NArg() > 0 {
		return config{}, nil, fmt.Errorf("%w: argomento inatteso %q", errUsage, fs.Arg(0))
	}
	cfg, err := loadConfig(fs)
	if err != nil {
		return cfg, nil, err
	}
	if err := desk.SetupLanguage(cfg.Language); err != nil {
		return cfg, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return cfg, nil, fmt.Errorf("cartella dei dati %s: %w", filepath.Dir(cfg.DB), err)
	}
	st, err := store.Open(cfg.DB, store.Options{DeskCode: cfg.DeskCode, Create: true})
	return cfg, st, err
}

func queueOffice(cfg config) desk.Office {
	return desk.Office{Municipality: registry.MunicipalityTitle(cfg.Municipality), Office: cfg.Office, DeskCode: cfg.DeskCode}
}

func queueWindow(title string) (fyne.App, fyne.Window) {
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow(title)
	w.Resize(fyne.NewSize(1280, 800))
	return a, w
}

// cmdAppointments imports booked appointments from a CSV file:
// appointments import --db FILE PATH.csv. A file with any bad row imports
// nothing; the bad rows are listed with their line numbers. The codes of
// the bookings made are listed by line, without names.
func cmdAppointments(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("%w: appointments vuole il sottocomando import", errUsage)
	}
	fs := newFlags("appointments import")
	db := fs.String("db", "", "database file")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *db == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: appointments import vuole --db FILE e un file CSV", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := store.Open(*db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.ImportAppointments(context.Background(), "import", f)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "riga %d: %s\n", p.Line, lang.L(p.Message, p.Args))
	}
	if err != nil {
		return err
	}
	for _, a := range rep.Booked {
		fmt.Fprintf(w, "%s %s %s %s\n", a.Code, a.Service, a.Day.Italian(), a.Slot)
	}
	fmt.Fprintf(w, "Importati %d appuntamenti\n", len(rep.Booked))
	return nil
}
