package mycartracks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
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
	seen := &testkit.TokenRecorder{Next: srv.Client().Transport}
	logger, logBuf := testkit.DebugLogger()
	c, err := srv.NewClient(mycartracks.WithHTTPClient(&http.Client{Transport: seen}), mycartracks.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(c.Close)

	srv.FailNext(mycartrackstest.FaultEchoToken)
	_, err = c.Vehicles.List(context.Background(), nil)
	require.ErrorIs(t, err, telematics.ErrInvalidInput)
	var apiErr *mycartracks.APIError
	require.ErrorAs(t, err, &apiErr)

	tok := seen.Last()
	require.NotEmpty(t, tok)
	texts := testkit.ErrorTexts(err)
	texts["Body"], texts["Message"], texts["log"] = string(apiErr.Body), apiErr.Message, logBuf.String()
	testkit.AssertNoSecrets(t, texts, srv.ClientID, srv.ClientSecret, tok)
	for name, text := range texts {
		assert.NotContains(t, strings.ToLower(text), `\u00`, name+": no escaped remnant of the token")
	}
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
