// Package fault is the domain's error vocabulary: a code that says what kind of
// failure happened and a message a clerk can act on. Every domain package, the
// store and the UI share it, so a refusal reads the same wherever it surfaces.
package fault

import (
	"errors"
	"fmt"
)

// Codes of domain errors.
const (
	Invalid   = "invalid"   // the input is wrong; the message says what to fix
	NotFound  = "not_found" // the thing asked for does not exist
	Conflict  = "conflict"  // someone else changed it, or it already exists
	Forbidden = "forbidden" // the user may not do this
	Internal  = "internal"  // anything else; logged whole, shown generically
)

// Error is a domain error. Message is a translation key (an English sentence,
// possibly a text/template using Args) that the UI passes to lang.L and the
// command line prints translated. It never contains personal data unless the
// data came from the user who will read it.
type Error struct {
	Code    string
	Message string
	Args    map[string]any
}

func (e *Error) Error() string {
	if len(e.Args) == 0 {
		return e.Code + ": " + e.Message
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Args)
}

// New builds a domain error with a message key and optional template args.
func New(code, message string, args map[string]any) *Error {
	return &Error{Code: code, Message: message, Args: args}
}

// Code returns the code of a domain error, Internal for anything else and ""
// for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the message key and args of a domain error; for any other
// error the generic "An error occurred" key, so raw errors never reach a clerk.
func Message(err error) (string, map[string]any) {
	var e *Error
	if errors.As(err, &e) {
		return e.Message, e.Args
	}
	return GenericMessage, nil
}

// GenericMessage is what a user reads for an error that is not a domain error.
const GenericMessage = "An error occurred: see the log or call the administrator"
