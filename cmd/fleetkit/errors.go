package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Exit statuses: each class of failure has its own, so that a script can tell a typo from
// a refused credential, a spent budget or a vehicle that does not exist.
const (
	exitOK        = 0
	exitFailure   = 1 // the provider or the command failed otherwise
	exitUsage     = 2 // bad flags, arguments or input files
	exitAuth      = 3 // credentials missing or refused
	exitRateLimit = 4 // the provider's request budget is spent
	exitNotFound  = 5 // a vehicle, track or signal that does not exist
)

// usageError is a mistake in the command line: the flags, the arguments or a file they
// name.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError formatted as fmt.Errorf does.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// credentialsError says that no credentials were found for the providers asked for.
type credentialsError struct{ msg string }

func (e *credentialsError) Error() string { return e.msg }

// driftError says that the drift checker found drift; the findings are on stdout already.
type driftError struct{ findings int }

func (e *driftError) Error() string {
	return fmt.Sprintf("%d drift finding(s): update the client's endpoint table (mycartracks/endpoints.go) or report the document's change", e.findings)
}

// classify maps an error to its exit status and the one line printed on stderr: what went
// wrong and what to do about it. cmd is the command path ("fleetkit tracks"). The text
// comes from the SDK's errors, which never hold a secret.
func classify(err error, cmd string) (int, string) {
	text := oneLine(err.Error())
	var (
		usage *usageError
		creds *credentialsError
		drift *driftError
		rl    *telematics.RateLimitError
	)
	switch {
	case errors.As(err, &usage):
		return exitUsage, fmt.Sprintf("%s: %s (see '%s --help')", cmd, text, cmd)
	case errors.As(err, &creds):
		return exitAuth, fmt.Sprintf("%s: %s", cmd, text)
	case errors.As(err, &drift):
		return exitFailure, fmt.Sprintf("%s: %s", cmd, text)
	case errors.Is(err, telematics.ErrRateLimited):
		hint := "wait for the budget to refill, then try again (fleetkit rate shows it)"
		if errors.As(err, &rl) && rl.RetryAfter > 0 {
			hint = "try again in " + rl.RetryAfter.Round(time.Second).String()
		}
		return exitRateLimit, fmt.Sprintf("%s: %s: %s", cmd, text, hint)
	case errors.Is(err, telematics.ErrUnauthorized), errors.Is(err, telematics.ErrForbidden):
		return exitAuth, fmt.Sprintf("%s: %s: check the client id and secret in the environment (%s) and their scopes, or try --sandbox", cmd, text, credentialVars)
	case errors.Is(err, telematics.ErrNotFound):
		return exitNotFound, fmt.Sprintf("%s: %s: check the id ('fleetkit vehicles' lists the vehicles and their ids)", cmd, text)
	case errors.Is(err, telematics.ErrNotSupported):
		return exitFailure, fmt.Sprintf("%s: %s: the provider cannot do this; try another --provider", cmd, text)
	case errors.Is(err, context.Canceled):
		return exitFailure, fmt.Sprintf("%s: interrupted", cmd)
	case errors.Is(err, context.DeadlineExceeded):
		return exitFailure, fmt.Sprintf("%s: %s: the provider did not answer in time; try again", cmd, text)
	case errors.Is(err, telematics.ErrUnavailable), errors.Is(err, telematics.ErrVehicleUnreachable):
		return exitFailure, fmt.Sprintf("%s: %s: try again later", cmd, text)
	}
	return exitFailure, fmt.Sprintf("%s: %s", cmd, text)
}

// credentialVars names the environment variables that hold credentials.
const credentialVars = "MYCARTRACKS_CLIENT_ID/MYCARTRACKS_CLIENT_SECRET, SMARTCAR_CLIENT_ID/SMARTCAR_CLIENT_SECRET"

// oneLine folds a multi-line text into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
