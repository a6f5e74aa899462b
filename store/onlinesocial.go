package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
	"sportello/social"
)

// "Ask the social desk" online: a signed-in citizen's short request with
// how to be contacted becomes, at the server, a case in its intake phase
// (source social.Online, no worker yet), numbered in the online series
// (SOC-WEB-...), with the citizen's consent to be contacted and a note of
// how. It reaches the social workers' lists at the desks enabled for the
// social desk through the change log as the desks' own cases do, and
// only there (socialdesk.go); the citizen sees the phase the desks move it
// to.

// OnlineSocialRequest is what the citizen writes.
type OnlineSocialRequest struct {
	FormID  string // the form's one-time id: the same form twice opens one request
	Type    social.RequestType
	Text    string // the need, in their words
	Contact string // how and when to be contacted
	Consent bool   // they agree the social desk processes the request and contacts them
}

// Limits of an online request.
const (
	MaxOnlineSocialText    = 2000
	MaxOnlineSocialContact = 300
)

// Validate checks the request.
func (r *OnlineSocialRequest) Validate() error {
	r.Text, r.Contact = strings.TrimSpace(r.Text), strings.TrimSpace(r.Contact)
	switch {
	case !validFormID(r.FormID):
		return errFormUsed()
	case !r.Type.Valid():
		return fault.New(fault.Invalid, "Choose the type of request", nil)
	case r.Text == "" || utf8.RuneCountInString(r.Text) > MaxOnlineSocialText:
		return fault.New(fault.Invalid, "Write what you need, in at most 2000 characters", nil)
	case r.Contact == "" || utf8.RuneCountInString(r.Contact) > MaxOnlineSocialContact:
		return fault.New(fault.Invalid, "Write how the social desk can contact you (telephone or e-mail, and when), in at most 300 characters", nil)
	case !r.Consent:
		return fault.New(fault.Invalid, "The social desk can take up the request only with your consent to process it and contact you", nil)
	}
	return nil
}

// OnlineSocialCase is a request as the citizen sees it.
type OnlineSocialCase struct {
	Number   string
	Type     social.RequestType
	Phase    social.Phase
	OpenedAt string // UTC
}

// AskSocialDesk opens the pre-intake of the signed-in citizen personUID.
func (s *Store) AskSocialDesk(ctx context.Context, personUID string, r OnlineSocialRequest) (OnlineSocialCase, error) {
	if err := r.Validate(); err != nil {
		return OnlineSocialCase{}, err
	}
	operator := OnlineOperator(personUID)
	tx, err := s.begin(ctx, operator)
	if err != nil {
		return OnlineSocialCase{}, err
	}
	defer tx.Rollback()
	var heldBy, heldCase string
	err = tx.QueryRowContext(ctx, `SELECT requester, case_uid FROM portal_social_request WHERE form_id = ?`, r.FormID).Scan(&heldBy, &heldCase)
	switch {
	case err == nil && heldBy == personUID:
		var c OnlineSocialCase
		err := tx.QueryRowContext(ctx, `SELECT number, type, phase, opened_at FROM social_case WHERE uid = ?`, heldCase).Scan(&c.Number, &c.Type, &c.Phase, &c.OpenedAt)
		if err != nil {
			return c, fmt.Errorf("ask the social desk: %w", err)
		}
		return c, nil
	case err == nil:
		return OnlineSocialCase{}, errFormUsed()
	case !errors.Is(err, sql.ErrNoRows):
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	var surname, name string
	if err := tx.QueryRowContext(ctx, `SELECT surname, name FROM person WHERE uid = ?`, personUID).Scan(&surname, &name); err != nil {
		return OnlineSocialCase{}, fault.New(fault.NotFound, "The person was not found", nil)
	}
	now := s.now()
	num, err := nextSocialNumber(ctx, tx, certificate.OnlineDesk, registry.DateOf(now.In(registry.Rome)).Year)
	if err != nil {
		return OnlineSocialCase{}, err
	}
	uid, personName := newUID(), socialName(surname, name)
	var caseID int64
	err = tx.QueryRowContext(ctx, `INSERT INTO social_case(uid, number, person_uid, visitor_id, person_name, person_key, type, source, referrer,
presenting_issue, priority, risks, isee_cents, isee_expiry, next_step, worker, target_date, phase, opened_at, created_by)
VALUES (?, ?, ?, NULL, ?, ?, ?, ?, '', ?, ?, '[]', NULL, NULL, '', '', NULL, ?, ?, ?) RETURNING id`,
		uid, num.String(), personUID, personName, registry.Fold(personName), string(r.Type), string(social.Online), r.Text,
		string(social.Normal), string(social.PhaseIntake), timestamp(now), operator).Scan(&caseID)
	if err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO portal_social_request(form_id, requester, case_uid, created_at) VALUES (?, ?, ?, ?)`,
		r.FormID, personUID, uid, timestamp(now)); err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	consentUID, noteUID := newUID(), newUID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_consent(uid, case_id, given, signed, at, recorded_by) VALUES (?, ?, 1, 0, ?, ?)`,
		consentUID, caseID, timestamp(now), operator); err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO social_note(uid, case_id, author, at, text) VALUES (?, ?, ?, ?, ?)`,
		noteUID, caseID, operator, timestamp(now), "Come contattarmi: "+r.Contact); err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	// The server's writes go to the change log here, not through the
	// triggers' list of touched rows, which the next push reads.
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_touched`); err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	for _, k := range []DocKey{{"social_case", uid}, {"social_consent", consentUID}, {"social_note", noteUID}} {
		if err := logServerChange(ctx, tx, k, now); err != nil {
			return OnlineSocialCase{}, err
		}
	}
	detail, _ := json.Marshal(map[string]string{"number": num.String(), "type": string(r.Type)})
	if err := appendAudit(ctx, tx, AuditEntry{At: timestamp(now), Operator: operator, Action: "social.case.ask_online", Entity: "social_case",
		EntityUID: uid, Detail: string(detail)}); err != nil {
		return OnlineSocialCase{}, err
	}
	if err := tx.Commit(); err != nil {
		return OnlineSocialCase{}, fmt.Errorf("ask the social desk: %w", err)
	}
	return OnlineSocialCase{Number: num.String(), Type: r.Type, Phase: social.PhaseIntake, OpenedAt: timestamp(now)}, nil
}

// OnlineSocialCases lists, newest first, the requests the citizen sent
// online, in the phase the desks moved them to.
func (s *Store) OnlineSocialCases(ctx context.Context, personUID string) ([]OnlineSocialCase, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT number, type, phase, opened_at FROM social_case WHERE created_by = ? ORDER BY opened_at DESC, id DESC`,
		OnlineOperator(personUID))
	if err != nil {
		return nil, fmt.Errorf("online social requests: %w", err)
	}
	defer rows.Close()
	var out []OnlineSocialCase
	for rows.Next() {
		var c OnlineSocialCase
		if err := rows.Scan(&c.Number, &c.Type, &c.Phase, &c.OpenedAt); err != nil {
			return nil, fmt.Errorf("online social requests: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
