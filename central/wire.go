// Package central is the HTTP API between desks and sportellod: the wire
// types, the server's handlers, the client a desk uses, and the sync loop
// that pushes a desk's outbox and pulls the server's change log.
package central

import (
	"sportello/store"
)

// APIVersion is the protocol version in every path (/v1/...) and in the
// Sportello-Client header; a server refuses a client it does not speak.
const (
	APIVersion   = "1"
	ClientHeader = "Sportello-Client"
)

// Request authentication headers: the desk signs method, path, time and
// the body's SHA-256 with its enrolled key.
const (
	DeskHeader      = "Sportello-Desk"
	TimeHeader      = "Sportello-Time"
	SignatureHeader = "Sportello-Signature"
	// NonceHeader is 32 random hex digits, new for every request (a retry
	// too): the server refuses one it has seen within the time window.
	NonceHeader = "Sportello-Nonce"
)

// Limits.
const (
	MaxBodyBytes   = 32 << 20 // a push batch with its documents
	MaxPushBatch   = 1000
	PullPageSize   = 2000
	SignatureSkew  = 5 * 60 // seconds a request's time may differ from the server's
	MaxEnrolBytes  = 4 << 10
	MaxSmallBytes  = 4 << 10  // the queue's requests, a login
	MaxSimpleBytes = 64 << 10 // a seal to verify
)

// ErrorBody is every error the API answers: a code (fault's codes and a few
// of the protocol's own) and a message key with its arguments, which the
// desk translates.
type ErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Args    map[string]any `json:"args,omitempty"`
	LastSeq *int64         `json:"last_seq,omitempty"` // for code "seq_gap"
	// Reason says why a request was unauthorised (code "unauthorised"),
	// one of the Reason constants, so the desk says what to do.
	Reason string `json:"reason,omitempty"`
}

// Why the server refused a request's identity (code "unauthorised").
const (
	ReasonUnsigned  = "unsigned"     // headers missing or malformed
	ReasonClock     = "clock"        // the time is outside the window
	ReasonUnknown   = "unknown_desk" // no enrolled desk has that id
	ReasonRevoked   = "revoked"      // the desk was revoked
	ReasonSignature = "signature"    // the signature does not verify with the desk's key
	ReasonReplay    = "replay"       // the request was already received
	ReasonNoDevice  = "no_device"    // a kiosk or board page without a device credential
)

// Protocol error codes beside fault's.
const (
	CodeSeqGap        = "seq_gap"        // push from LastSeq+1
	CodeClientVersion = "client_version" // the client speaks another version
	CodeUnauthorised  = "unauthorised"   // missing or bad signature
	CodeTooLarge      = "too_large"
	CodeTooMany       = "too_many" // 429: slow down, see Retry-After
	CodeMethod        = "method"   // 405: see Allow
)

// EnrolRequest asks the server to trust a desk.
type EnrolRequest struct {
	Code      string `json:"code"`
	DeskID    string `json:"desk_id"`
	DeskCode  string `json:"desk_code"`
	PublicKey string `json:"public_key"` // hex Ed25519
}

// EnrolResponse confirms the enrolment.
type EnrolResponse struct {
	DeskID  string `json:"desk_id"`
	KeyID   string `json:"key_id"`
	Epoch   string `json:"epoch"`
	LastSeq int64  `json:"last_seq"`
}

// PushRequest is a batch of a desk's outbox, in seq order.
type PushRequest struct {
	Mutations []store.Mutation `json:"mutations"`
}

// PushResponse answers a batch.
type PushResponse struct {
	Epoch   string             `json:"epoch"`
	LastSeq int64              `json:"last_seq"`
	Results []store.PushResult `json:"results"`
}

// Status is what GET /v1/status tells an enrolled desk.
type Status struct {
	Epoch      string `json:"epoch"`
	LastSeq    int64  `json:"last_seq"` // the last mutation of this desk the server holds
	ChangeSeq  int64  `json:"change_seq"`
	ServerTime string `json:"server_time"`
	// Receipt is the server's signed receipt of the desk's key, which the
	// desk keeps to be recognised by a server restored from a backup.
	Receipt *store.Receipt `json:"receipt,omitempty"`
	// Social says the desk is enabled for the social desk; a desk that
	// is not drops the social records it holds.
	Social bool `json:"social"`
}
