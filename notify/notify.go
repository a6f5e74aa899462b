// Package notify sends the messages of the online queue: the reminder the
// day before a booking and "your turn is near", by email (SMTP, through
// github.com/wneessen/go-mail) and, where the municipality has one, by an
// SMS gateway reached with a configurable HTTP call. Messages carry the
// booking code or the ticket's number and the time, never who the person
// is; nothing personal goes into a log line.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/wneessen/go-mail"
)

// Mailer sends email through an SMTP server.
type Mailer struct {
	Host     string
	Port     int
	From     string // the sender, "Comune di Esempio <anagrafe@comune.example.it>"
	Username string // empty: no authentication
	Password string
	// TLS is "mandatory" (the default), "opportunistic" or "none" (a relay
	// on the same machine or network only).
	TLS     string
	Timeout time.Duration
}

// Send sends one plain-text email.
func (m Mailer) Send(ctx context.Context, to, subject, text string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("mail sender: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("mail recipient: %w", err)
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, text)
	policy := mail.TLSMandatory
	switch m.TLS {
	case "opportunistic":
		policy = mail.TLSOpportunistic
	case "none":
		policy = mail.NoTLS
	}
	opts := []mail.Option{mail.WithTimeout(max(m.Timeout, 5*time.Second))}
	if m.Port != 0 {
		opts = append(opts, mail.WithPort(m.Port), mail.WithTLSPolicy(policy))
	} else {
		opts = append(opts, mail.WithTLSPortPolicy(policy))
	}
	if m.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.Username), mail.WithPassword(m.Password))
	}
	c, err := mail.NewClient(m.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}

// SMS sends text messages through a gateway's HTTP API: a POST of JSON
// {"to": "+39...", "text": "...", "sender": Sender} to URL, with the token
// as a bearer credential; any 2xx answer is success.
type SMS struct {
	URL    string
	Token  string
	Sender string
	Client *http.Client // nil: a client with a 10-second timeout
}

// Send sends one text message.
func (s SMS) Send(ctx context.Context, to, text string) error {
	body, err := json.Marshal(map[string]string{"to": to, "text": text, "sender": s.Sender})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("sms: the gateway answered %s", resp.Status)
	}
	return nil
}
