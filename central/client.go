package central

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"sportello/fault"
	"sportello/store"
)

// Client is a desk's connection to sportellod: every request is signed
// with the desk's key.
type Client struct {
	base   string // e.g. https://sportellod.comune.example
	http   *http.Client
	deskID string
	key    ed25519.PrivateKey
	now    func() time.Time
}

// NewClient makes a client of the server at baseURL for the desk deskID
// holding key. hc may be nil.
func NewClient(baseURL, deskID string, key ed25519.PrivateKey, hc *http.Client) *Client {
	if hc == nil {
		hc, _ = HTTPClient("")
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), http: hc, deskID: deskID, key: key, now: time.Now}
}

// HTTPClient is a desk's HTTP client of the server. caFile, when not "",
// is a PEM file of the certificates it trusts for the server instead of
// the system's: the server's own self-signed certificate, or the
// municipality's certification authority.
func HTTPClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return &http.Client{Timeout: 30 * time.Second}, nil
	}
	data, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Timeout: 30 * time.Second, Transport: t}, nil
}

// ServerError is an error the server answered.
type ServerError struct {
	Status int
	Body   ErrorBody
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("server answered %d %s: %s", e.Status, e.Body.Code, e.Body.Message)
}

// Fault turns the server's answer into the domain error the desk shows.
// A refused signature (401) is a refusal whose message says what to do:
// set the clock, ask for a new enrolment, ... (one per Reason); too many
// requests and a too large one too. Anything else the desk cannot act on
// is internal.
func (e *ServerError) Fault() *fault.Error {
	code := e.Body.Code
	switch code {
	case fault.Invalid, fault.NotFound, fault.Conflict, fault.Forbidden:
	case CodeUnauthorised, CodeTooMany:
		code = fault.Forbidden
	case CodeTooLarge, CodeClientVersion:
		code = fault.Invalid
	default:
		code = fault.Internal
	}
	// The message is the server's key, translated at the desk like any.
	return &fault.Error{Code: code, Message: e.Body.Message, Args: e.Body.Args}
}

// ErrUnreachable wraps network failures: the desk is offline.
var ErrUnreachable = errors.New("server unreachable")

// do sends a signed request and decodes the JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	return c.send(ctx, method, path, "", MaxBodyBytes*4, in, out)
}

// send sends a request signed with the desk's key (operator, when not "",
// names the clerk it acts for and is signed too), reads at most limit
// bytes of the answer and decodes it into out. The server's refusal is a
// *ServerError; no answer, or none that can be read, wraps ErrUnreachable.
func (c *Client) send(ctx context.Context, method, path, operator string, limit int64, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if operator != "" {
		req.Header.Set(OperatorHeader, operator)
	}
	c.sign(req, body)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if resp.StatusCode != http.StatusOK {
		se := &ServerError{Status: resp.StatusCode}
		if json.Unmarshal(data, &se.Body) != nil || se.Body.Code == "" {
			return fmt.Errorf("%w: status %d", ErrUnreachable, resp.StatusCode)
		}
		return se
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: malformed answer: %v", ErrUnreachable, err)
	}
	return nil
}

// sign adds the protocol and signature headers with a new nonce, so each
// attempt of a request (a retry too) is a request of its own; the operator
// header, set before, is signed with the rest.
func (c *Client) sign(req *http.Request, body []byte) {
	at := c.now().Unix()
	req.Header.Set(ClientHeader, APIVersion)
	if c.key != nil {
		nonce := make([]byte, 16)
		rand.Read(nonce)
		n := hex.EncodeToString(nonce)
		req.Header.Set(DeskHeader, c.deskID)
		req.Header.Set(TimeHeader, strconv.FormatInt(at, 10))
		req.Header.Set(NonceHeader, n)
		req.Header.Set(SignatureHeader, hex.EncodeToString(ed25519.Sign(c.key, signedMessage(req.Method, req.URL.RequestURI(), at, n, req.Header.Get(OperatorHeader), body))))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
}

// Enrol asks the server to trust this desk with the one-time code.
func (c *Client) Enrol(ctx context.Context, code, deskCode string) (EnrolResponse, error) {
	var out EnrolResponse
	pub := c.key.Public().(ed25519.PublicKey)
	err := c.do(ctx, http.MethodPost, "/v1/enrol", EnrolRequest{Code: code, DeskID: c.deskID, DeskCode: deskCode, PublicKey: hex.EncodeToString(pub)}, &out)
	return out, err
}

// Status asks the server for its epoch and what it holds of this desk.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var out Status
	err := c.do(ctx, http.MethodGet, "/v1/status", nil, &out)
	return out, err
}

// Push sends a batch of the outbox.
func (c *Client) Push(ctx context.Context, batch []store.Mutation) (PushResponse, error) {
	var out PushResponse
	err := c.do(ctx, http.MethodPost, "/v1/push", PushRequest{Mutations: batch}, &out)
	return out, err
}

// Changes pulls the page of changes after cursor.
func (c *Client) Changes(ctx context.Context, after int64) (store.ChangePage, error) {
	var out store.ChangePage
	err := c.do(ctx, http.MethodGet, "/v1/changes?after="+strconv.FormatInt(after, 10), nil, &out)
	return out, err
}
