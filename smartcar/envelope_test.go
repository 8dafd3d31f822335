package smartcar_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// envelopeCall is one public list call; it returns how many items it produced.
type envelopeCall struct {
	name, pattern string
	run           func(ctx context.Context, c *smartcar.Client) (int, error)
}

var envelopeCalls = []envelopeCall{
	{"Connections.List", "GET /v3/connections", func(ctx context.Context, c *smartcar.Client) (int, error) {
		p, err := c.Connections.List(ctx, nil)
		if err != nil {
			return 0, err
		}
		return len(p.Items), nil
	}},
	{"Connections.All", "GET /v3/connections", func(ctx context.Context, c *smartcar.Client) (int, error) {
		n := 0
		for _, err := range c.Connections.All(ctx, nil) {
			if err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}},
	{"Subscriptions.List", "GET /mgmt/v3/subscriptions", func(ctx context.Context, c *smartcar.Client) (int, error) {
		p, err := c.Subscriptions.List(ctx, nil)
		if err != nil {
			return 0, err
		}
		return len(p.Items), nil
	}},
	{"Subscriptions.All", "GET /mgmt/v3/subscriptions", func(ctx context.Context, c *smartcar.Client) (int, error) {
		n := 0
		for _, err := range c.Subscriptions.All(ctx, nil) {
			if err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}},
	{"Signals.List", "GET /v3/vehicles/{id}/signals", func(ctx context.Context, c *smartcar.Client) (int, error) {
		set, err := c.Signals.List(ctx, "v1", alice())
		if err != nil {
			return 0, err
		}
		return len(set.Signals), nil
	}},
}

func (f *scripted) serveBody(pattern, body string) {
	f.handle(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

// A success status whose body is not the collection envelope is a malformed response,
// never an empty list.
func TestListWithoutEnvelopeIsMalformed(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{
		`{}`,
		`{"message":"upstream timeout"}`,
		`{"meta":{"totalCount":3},"links":{"next":null}}`,
		`{"items":[]}`,
		`null`,
		`[]`,
		`"ok"`,
	} {
		for _, call := range envelopeCalls {
			t.Run(call.name+"/"+body, func(t *testing.T) {
				f := newScripted(t)
				f.serveBody(call.pattern, body)
				n, err := call.run(ctx, f.client)
				require.Error(t, err)
				assert.Zero(t, n)
				assert.ErrorIs(t, err, telematics.ErrMalformedResponse)
				assert.NotErrorIs(t, err, telematics.ErrUnavailable)
			})
		}
	}
}

// An empty or null "data" is an empty list.
func TestListEmptyEnvelope(t *testing.T) {
	ctx := context.Background()
	for _, body := range []string{
		`{"data":[]}`,
		`{"data":null}`,
		`{"data":[],"meta":{"totalCount":0},"links":{"next":null}}`,
		`{"data":[{"id":"x","type":"connection"}],"data":null}`,
	} {
		for _, call := range envelopeCalls {
			t.Run(call.name+"/"+body, func(t *testing.T) {
				f := newScripted(t)
				f.serveBody(call.pattern, body)
				n, err := call.run(ctx, f.client)
				require.NoError(t, err)
				assert.Zero(t, n)
			})
		}
	}
}
