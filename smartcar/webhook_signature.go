package smartcar

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// SignatureHeader is the header in which Smartcar sends a webhook delivery's signature:
// the hex HMAC-SHA256 of the raw request body keyed with the Application Management
// Token ([C], docs/evidence.md Smartcar §9).
const SignatureHeader = "SC-Signature"

// signatureLen is the length of a hex HMAC-SHA256.
const signatureLen = 2 * sha256.Size

// Errors of VerifySignature and of the webhook handler's checks. Each matches
// telematics.ErrUnauthorized with errors.Is (ErrNoManagementToken matches
// telematics.ErrInvalidInput instead); none holds a token, the signature received or the
// one expected.
var (
	// ErrSignatureMissing: the delivery has no SC-Signature header, or an empty one.
	ErrSignatureMissing = &webhookError{msg: "webhook signature: the " + SignatureHeader + " header is missing or empty", kind: telematics.ErrUnauthorized}
	// ErrSignatureMalformed: the header is not 64 hex digits.
	ErrSignatureMalformed = &webhookError{msg: "webhook signature: the " + SignatureHeader + " header is not a hex HMAC-SHA256", kind: telematics.ErrUnauthorized}
	// ErrSignatureMismatch: the header is well formed but is not the HMAC of the body
	// under any of the management tokens given.
	ErrSignatureMismatch = &webhookError{msg: "webhook signature: the " + SignatureHeader + " header does not match the body", kind: telematics.ErrUnauthorized}
	// ErrNoManagementToken: no (non-empty) Application Management Token was given.
	ErrNoManagementToken = &webhookError{msg: "webhook: no Application Management Token given", kind: telematics.ErrInvalidInput}
)

// webhookError is a sentinel of the webhook code: its message is prefixed with the
// provider's name and it matches its telematics kind.
type webhookError struct {
	msg  string
	kind error
}

func (e *webhookError) Error() string        { return Provider + ": " + e.msg }
func (e *webhookError) Is(target error) bool { return target == e.kind }

// HashChallenge answers Smartcar's VERIFY challenge: the hex HMAC-SHA256 of challenge
// keyed with the Application Management Token, as the official SDKs' hashChallenge
// ([C], docs/evidence.md Smartcar §9). It is also the signature of a body equal to
// challenge.
func HashChallenge(managementToken, challenge string) string {
	mac := hmac.New(sha256.New, []byte(managementToken))
	mac.Write([]byte(challenge))
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a webhook delivery's SC-Signature header against its raw body
// (the bytes as received, before any JSON parsing: re-serialising a parsed body changes
// numbers such as 1.0 and breaks the check) under each of the management tokens, so that
// the previous and the new token both pass while a token is being rotated. The
// comparison takes constant time. The error says what failed — ErrSignatureMissing,
// ErrSignatureMalformed (not hex, or not 64 digits), ErrSignatureMismatch,
// ErrNoManagementToken — without quoting a token or a signature.
func VerifySignature(body []byte, signature string, managementTokens ...string) error {
	_, err := verifySignature(body, signature, managementTokens)
	return err
}

// verifySignature is VerifySignature that also returns the token that matched.
func verifySignature(body []byte, signature string, tokens []string) (string, error) {
	var want [sha256.Size]byte
	if err := decodeSignature(signature, &want); err != nil {
		return "", err
	}
	var got [sha256.Size]byte
	matched, n := -1, 0
	for i, tok := range tokens {
		if tok == "" {
			continue
		}
		n++
		mac := hmac.New(sha256.New, []byte(tok))
		mac.Write(body)
		// Every token is tried, so the time does not say which one matched.
		if hmac.Equal(mac.Sum(got[:0]), want[:]) && matched < 0 {
			matched = i
		}
	}
	switch {
	case n == 0:
		return "", ErrNoManagementToken
	case matched < 0:
		return "", fmt.Errorf("%w (%d-byte body, %d management token%s tried; sign the raw body with the Application Management Token, not the client secret)", ErrSignatureMismatch, len(body), n, plural(n))
	}
	return tokens[matched], nil
}

// decodeSignature decodes a hex signature, ignoring surrounding white space.
func decodeSignature(signature string, dst *[sha256.Size]byte) error {
	s := strings.TrimSpace(signature)
	switch {
	case s == "":
		return ErrSignatureMissing
	case len(s) != signatureLen:
		return fmt.Errorf("%w: %d characters, want %d", ErrSignatureMalformed, len(s), signatureLen)
	}
	if _, err := hex.Decode(dst[:], []byte(s)); err != nil {
		return fmt.Errorf("%w: %s", ErrSignatureMalformed, hexProblem(s))
	}
	return nil
}

// hexProblem says where s stops being hex, without quoting it.
func hexProblem(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return fmt.Sprintf("character %d is not a hex digit", i+1)
		}
	}
	return "not hex"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// EnvManagementToken names the environment variable that holds the Application
// Management Token by convention: examples/smartcar-webhook reads it and the sandbox
// exports it. FromEnv does not read it (the client does not need it).
const EnvManagementToken = "SMARTCAR_MANAGEMENT_TOKEN"
