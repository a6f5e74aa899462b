// Sportello is the desk of a municipality's one-stop counter. With no
// subcommand it opens the clerk's desk; the headless subcommands serve
// administrators and scripts (see usage).
package main

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"sportello/assets"
	"sportello/desk"
	"sportello/printing"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// runDesk opens the store and shows the desk window until it is closed.
func runDesk(cfg config) error {
	st, deps, err := openDesk(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// The preview's renderer starts while the clerk signs in; a failure
	// is reported by the first preview.
	go printing.StartRenderer()
	if cfg.Server != "" {
		stop, err := startSync(st, cfg, &deps)
		if err != nil {
			return err
		}
		defer stop()
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Sportello")
	w.Resize(fyne.NewSize(1280, 800))
	desk.New(a, w, deps)
	w.ShowAndRun()
	return nil
}
