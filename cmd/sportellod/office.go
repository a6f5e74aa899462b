package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"sportello/queue"
	"sportello/store"
)

// officeFile is the office's set-up as `sportellod office show` writes it
// and `sportellod office load` reads it (YAML, or JSON, which YAML reads).
type officeFile struct {
	Services []officeService `yaml:"services" json:"services"`
	Counters []officeCounter `yaml:"counters" json:"counters"`
	Settings officeSettings  `yaml:"settings" json:"settings"`
	Online   *officeOnline   `yaml:"online,omitempty" json:"online,omitempty"`
}

type officeService struct {
	Code        string               `yaml:"code" json:"code"`
	Name        string               `yaml:"name" json:"name"`
	Open        bool                 `yaml:"open" json:"open"`
	Position    int                  `yaml:"position" json:"position"`
	DailyCap    int                  `yaml:"daily_cap" json:"daily_cap"`
	First       int                  `yaml:"first_number" json:"first_number"`
	Last        int                  `yaml:"last_number" json:"last_number"`
	SlotMinutes int                  `yaml:"slot_minutes" json:"slot_minutes"`
	Hours       []string             `yaml:"hours" json:"hours"` // "monday 08:30-12:30"
	Online      *officeServiceOnline `yaml:"online,omitempty" json:"online,omitempty"`
}

type officeCounter struct {
	Code     string   `yaml:"code" json:"code"`
	Name     string   `yaml:"name" json:"name"`
	Services []string `yaml:"services" json:"services"`
}

type officeSettings struct {
	PriorityRun              int  `yaml:"priority_run" json:"priority_run"`
	MaxWaitMinutes           int  `yaml:"max_wait_minutes" json:"max_wait_minutes"`
	AppointmentWindowMinutes int  `yaml:"appointment_window_minutes" json:"appointment_window_minutes"`
	WithinMinutes            int  `yaml:"within_minutes" json:"within_minutes"`
	Chime                    bool `yaml:"chime" json:"chime"`
}

var officeCommands = map[string]func(args []string, stdout io.Writer) error{
	"show": cmdOfficeShow,
	"load": cmdOfficeLoad,
}

// cmdOffice dispatches `sportellod office show|load`.
func cmdOffice(args []string, stdout io.Writer) error {
	return runVerb("office", officeCommands, args, stdout)
}

func cmdOfficeShow(args []string, stdout io.Writer) error {
	fs := newFlags("office show")
	db := fs.String("db", "", "file del database del server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openReadOnly(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	of, err := readOfficeFile(context.Background(), st)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(stdout)
	enc.SetIndent(2)
	if err := enc.Encode(of); err != nil {
		return err
	}
	return enc.Close()
}

// cmdOfficeLoad sets up the office from a file: every service, counter and
// the settings are checked before anything is saved; services and
// counters the file does not name are left as they are.
func cmdOfficeLoad(args []string, stdout io.Writer) error {
	fs := newFlags("office load")
	db := fs.String("db", "", "file del database del server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: office load vuole il file (YAML o JSON)", errUsage)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("lettura di %s: %w", fs.Arg(0), err)
	}
	var of officeFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&of); err != nil {
		return fmt.Errorf("%w: %s non è un'impostazione dell'ufficio: %v", errUsage, fs.Arg(0), err)
	}
	setups, counters, qs, err := of.parse()
	if err != nil {
		return err
	}
	online, err := of.parseOnline()
	if err != nil {
		return err
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	const operator = "admin"
	// Counters first with the services that exist already, then the
	// services with their counters, then the counters again with all of
	// theirs: each save finds what it names.
	known, err := st.QueueOffice(ctx)
	if err != nil {
		return err
	}
	for _, c := range counters {
		early := c
		early.Services = slices.DeleteFunc(slices.Clone(c.Services), func(code string) bool {
			_, ok := known.Service(code)
			return !ok
		})
		if _, err := st.SaveCounter(ctx, operator, early); err != nil {
			return err
		}
	}
	for _, ss := range setups {
		if _, err := st.SaveServiceSetup(ctx, operator, ss); err != nil {
			return err
		}
	}
	for _, c := range counters {
		if _, err := st.SaveCounter(ctx, operator, c); err != nil {
			return err
		}
	}
	if _, err := st.SaveQueueSettings(ctx, operator, qs); err != nil {
		return err
	}
	if err := online.save(ctx, st, operator); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Impostazione dell'ufficio caricata: %d servizi, %d sportelli.\n", len(setups), len(counters))
	return nil
}

// parse turns the file into the queue's set-up, checked.
func (of officeFile) parse() ([]queue.ServiceSetup, []queue.Counter, queue.Settings, error) {
	var setups []queue.ServiceSetup
	var counters []queue.Counter
	for _, c := range of.Counters {
		qc := queue.Counter{Code: strings.TrimSpace(c.Code), Name: c.Name, Services: c.Services}
		if err := qc.Validate(); err != nil {
			return nil, nil, queue.Settings{}, err
		}
		counters = append(counters, qc)
	}
	for _, s := range of.Services {
		ss := queue.ServiceSetup{Service: queue.Service{Code: strings.TrimSpace(s.Code), Name: s.Name, DailyCap: s.DailyCap, Open: s.Open,
			Position: s.Position}, First: s.First, Last: s.Last, SlotMinutes: s.SlotMinutes}
		for _, h := range s.Hours {
			hs, err := parseOfficeHours(h)
			if err != nil {
				return nil, nil, queue.Settings{}, fmt.Errorf("%w: servizio %s: %v", errUsage, s.Code, err)
			}
			ss.Hours = append(ss.Hours, hs)
		}
		for _, c := range counters {
			if slices.Contains(c.Services, ss.Service.Code) {
				ss.Counters = append(ss.Counters, c.Code)
			}
		}
		if err := ss.Validate(); err != nil {
			return nil, nil, queue.Settings{}, err
		}
		setups = append(setups, ss)
	}
	st := of.Settings
	qs := queue.Settings{Policy: queue.Policy{PriorityRun: st.PriorityRun, MaxWait: time.Duration(st.MaxWaitMinutes) * time.Minute,
		AppointmentWindow: time.Duration(st.AppointmentWindowMinutes) * time.Minute},
		Within: time.Duration(st.WithinMinutes) * time.Minute, Chime: st.Chime}
	if err := qs.Validate(); err != nil {
		return nil, nil, qs, err
	}
	return setups, counters, qs, nil
}

// weekdayNames are the weekdays as the file writes them.
var weekdayNames = map[string]time.Weekday{"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday}

// parseOfficeHours reads "monday 08:30-12:30".
func parseOfficeHours(s string) (queue.Hours, error) {
	day, span, _ := strings.Cut(strings.TrimSpace(s), " ")
	wd, ok := weekdayNames[strings.ToLower(day)]
	opens, closes, ok2 := strings.Cut(strings.TrimSpace(span), "-")
	if !ok || !ok2 {
		return queue.Hours{}, fmt.Errorf("orario %q: si scrive come \"monday 08:30-12:30\"", s)
	}
	o, err := queue.ParseClock(strings.TrimSpace(opens))
	if err != nil {
		return queue.Hours{}, fmt.Errorf("orario %q: %v", s, message(err))
	}
	c, err := queue.ParseClock(strings.TrimSpace(closes))
	if err != nil {
		return queue.Hours{}, fmt.Errorf("orario %q: %v", s, message(err))
	}
	return queue.Hours{Weekday: wd, Opens: o, Closes: c}, nil
}

// openReadOnly opens the server's database to read it only: a look at a
// backup copy does not make it a restored file.
func openReadOnly(path string) (*store.Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: manca --db FILE", errUsage)
	}
	return store.Open(path, store.Options{ReadOnly: true})
}

// readOfficeFile is the office's set-up as the file writes it.
func readOfficeFile(ctx context.Context, st *store.Store) (officeFile, error) {
	var of officeFile
	setups, err := st.ServiceSetups(ctx)
	if err != nil {
		return of, err
	}
	office, err := st.QueueOffice(ctx)
	if err != nil {
		return of, err
	}
	qs, err := st.QueueSettings(ctx)
	if err != nil {
		return of, err
	}
	for _, ss := range setups {
		s := officeService{Code: ss.Service.Code, Name: ss.Service.Name, Open: ss.Service.Open, Position: ss.Service.Position,
			DailyCap: ss.Service.DailyCap, First: ss.First, Last: ss.Last, SlotMinutes: ss.SlotMinutes}
		for _, h := range ss.Hours {
			s.Hours = append(s.Hours, strings.ToLower(h.Weekday.String())+" "+h.Opens.String()+"-"+h.Closes.String())
		}
		of.Services = append(of.Services, s)
	}
	for _, c := range office.Counters {
		of.Counters = append(of.Counters, officeCounter{Code: c.Code, Name: c.Name, Services: c.Services})
	}
	of.Settings = officeSettings{PriorityRun: qs.PriorityRun, MaxWaitMinutes: int(qs.MaxWait / time.Minute),
		AppointmentWindowMinutes: int(qs.AppointmentWindow / time.Minute), WithinMinutes: int(qs.Within / time.Minute), Chime: qs.Chime}
	return of, readOnlineFile(ctx, st, &of)
}
