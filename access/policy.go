package access

import (
	"context"
	"time"
)

// What each role may do beyond reading the register (CanUseRegistry).

// CanEditRegistry reports whether the role may record the changes a desk
// makes: change of address, new family member, change of householder,
// civil-status events and identity documents.
func (r Role) CanEditRegistry() bool {
	return r == Clerk || r == Registrar
}

// CanCorrectPersonalData reports whether the role may correct a person's
// personal data (names, sex, birth, codice fiscale) and confirm a codice
// fiscale that does not match the data: the registrar's (ufficiale
// d'anagrafe) power only.
func (r Role) CanCorrectPersonalData() bool {
	return r == Registrar
}

// CanSeeAccessLog reports whether the role may read the access log and the
// audit log.
func (r Role) CanSeeAccessLog() bool {
	return r == Supervisor || r == Admin
}

// CanManageUsers reports whether the role may create users and change
// their roles.
func (r Role) CanManageUsers() bool {
	return r == Admin
}

// CanSetUpOffice reports whether the role may set up the queue: services,
// counters, the calling policy and the statistics' threshold.
func (r Role) CanSetUpOffice() bool {
	return r == Supervisor || r == Admin
}

// CanUseSocialDesk reports whether the role may see and work social-desk
// cases (intake, notes, referrals, appointments): the social worker only.
// Social-desk data is special-category data (Reg. UE 2016/679 art. 9), so
// neither the supervisor nor the administrator reads it; a registry role may
// at most learn that a person has a case, when the desk's setting allows it.
func (r Role) CanUseSocialDesk() bool {
	return r == SocialWorker
}

// Lockout and session rules.
const (
	// MaxFailedLogins wrong passwords in a row lock the account for
	// LockoutDuration.
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
	// SessionIdle is how long a desk may stay untouched before it locks.
	SessionIdle = 10 * time.Minute
)

// Purpose is why a clerk opens a person's record; every view is logged with
// it (the privacy officer reads the log).
type Purpose string

const (
	PurposeCounter     Purpose = "counter"     // a request of the person at the counter
	PurposeCertificate Purpose = "certificate" // issuing a certificate
	PurposeUpdate      Purpose = "update"      // recording a change in the register
	PurposeOffice      Purpose = "office"      // a check asked by another public office
	PurposeElectoral   Purpose = "electoral"   // electoral office duties
	// PurposeOnline is the person themselves, signed in to the online desk;
	// the desk never offers it to a clerk.
	PurposeOnline Purpose = "online"
)

// Purposes lists the purposes in the order the desk offers them.
var Purposes = []Purpose{PurposeCounter, PurposeCertificate, PurposeUpdate, PurposeOffice, PurposeElectoral}

// Valid reports whether p is one of the known purposes.
func (p Purpose) Valid() bool {
	if p == PurposeOnline {
		return true
	}
	for _, q := range Purposes {
		if p == q {
			return true
		}
	}
	return false
}

// AccessEntry is one record view: who opened whose record, when and why.
type AccessEntry struct {
	ID         int64
	At         time.Time // UTC
	Operator   string
	PersonUID  string
	PersonName string // "Surname Name" when the person is in the register
	Purpose    Purpose
}

// AuditLine is one entry of the audit log as the supervisor reads it.
type AuditLine struct {
	ID        int64
	At        time.Time // UTC
	Operator  string
	Action    string // person.change_address, user.create ...
	Entity    string
	EntityUID string
	Detail    string // ids and codes only
}

// LogFilter narrows the access log or the audit log; zero fields do not
// filter.
type LogFilter struct {
	Operator string    // exact username
	Subject  string    // access log: person UID; audit log: entity UID or action prefix
	From, To time.Time // To excluded
	Limit    int       // at most this many entries, newest first; 0 for 1000
}

// Logs reads the access log and the audit log; the store implements it.
type Logs interface {
	AccessLog(ctx context.Context, f LogFilter) ([]AccessEntry, error)
	FindAudit(ctx context.Context, f LogFilter) ([]AuditLine, error)
}
