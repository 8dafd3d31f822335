package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// provider is one provider's client against a loopback server whose list endpoint
// answers what the test scripts.
type provider struct {
	name string
	// list lists the provider's first collection (MyCarTracks vehicles, Smartcar
	// connections).
	list func(ctx context.Context) error
	// close closes the client.
	close func()
	// errorBody is the provider's error body of a status, with its code and message.
	errorBody func(status int, code, message string) string
	// codes are the provider's codes for the failures of the test, as its errors print
	// them.
	codes map[int]string
}

type script struct {
	status int
	header http.Header
	body   string
}

// serve starts a loopback provider: a token endpoint and an API under a non-root base
// path, whose every API request gets the current script.
func serve(t *testing.T, base string, current *script) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"conformance-token","token_type":"Bearer","expires_in":3600,"scope":"read"}`))
	})
	mux.HandleFunc(base+"/", func(w http.ResponseWriter, r *http.Request) {
		for k, v := range current.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(current.status)
		_, _ = w.Write([]byte(current.body))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// builder builds a provider's client, paced by lim when it is not nil.
type builder func(t *testing.T, s *script, lim *rate.Limiter) *provider

var builders = []builder{newMyCarTracks, newSmartcar}

func newMyCarTracks(t *testing.T, s *script, lim *rate.Limiter) *provider {
	srv := serve(t, "/services/rest/v3", s)
	c, err := mycartracks.NewClient("client-id", "client-secret", mycartracks.WithBaseURL(srv.URL+"/services/rest/v3"),
		mycartracks.WithTokenURL(srv.URL+"/token"), mycartracks.WithMaxRetries(0), mycartracks.WithRateLimiter(lim))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return &provider{
		name: mycartracks.Provider,
		list: func(ctx context.Context) error {
			_, err := c.Vehicles.List(ctx, nil)
			return err
		},
		close: c.Close,
		errorBody: func(_ int, code, message string) string {
			return `{"error":"` + code + `","message":"` + message + `"}`
		},
		codes: map[int]string{429: "rate_limit_exceeded", 404: "not_found"},
	}
}

func newSmartcar(t *testing.T, s *script, lim *rate.Limiter) *provider {
	srv := serve(t, "/v3", s)
	opts := []smartcar.Option{smartcar.WithVehicleAPIURL(srv.URL + "/v3"), smartcar.WithManagementAPIURL(srv.URL + "/v3"),
		smartcar.WithTokenURL(srv.URL + "/token"), smartcar.WithMaxRetries(0)}
	if lim != nil {
		opts = append(opts, smartcar.WithRateLimiter(lim))
	}
	c, err := smartcar.NewClient("client_id", "client-secret", opts...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return &provider{
		name: smartcar.Provider,
		list: func(ctx context.Context) error {
			_, err := c.Connections.List(ctx, nil)
			return err
		},
		close: c.Close,
		errorBody: func(status int, code, message string) string {
			typ, c, _ := strings.Cut(code, ":")
			return `{"errors":[{"status":"` + strconv.Itoa(status) + `","type":"` + typ + `","code":"` + c + `","detail":"` + message + `"}]}`
		},
		codes: map[int]string{429: "RATE_LIMIT:SMARTCAR_API", 404: "RESOURCE_NOT_FOUND:PATH"},
	}
}

var loopbackURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/\S*?: `)

// shape is the text of err with what differs between providers by nature replaced: the
// provider's name, the request URL and the provider's code.
func shape(p *provider, err error) string {
	s := loopbackURL.ReplaceAllString(err.Error(), "<url>: ")
	for _, code := range p.codes {
		s = strings.ReplaceAll(s, code, "<code>")
	}
	return strings.Replace(s, p.name+": ", "<provider>: ", 1)
}

// The same failure reads alike in both providers: one provider prefix, the request, the
// status, the provider's code and message, then one parenthesis in the same order and
// words. The shapes are compared with each other and with the expected one.
func TestSameFailureSameErrorText(t *testing.T) {
	requestID := http.Header{"X-Request-Id": {"req-1"}, "Sc-Request-Id": {"req-1"}}
	for _, tc := range []struct {
		name   string
		script func(p *provider) script
		is     error
		want   string // the shape; a regular expression when it starts with ^
		check  func(t *testing.T, err error)
	}{
		{
			name: "429 with Retry-After",
			script: func(p *provider) script {
				h := requestID.Clone()
				h.Set("Retry-After", "3600")
				return script{429, h, p.errorBody(429, p.codes[429], "Too many requests")}
			},
			is:   telematics.ErrRateLimited,
			want: "<provider>: GET <url>: 429 Too Many Requests: <code>: Too many requests (retry after 1h0m0s, request id req-1)",
			check: func(t *testing.T, err error) {
				var rl *telematics.RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, http.MethodGet, rl.Method)
				assert.NotEmpty(t, rl.URL)
			},
		},
		{
			name: "404",
			script: func(p *provider) script {
				return script{404, requestID, p.errorBody(404, p.codes[404], "Nothing here")}
			},
			is:   telematics.ErrNotFound,
			want: "<provider>: GET <url>: 404 Not Found: <code>: Nothing here (request id req-1)",
		},
		{
			name:   "malformed body",
			script: func(*provider) script { return script{200, requestID, `{"message":"upstream timeout"}`} },
			is:     telematics.ErrMalformedResponse,
			want:   `^<provider>: GET <url>: malformed response: [^()]+$`,
			check: func(t *testing.T, err error) {
				var re *telematics.RequestError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, http.MethodGet, re.Method)
				assert.NotEmpty(t, re.URL)
				assert.Equal(t, 1, re.Attempts)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var shapes []string
			for _, build := range builders {
				s := &script{}
				p := build(t, s, nil)
				*s = tc.script(p)
				err := p.list(context.Background())
				require.Error(t, err, p.name)
				assert.ErrorIs(t, err, tc.is, p.name)
				assert.Equal(t, 1, strings.Count(err.Error(), p.name), "one provider prefix: %s", err)
				assert.LessOrEqual(t, strings.Count(err.Error(), "("), 1, "one parenthesis: %s", err)
				if tc.check != nil {
					tc.check(t, err)
				}
				t.Log(err)
				got := shape(p, err)
				if strings.HasPrefix(tc.want, "^") {
					assert.Regexp(t, tc.want, got, p.name)
				} else {
					assert.Equal(t, tc.want, got, p.name)
				}
				shapes = append(shapes, regexp.MustCompile(`malformed response: .*`).ReplaceAllString(got, "malformed response: <cause>"))
			}
			assert.Equal(t, shapes[0], shapes[1], "both providers")
		})
	}

	t.Run("call after Close", func(t *testing.T) {
		var shapes []string
		for _, build := range builders {
			p := build(t, &script{200, nil, `{"data":[]}`}, nil)
			p.close()
			err := p.list(context.Background())
			assert.ErrorIs(t, err, telematics.ErrClientClosed, p.name)
			assert.NotErrorIs(t, err, telematics.ErrUnavailable, p.name)
			t.Log(err)
			got := shape(p, err)
			assert.Equal(t, "<provider>: GET <url>: client closed (request not sent)", got, p.name)
			shapes = append(shapes, got)
		}
		assert.Equal(t, shapes[0], shapes[1])
	})

	t.Run("client-side budget spent", func(t *testing.T) {
		var shapes []string
		for _, build := range builders {
			p := build(t, &script{200, nil, `{"data":[]}`}, rate.NewLimiter(rate.Every(time.Hour), 1))
			require.NoError(t, p.list(context.Background()))
			err := p.list(context.Background())
			assert.ErrorIs(t, err, telematics.ErrRateLimited, p.name)
			t.Log(err)
			got := regexp.MustCompile(`retry after [^,]+, budget resets at \S+\)$`).ReplaceAllString(shape(p, err), "retry after <d>, budget resets at <t>)")
			assert.Equal(t, "<provider>: GET <url>: rate limited, request not sent: the budget is spent (retry after <d>, budget resets at <t>)", got, p.name)
			shapes = append(shapes, got)
		}
		assert.Equal(t, shapes[0], shapes[1])
	})

	t.Run("invalid option: blank credentials", func(t *testing.T) {
		for name, build := range map[string]func() error{
			mycartracks.Provider: func() error { _, err := mycartracks.NewClient(" ", ""); return err },
			smartcar.Provider:    func() error { _, err := smartcar.NewClient(" ", ""); return err },
		} {
			err := build()
			t.Log(err)
			assert.ErrorIs(t, err, telematics.ErrInvalidInput, name)
			require.Error(t, err, name)
			assert.True(t, strings.HasPrefix(err.Error(), name+": invalid input: "), err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), name+":"), "one provider prefix: %s", err)
		}
	})
}
