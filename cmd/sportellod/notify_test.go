package main

import (
	"testing"
	"time"

	"github.com/spf13/viper"
)

func TestLoadNotifyConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]any
		ok   bool
		mail bool
		sms  bool
	}{
		{"nothing set: no messages", nil, true, false, false},
		{"smtp", map[string]any{"notify_smtp_host": "smtp.comune.example.it", "notify_smtp_from": "anagrafe@comune.example.it"}, true, true, false},
		{"smtp without a sender", map[string]any{"notify_smtp_host": "smtp.comune.example.it"}, false, false, false},
		{"an unknown tls", map[string]any{"notify_smtp_host": "h", "notify_smtp_from": "a@b.it", "notify_smtp_tls": "maybe"}, false, false, false},
		{"sms", map[string]any{"notify_sms_url": "https://sms.example.it/send", "notify_sms_token": "t"}, true, false, true},
		{"too often", map[string]any{"notify_every": "1s"}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := viper.New()
			for k, val := range tc.set {
				v.Set(k, val)
			}
			nc, err := loadNotifyConfig(v)
			if (err == nil) != tc.ok || (nc.Mail != nil) != tc.mail || (nc.SMS != nil) != tc.sms {
				t.Fatalf("loadNotifyConfig = %+v, %v", nc, err)
			}
			if tc.mail && (nc.Mail.Port != 587 || nc.Mail.TLS != "mandatory" || nc.Every != time.Minute) {
				t.Errorf("defaults: %+v every %v", nc.Mail, nc.Every)
			}
		})
	}
}
