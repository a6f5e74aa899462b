package central

import (
	"context"
	"errors"
	"net/http"
	"time"

	"sportello/access"
	"sportello/fault"
	"sportello/store"
)

// LoginRequest is a clerk's login at a desk, checked by the server.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse is the clerk who logged in, with the server's signed
// statement that it checked the password at this desk (store.ServerLogin):
// a change to the clerks carries it.
type LoginResponse struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Role     string `json:"role"`
	Token    string `json:"token"`
	Expires  string `json:"expires"` // RFC 3339, UTC
}

// handleLogin checks a clerk's credentials with the server's users and
// lockout rules; the request is the desk's, signed.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	if !decode(w, r, MaxSimpleBytes, &req) {
		return
	}
	u, err := s.store.WithLockout().Login(r.Context(), req.Username, req.Password)
	if err != nil {
		s.log.Info("login refused", "desk", requestDesk(r.Context()).DeskID, "code", fault.Code(err))
		s.writeFault(w, r, err)
		return
	}
	d := requestDesk(r.Context())
	l, err := s.store.IssueServerLogin(r.Context(), d.DeskID, u.Username)
	if err != nil {
		s.writeFault(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, LoginResponse{Username: u.Username, FullName: u.FullName, Role: string(u.Role),
		Token: l.Token, Expires: l.Expires.UTC().Format(time.RFC3339)})
}

// Login asks the server to check a clerk's credentials; it returns the
// clerk and the server's login.
func (c *Client) Login(ctx context.Context, username, password string) (access.User, store.ServerLogin, error) {
	var out LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login", LoginRequest{Username: username, Password: password}, &out); err != nil {
		return access.User{}, store.ServerLogin{}, err
	}
	expires, _ := time.Parse(time.RFC3339, out.Expires)
	return access.User{Username: out.Username, FullName: out.FullName, Role: access.Role(out.Role)},
		store.ServerLogin{Username: out.Username, Token: out.Token, Expires: expires}, nil
}

// ServerLogins keeps the server logins of a desk's clerks; the store
// implements it.
type ServerLogins interface {
	RememberServerLogin(store.ServerLogin)
}

// ServerFirst is a desk's login: the server checks the credentials when it
// answers (a password changed or an account locked anywhere counts at
// once); when it does not, the desk's own copy of the users, kept by sync,
// lets the clerk work offline.
//
// A login the server checked is remembered in Logins: it lets an
// administrator change the clerks (store.Store.ClerkChangesAllowed).
type ServerFirst struct {
	Client *Client
	Local  access.Authenticator
	Logins ServerLogins // nil: not remembered
}

// Login implements access.Authenticator.
func (a ServerFirst) Login(ctx context.Context, username, password string) (access.User, error) {
	u, l, err := a.Client.Login(ctx, username, password)
	if err == nil {
		if a.Logins != nil {
			a.Logins.RememberServerLogin(l)
		}
		return u, nil
	}
	var se *ServerError
	if errors.As(err, &se) && se.Body.Code != CodeUnauthorised && se.Body.Code != CodeClientVersion {
		return access.User{}, se.Fault()
	}
	return a.Local.Login(ctx, username, password)
}
