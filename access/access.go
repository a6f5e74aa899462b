// Package access holds who may use the desk: clerks, their roles, and what each
// role may do. It imports no UI, SQL or HTTP.
package access

import "context"

// Role decides which areas of the desk a clerk sees and what they may change.
type Role string

const (
	Clerk        Role = "clerk"         // operatore di sportello
	Registrar    Role = "registrar"     // ufficiale d'anagrafe
	SocialWorker Role = "social_worker" // assistente sociale
	Supervisor   Role = "supervisor"    // responsabile
	Admin        Role = "admin"         // amministratore
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case Clerk, Registrar, SocialWorker, Supervisor, Admin:
		return true
	}
	return false
}

// User is a person who logs in to the desk.
type User struct {
	ID       int64
	Username string
	FullName string
	Role     Role
}

// CanUseRegistry reports whether the role may search and read the register.
func (r Role) CanUseRegistry() bool {
	return r == Clerk || r == Registrar || r == Supervisor || r == Admin
}

// Authenticator checks credentials. The store implements it.
type Authenticator interface {
	// Login returns the user for a right username and password, or a
	// fault.Forbidden error that says only that the credentials are wrong.
	Login(ctx context.Context, username, password string) (User, error)
}
