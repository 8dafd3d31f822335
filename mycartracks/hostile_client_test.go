package mycartracks_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// The fake's scripted hostile answers, met through the public client: a 200 without the
// list envelope ends neither List nor All silently.
func TestHostileFakeEnvelopeThroughClient(t *testing.T) {
	for _, fault := range []mycartrackstest.FaultKind{mycartrackstest.FaultNoData, mycartrackstest.FaultEmptyObject} {
		t.Run(fault.String(), func(t *testing.T) {
			f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(3)})
			ctx := context.Background()

			f.srv.FailNext(fault)
			_, err := f.client.Vehicles.List(ctx, nil)
			require.ErrorIs(t, err, telematics.ErrMalformedResponse)
			var re *telematics.RequestError
			require.True(t, errors.As(err, &re), "a RequestError naming the call: %v", err)
			assert.Contains(t, re.URL, "/vehicles")

			f.srv.FailNext(fault)
			var n int
			var iterErr error
			for _, err := range f.client.Vehicles.All(ctx, nil) {
				if err != nil {
					iterErr = err
					break
				}
				n++
			}
			require.ErrorIs(t, iterErr, telematics.ErrMalformedResponse)
			assert.Zero(t, n, "nothing is yielded from a body without data")

			// The next call is served normally.
			var got []mycartracks.Vehicle
			for v, err := range f.client.Vehicles.All(ctx, nil) {
				require.NoError(t, err)
				got = append(got, v)
			}
			assert.Len(t, got, 3)
		})
	}
}

// The fake echoes the bearer token \u-escaped and %-encoded and the credentials as a
// Basic value: none of it reaches the error the client returns, nor its debug log.
func TestHostileFakeEchoedTokenThroughClient(t *testing.T) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(2))
	t.Cleanup(srv.Close)
	seen := &tokenRecorder{next: srv.Client().Transport}
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logBuf, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := srv.NewClient(mycartracks.WithHTTPClient(&http.Client{Transport: seen}), mycartracks.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c.Close)

	srv.FailNext(mycartrackstest.FaultEchoToken)
	_, err = c.Vehicles.List(context.Background(), nil)
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	var apiErr *mycartracks.APIError
	require.ErrorAs(t, err, &apiErr)

	tok := seen.token()
	require.NotEmpty(t, tok)
	logMu.Lock()
	logged := logBuf.String()
	logMu.Unlock()
	basic := base64.StdEncoding.EncodeToString([]byte(srv.ClientID + ":" + srv.ClientSecret))
	for name, text := range map[string]string{
		"Error": err.Error(), "%+v": fmt.Sprintf("%+v", err), "%#v": fmt.Sprintf("%#v", apiErr),
		"Body": string(apiErr.Body), "Message": apiErr.Message, "log": logged,
	} {
		for _, secret := range []string{tok, url.QueryEscape(tok), srv.ClientSecret, basic} {
			assert.NotContains(t, text, secret, name)
		}
		assert.NotContains(t, strings.ToLower(text), `\u00`, name+": no escaped remnant of the token")
	}
}

// tokenRecorder is a transport that remembers the last bearer token sent through it.
type tokenRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	last string
}

func (r *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if v, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		r.mu.Lock()
		r.last = v
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func (r *tokenRecorder) token() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// An endless 200 from the fake ends in ErrResponseTooLarge within the client's cap,
// and the client goes on working.
func TestHostileFakeEndlessBodyThroughClient(t *testing.T) {
	f := newFake(t, []mycartrackstest.Option{mycartrackstest.WithVehicles(2)}, mycartracks.WithMaxResponseBody(4<<20))
	ctx := context.Background()
	f.srv.FailNext(mycartrackstest.FaultEndless)
	_, err := f.client.Vehicles.List(ctx, nil)
	require.ErrorIs(t, err, telematics.ErrResponseTooLarge)
	assert.False(t, errors.Is(err, telematics.ErrUnavailable), "not a network failure: %v", err)

	page, err := f.client.Vehicles.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
}
