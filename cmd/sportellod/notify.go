package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/viper"

	"sportello/notify"
	"sportello/portal"
	"sportello/store"
)

// notifyConfig is how the server reaches citizens who booked or took a
// ticket online: an SMTP server (notify_smtp_*) and, where the
// municipality has one, an SMS gateway (notify_sms_*). Neither set: no
// messages.
type notifyConfig struct {
	Mail  *notify.Mailer
	SMS   *notify.SMS
	Every time.Duration
}

func loadNotifyConfig(v *viper.Viper) (notifyConfig, error) {
	v.SetDefault("notify_every", "1m")
	v.SetDefault("notify_smtp_port", 587)
	v.SetDefault("notify_smtp_tls", "mandatory")
	nc := notifyConfig{Every: v.GetDuration("notify_every")}
	if nc.Every < 10*time.Second {
		return notifyConfig{}, fmt.Errorf("%w: notify_every deve essere almeno 10s", errUsage)
	}
	if host := v.GetString("notify_smtp_host"); host != "" {
		nc.Mail = &notify.Mailer{Host: host, Port: v.GetInt("notify_smtp_port"), From: v.GetString("notify_smtp_from"),
			Username: v.GetString("notify_smtp_username"), Password: v.GetString("notify_smtp_password"), TLS: v.GetString("notify_smtp_tls")}
		if nc.Mail.From == "" {
			return notifyConfig{}, fmt.Errorf("%w: manca notify_smtp_from, il mittente delle email", errUsage)
		}
		switch nc.Mail.TLS {
		case "mandatory", "opportunistic", "none":
		default:
			return notifyConfig{}, fmt.Errorf("%w: notify_smtp_tls è mandatory, opportunistic oppure none", errUsage)
		}
	}
	if url := v.GetString("notify_sms_url"); url != "" {
		nc.SMS = &notify.SMS{URL: url, Token: v.GetString("notify_sms_token"), Sender: v.GetString("notify_sms_sender")}
	}
	return nc, nil
}

// notifier is the notifier of the settings, nil when neither email nor
// SMS is set.
func (nc notifyConfig) notifier(st *store.Store) *notify.Notifier {
	if nc.Mail == nil && nc.SMS == nil {
		return nil
	}
	return &notify.Notifier{Store: st, Mail: nc.Mail, SMS: nc.SMS, Text: portal.Text, Now: time.Now}
}

// sender is what sends the portal's codes to guests: nil (no guests)
// without email or SMS.
func (nc notifyConfig) sender(st *store.Store) portal.Sender {
	if n := nc.notifier(st); n != nil {
		return n
	}
	return nil
}

// startNotify sends reminders and "your turn is near" until ctx ends.
func startNotify(ctx context.Context, nc notifyConfig, st *store.Store) {
	if n := nc.notifier(st); n != nil {
		go n.Run(ctx, nc.Every)
	}
}
