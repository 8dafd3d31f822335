package httpcore

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/telematics"
)

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		name string
		text ErrorText
		want string
	}{
		{"everything", ErrorText{
			Provider: "p", Method: "POST", URL: "https://x/y", Status: StatusText(502), Code: "UPSTREAM:NO_RESPONSE",
			Message: "no\nresponse", Notes: []string{"resolution: RETRY_LATER", " "}, RetryAfter: 1500 * time.Millisecond,
			RequestID: "r-1", MayHaveSucceeded: true,
		}, "p: POST https://x/y: 502 Bad Gateway: UPSTREAM:NO_RESPONSE: no response (resolution: RETRY_LATER, retry after 1.5s, request id r-1, the request may have been applied)"},
		{"status only", ErrorText{Provider: "p", Method: "GET", URL: "/v", Status: StatusText(404)}, "p: GET /v: 404 Not Found"},
		{"a message that repeats the code", ErrorText{Provider: "p", Status: "430", Code: "x", Message: "x"}, "p: 430: x"},
		{"retry after alone", ErrorText{Provider: "p", Method: "GET", Status: StatusText(429), RetryAfter: time.Hour}, "p: GET: 429 Too Many Requests (retry after 1h0m0s)"},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.text.String()) })
	}
	long := ErrorText{Provider: "p", Status: "500", Message: strings.Repeat("é", 400), RequestID: "Bearer abcdefghijklmnopqrstuvwxyz0123456789"}.String()
	assert.Less(t, len(long), 700, "provider text is clipped")
	assert.NotContains(t, long, "abcdefghijklmnopqrstuvwxyz0123456789", "and stripped of credentials")
}

// An answered error and a broken connection say "may have been applied" in the same words.
func TestMayHaveBeenAppliedIsWordedOnce(t *testing.T) {
	re := &telematics.RequestError{Provider: "p", Method: http.MethodPost, URL: "/c", Sent: true, Err: errors.New("EOF")}
	assert.Equal(t, "p: POST /c: EOF ("+mayHaveBeenApplied+")", re.Error())
}

func TestMayHaveSucceededRule(t *testing.T) {
	for _, status := range []int{500, 502, 504, 505, 520, 524} {
		for _, m := range []string{http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			assert.True(t, MayHaveSucceeded(m, status), "%s %d", m, status)
		}
		for _, m := range []string{"", http.MethodGet, http.MethodHead} {
			assert.False(t, MayHaveSucceeded(m, status), "%q %d: not a write", m, status)
		}
	}
	for _, status := range []int{200, 400, 404, 409, 429, 430, 501, 503} {
		assert.False(t, MayHaveSucceeded(http.MethodPost, status), "%d: not acted on", status)
	}
}
