package workspace

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
)

// ErrInvalid is wrapped by the errors of a malformed request (a state
// change without its author, an unknown state, a bad date); their messages
// name no personal data.
var ErrInvalid = errors.New("invalid")

// invalidError is a malformed request; it is ErrInvalid.
type invalidError struct{ msg string }

// Error is the message, prefixed like the package's other errors.
func (e *invalidError) Error() string { return "workspace: " + e.msg }

// Is makes an invalidError ErrInvalid.
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

// invalid returns an error that is ErrInvalid with the message format.
func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// Check reports what is malformed in u, before any case is read: the
// author, the state, the transfer target (required for transferred, only
// there) and the due date (YYYY-MM-DD). The errors wrap ErrInvalid.
func (u Update) Check() error {
	switch {
	case strings.TrimSpace(u.By) == "":
		return invalid("who changes the case (by) is required")
	case !known(vocab.CaseStates, u.Status):
		return invalid("unknown state %q", u.Status)
	case u.Status == vocab.StateTransferred && !known(vocab.TransferTargets, u.TransferTo):
		return invalid("transferred needs a target (police, discipline, health, drug), got %q", u.TransferTo)
	case u.Status != vocab.StateTransferred && u.TransferTo != "":
		return invalid("a transfer target goes only with state transferred")
	}
	if u.Due != "" {
		if _, err := time.Parse(time.DateOnly, u.Due); err != nil {
			return invalid("due date %q is not YYYY-MM-DD", u.Due)
		}
	}
	return nil
}
