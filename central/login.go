package central

import (
	"context"
	"errors"
	"net/http"

	"sportello/access"
	"sportello/fault"
)

// LoginRequest is a clerk's login at a desk, checked by the server.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse is the clerk who logged in.
type LoginResponse struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Role     string `json:"role"`
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
	writeJSON(w, http.StatusOK, LoginResponse{Username: u.Username, FullName: u.FullName, Role: string(u.Role)})
}

// Login asks the server to check a clerk's credentials.
func (c *Client) Login(ctx context.Context, username, password string) (access.User, error) {
	var out LoginResponse
	if err := c.do(ctx, http.MethodPost, "/v1/login", LoginRequest{Username: username, Password: password}, &out); err != nil {
		return access.User{}, err
	}
	return access.User{Username: out.Username, FullName: out.FullName, Role: access.Role(out.Role)}, nil
}

// ServerFirst is a desk's login: the server checks the credentials when it
// answers (a password changed or an account locked anywhere counts at
// once); when it does not, the desk's own copy of the users, kept by sync,
// lets the clerk work offline.
type ServerFirst struct {
	Client *Client
	Local  access.Authenticator
}

// Login implements access.Authenticator.
func (a ServerFirst) Login(ctx context.Context, username, password string) (access.User, error) {
	u, err := a.Client.Login(ctx, username, password)
	if err == nil {
		return u, nil
	}
	var se *ServerError
	if errors.As(err, &se) && se.Body.Code != CodeUnauthorised && se.Body.Code != CodeClientVersion {
		return access.User{}, se.Fault()
	}
	return a.Local.Login(ctx, username, password)
}
