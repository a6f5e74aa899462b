package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sportello/queue"
	"sportello/store"
)

// The online rules in the office's file: the office's under "online", each
// service's under its own "online". A file without them leaves the online
// rules as they are.

type officeOnline struct {
	DaysAhead   int `yaml:"days_ahead" json:"days_ahead"`
	NearAhead   int `yaml:"near_ahead" json:"near_ahead"`
	HoldMinutes int `yaml:"hold_minutes" json:"hold_minutes"`
}

type officeServiceOnline struct {
	Bookable             bool   `yaml:"bookable" json:"bookable"`
	Guests               bool   `yaml:"guests" json:"guests"`
	BookingLimit         int    `yaml:"booking_limit" json:"booking_limit"`
	Remote               bool   `yaml:"remote" json:"remote"`
	RemoteMaxWaitMinutes int    `yaml:"remote_max_wait_minutes" json:"remote_max_wait_minutes"`
	RemoteMaxWaiting     int    `yaml:"remote_max_waiting" json:"remote_max_waiting"`
	Bring                string `yaml:"bring" json:"bring"`
}

// onlineSetup is the online rules a file sets, checked.
type onlineSetup struct {
	office   *queue.OnlineSettings
	services []queue.OnlineService
}

func (of officeFile) parseOnline() (onlineSetup, error) {
	var out onlineSetup
	if o := of.Online; o != nil {
		rules := queue.OnlineSettings{DaysAhead: o.DaysAhead, NearAhead: o.NearAhead, Hold: time.Duration(o.HoldMinutes) * time.Minute}
		if err := rules.Validate(); err != nil {
			return out, err
		}
		out.office = &rules
	}
	for _, s := range of.Services {
		if s.Online == nil {
			continue
		}
		o := s.Online
		so := queue.OnlineService{Service: strings.TrimSpace(s.Code), Bookable: o.Bookable, Guests: o.Guests, BookingLimit: o.BookingLimit,
			Remote: o.Remote, RemoteMaxWait: time.Duration(o.RemoteMaxWaitMinutes) * time.Minute, RemoteMaxWaiting: o.RemoteMaxWaiting, Bring: o.Bring}
		if err := so.Validate(); err != nil {
			return out, fmt.Errorf("servizio %s: %w", s.Code, err)
		}
		out.services = append(out.services, so)
	}
	return out, nil
}

func (o onlineSetup) save(ctx context.Context, st *store.Store, operator string) error {
	if o.office != nil {
		if _, err := st.SaveOnlineSettings(ctx, operator, *o.office); err != nil {
			return err
		}
	}
	for _, so := range o.services {
		if _, err := st.SaveOnlineService(ctx, operator, so); err != nil {
			return err
		}
	}
	return nil
}

// readOnlineFile adds the online rules to the file of the office.
func readOnlineFile(ctx context.Context, st *store.Store, of *officeFile) error {
	rules, err := st.OnlineSettings(ctx)
	if err != nil {
		return err
	}
	of.Online = &officeOnline{DaysAhead: rules.DaysAhead, NearAhead: rules.NearAhead, HoldMinutes: int(rules.Hold / time.Minute)}
	services, err := st.OnlineServices(ctx)
	if err != nil {
		return err
	}
	for _, so := range services {
		for i := range of.Services {
			if of.Services[i].Code == so.Service {
				of.Services[i].Online = &officeServiceOnline{Bookable: so.Bookable, Guests: so.Guests, BookingLimit: so.BookingLimit, Remote: so.Remote,
					RemoteMaxWaitMinutes: int(so.RemoteMaxWait / time.Minute), RemoteMaxWaiting: so.RemoteMaxWaiting, Bring: so.Bring}
			}
		}
	}
	return nil
}
