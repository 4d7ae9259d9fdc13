package service

import (
	"errors"
	"fmt"
)

// ErrNotMember is returned by LookupMember when the number belongs to nobody in the
// member programme. It is an answer, not a failure: the window shows it calmly.
var ErrNotMember = errors.New("not a member")

// Kind classifies a failure so that callers (the window, the lookup command) can
// branch on it with errors.Is against the Err* kind values below.
type Kind int

// The kinds of failure. Each has a sentinel with the same name prefixed Err.
const (
	KindInvalidInput Kind = iota + 1 // the user's input (e.g. the mobile number) is not acceptable; nothing was sent
	KindConfig                       // the configuration is missing or unsafe; nothing was sent
	KindAuth                         // the token endpoint refused the credentials, or the API refused the token twice
	KindNetwork                      // connection refused, reset, DNS, TLS…
	KindTimeout                      // the request took longer than the configured timeout
	KindServer                       // the server answered with a non-2xx status (or a refused redirect)
	KindMalformed                    // the server answered 2xx with a body we cannot understand or that is too large
	// KindRejected: the server refused a redemption (a 4xx other than 401/403);
	// nothing was charged. APIMessage holds the server's message, to show.
	KindRejected
	// KindOutcomeUnknown: a redemption was sent but no answer says whether it was
	// made (timeout, dropped connection, 5xx, cancellation mid-request). It is never
	// retried automatically: refetch the member, then retry with the same order id
	// or abandon.
	KindOutcomeUnknown
)

// Sentinels for errors.Is: errors.Is(err, ErrAuth) is true for every *Error of KindAuth.
var (
	ErrInvalidInput = &Error{Kind: KindInvalidInput}
	ErrConfig       = &Error{Kind: KindConfig}
	ErrAuth         = &Error{Kind: KindAuth}
	ErrNetwork      = &Error{Kind: KindNetwork}
	ErrTimeout      = &Error{Kind: KindTimeout}
	ErrServer       = &Error{Kind: KindServer}
	ErrMalformed    = &Error{Kind: KindMalformed}
	// ErrRejected matches a redemption the server refused (see KindRejected).
	ErrRejected = &Error{Kind: KindRejected}
	// ErrOutcomeUnknown matches a redemption whose outcome is unknown (see KindOutcomeUnknown).
	ErrOutcomeUnknown = &Error{Kind: KindOutcomeUnknown}
)

// Error is every failure the service reports. Its message never contains a secret,
// a token or a full phone number.
type Error struct {
	Kind Kind
	// Op says what was being done: "lookup", "token", "config", "normalise", "avatar".
	Op string
	// StatusCode is the HTTP status for KindServer (and KindAuth when the API said 401/403).
	StatusCode int
	// Detail is a short, safe explanation in English for logs and the lookup command.
	Detail string
	// BodyExcerpt is at most a few hundred bytes of a non-2xx body, for diagnostics only.
	BodyExcerpt string
	// Field names the configuration field at fault, for KindConfig.
	Field string
	// APICode and APIMessage are the platform's error body ({"code","message"}),
	// redacted and cut to one line, for KindRejected (and any failure that had one).
	// APIMessage is what the cashier is shown.
	APICode, APIMessage string
	Err                 error
}

func (e *Error) Error() string {
	msg := e.Kind.String()
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Field != "" {
		msg += " [" + e.Field + "]"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.APIMessage != "" || e.APICode != "" {
		msg += fmt.Sprintf(" (server says: %s", e.APIMessage)
		if e.APICode != "" {
			msg += " [" + e.APICode + "]"
		}
		msg += ")"
	}
	return msg
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAuth) (etc.) match any *Error of the same kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && t.Op == "" && t.StatusCode == 0 && t.Detail == "" && t.Err == nil
}

func (k Kind) String() string {
	switch k {
	case KindInvalidInput:
		return "invalid input"
	case KindConfig:
		return "configuration error"
	case KindAuth:
		return "authentication failed"
	case KindNetwork:
		return "network error"
	case KindTimeout:
		return "timed out"
	case KindServer:
		return "server error"
	case KindMalformed:
		return "malformed response"
	case KindRejected:
		return "refused by the server"
	case KindOutcomeUnknown:
		return "outcome unknown"
	}
	return "error"
}

// KindOf returns the Kind of err, or 0 when err is nil or not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
