// Package conformance_test holds the tests that hold both providers to one house: the
// same input gets the same answer from mycartracks and smartcar.
package conformance_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

const (
	id     = "client-id"
	secret = "a-client-secret-never-shown"
)

// neutral makes two providers' messages comparable: the provider's name, its
// environment variables and the names of its paging fields become one spelling.
var neutral = strings.NewReplacer(
	"mycartracks", "P", "smartcar", "P", "MYCARTRACKS", "P", "SMARTCAR", "P",
	"PageNumber", "position", "Offset", "position", "PageSize", "size", "Limit", "size",
)

// sameVerdict asserts that both errors are nil, or that both match
// telematics.ErrInvalidInput and read the same once neutral; when wantErr is set, that
// they failed. prefix, when set, compares the messages only up to it (a hint that names
// a provider's own option).
func sameVerdict(t *testing.T, wantErr bool, mct, sc error, prefix string) {
	t.Helper()
	if !wantErr {
		assert.NoError(t, mct, "mycartracks")
		assert.NoError(t, sc, "smartcar")
		return
	}
	require.Error(t, mct, "mycartracks")
	require.Error(t, sc, "smartcar")
	assert.ErrorIs(t, mct, telematics.ErrInvalidInput, "mycartracks")
	assert.ErrorIs(t, sc, telematics.ErrInvalidInput, "smartcar")
	assert.True(t, strings.HasPrefix(mct.Error(), "mycartracks: "), mct.Error())
	assert.True(t, strings.HasPrefix(sc.Error(), "smartcar: "), sc.Error())
	a, b := neutral.Replace(mct.Error()), neutral.Replace(sc.Error())
	if prefix != "" {
		a, _, _ = strings.Cut(a, prefix)
		b, _, _ = strings.Cut(b, prefix)
	}
	assert.Equal(t, a, b, "the same message in both")
	for _, msg := range []string{mct.Error(), sc.Error()} {
		assert.NotContains(t, msg, secret)
		assert.NotContains(t, msg, "\n", "one line")
	}
}

// option is one client option as both providers spell it.
type option struct {
	mct mycartracks.Option
	sc  smartcar.Option
}

func both(mct mycartracks.Option, sc smartcar.Option) option { return option{mct, sc} }

// The same option values, valid and invalid, get the same verdict from both NewClients.
func TestNewClientSameVerdicts(t *testing.T) {
	slow := rate.NewLimiter(rate.Every(time.Minute), 1)
	tests := []struct {
		name    string
		id, sec string
		opts    []option
		wantErr bool
	}{
		{name: "defaults"},
		{name: "max wait 0 never waits", opts: []option{both(mycartracks.WithMaxWait(0), smartcar.WithMaxWait(0))}},
		{name: "negative max wait", opts: []option{both(mycartracks.WithMaxWait(-time.Second), smartcar.WithMaxWait(-time.Second))}, wantErr: true},
		{name: "no retries", opts: []option{both(mycartracks.WithMaxRetries(0), smartcar.WithMaxRetries(0))}},
		{name: "negative retries", opts: []option{both(mycartracks.WithMaxRetries(-1), smartcar.WithMaxRetries(-1))}, wantErr: true},
		{name: "zero timeout", opts: []option{both(mycartracks.WithTimeout(0), smartcar.WithTimeout(0))}, wantErr: true},
		{name: "negative timeout", opts: []option{both(mycartracks.WithTimeout(-time.Second), smartcar.WithTimeout(-time.Second))}, wantErr: true},
		{name: "timeout", opts: []option{both(mycartracks.WithTimeout(time.Second), smartcar.WithTimeout(time.Second))}},
		{name: "zero response body", opts: []option{both(mycartracks.WithMaxResponseBody(0), smartcar.WithMaxResponseBody(0))}, wantErr: true},
		{name: "nil HTTP client", opts: []option{both(mycartracks.WithHTTPClient(nil), smartcar.WithHTTPClient(nil))}, wantErr: true},
		{name: "HTTP client", opts: []option{both(mycartracks.WithHTTPClient(&http.Client{}), smartcar.WithHTTPClient(&http.Client{}))}},
		{name: "nil clock", opts: []option{both(mycartracks.WithClock(nil), smartcar.WithClock(nil))}, wantErr: true},
		{name: "nil logger is silence", opts: []option{both(mycartracks.WithLogger(nil), smartcar.WithLogger(nil))}},
		{name: "logger", opts: []option{both(mycartracks.WithLogger(slog.Default()), smartcar.WithLogger(slog.Default()))}},
		{name: "CR in the user agent", opts: []option{both(mycartracks.WithUserAgent("app\rX: 1"), smartcar.WithUserAgent("app\rX: 1"))}, wantErr: true},
		{name: "LF in the user agent", opts: []option{both(mycartracks.WithUserAgent("app\nX: 1"), smartcar.WithUserAgent("app\nX: 1"))}, wantErr: true},
		{name: "user agent", opts: []option{both(mycartracks.WithUserAgent("dispatch/2.1"), smartcar.WithUserAgent("dispatch/2.1"))}},
		{name: "empty client ID", id: "", sec: secret, wantErr: true},
		{name: "blank client ID", id: " \t", sec: secret, wantErr: true},
		{name: "blank secret", id: id, sec: "  ", wantErr: true},
		{name: "budget", opts: []option{both(mycartracks.WithBudget(10, time.Minute), smartcar.WithBudget(10, time.Minute))}},
		{name: "empty budget", opts: []option{both(mycartracks.WithBudget(0, time.Minute), smartcar.WithBudget(0, time.Minute))}, wantErr: true},
		{name: "budget over no time", opts: []option{both(mycartracks.WithBudget(10, 0), smartcar.WithBudget(10, 0))}, wantErr: true},
		{name: "rate limiter", opts: []option{both(mycartracks.WithRateLimiter(slow), smartcar.WithRateLimiter(slow))}},
		{name: "nil rate limiter removes it", opts: []option{both(mycartracks.WithRateLimiter(nil), smartcar.WithRateLimiter(nil))}},
		{name: "bad budget not undone by a limiter", opts: []option{
			both(mycartracks.WithBudget(0, time.Minute), smartcar.WithBudget(0, time.Minute)),
			both(mycartracks.WithRateLimiter(slow), smartcar.WithRateLimiter(slow))}, wantErr: true},
		{name: "relative token URL", opts: []option{both(mycartracks.WithTokenURL("/oauth/token"), smartcar.WithTokenURL("/oauth/token"))}, wantErr: true},
		{name: "token URL with credentials", opts: []option{both(mycartracks.WithTokenURL("https://u:"+secret+"@%zz"), smartcar.WithTokenURL("https://u:"+secret+"@%zz"))}, wantErr: true},
		{name: "every mistake at once", id: " ", sec: secret, opts: []option{
			both(mycartracks.WithMaxWait(-time.Second), smartcar.WithMaxWait(-time.Second)),
			both(mycartracks.WithHTTPClient(nil), smartcar.WithHTTPClient(nil)),
			both(mycartracks.WithUserAgent("a\r\nb"), smartcar.WithUserAgent("a\r\nb")),
			both(mycartracks.WithMaxRetries(-2), smartcar.WithMaxRetries(-2))}, wantErr: true},
		{name: "nil options are skipped", opts: []option{both(nil, nil)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cid, csec := tc.id, tc.sec
			if cid == "" && csec == "" {
				cid, csec = id, secret
			}
			var mo []mycartracks.Option
			var so []smartcar.Option
			for _, o := range tc.opts {
				mo, so = append(mo, o.mct), append(so, o.sc)
			}
			mc, merr := mycartracks.NewClient(cid, csec, mo...)
			sc, serr := smartcar.NewClient(cid, csec, so...)
			if mc != nil {
				mc.Close()
			}
			if sc != nil {
				sc.Close()
			}
			sameVerdict(t, tc.wantErr, merr, serr, "")
			if tc.wantErr {
				assert.Nil(t, mc)
				assert.Nil(t, sc)
			}
			if tc.name == "every mistake at once" {
				for _, want := range []string{"client ID and client secret are required", "maximum wait -1s", "nil HTTP client", "line break", "maximum retries -2"} {
					assert.Contains(t, merr.Error(), want)
				}
			}
		})
	}
}

// fakes holds one client of each provider on its fake server.
type fakes struct {
	mctSrv *mycartrackstest.Server
	scSrv  *smartcartest.Server
	mct    *mycartracks.Client
	sc     *smartcar.Client
	mctID  mycartracks.ID
}

func newFakes(t *testing.T) *fakes {
	t.Helper()
	f := &fakes{mctSrv: mycartrackstest.NewServer(), scSrv: smartcartest.NewServer()}
	t.Cleanup(f.mctSrv.Close)
	t.Cleanup(f.scSrv.Close)
	var err error
	f.mct, err = mycartracks.NewClient(f.mctSrv.ClientID, f.mctSrv.ClientSecret,
		mycartracks.WithBaseURL(f.mctSrv.BaseURL), mycartracks.WithTokenURL(f.mctSrv.TokenURL))
	require.NoError(t, err)
	t.Cleanup(f.mct.Close)
	f.sc, err = f.scSrv.NewClient()
	require.NoError(t, err)
	t.Cleanup(f.sc.Close)
	page, err := f.mct.Vehicles.List(context.Background(), &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 1}})
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	f.mctID = page.Items[0].ID
	return f
}

// sent returns how many API requests each fake received.
func (f *fakes) sent() (int, int) { return len(f.mctSrv.Requests()), len(f.scSrv.Requests()) }

// The same per-call options get the same verdict from both providers, and a refused one
// sends nothing.
func TestRequestOptionsSameVerdicts(t *testing.T) {
	f := newFakes(t)
	ctx := context.Background()
	type reqOpt struct {
		mct mycartracks.RequestOption
		sc  smartcar.RequestOption
	}
	header := func(k, v string) reqOpt { return reqOpt{mycartracks.WithHeader(k, v), smartcar.WithHeader(k, v)} }
	timeout := func(d time.Duration) reqOpt {
		return reqOpt{mycartracks.WithRequestTimeout(d), smartcar.WithRequestTimeout(d)}
	}
	var mresp, sresp telematics.Response
	tests := []struct {
		name    string
		opts    []reqOpt
		wantErr bool
		prefix  string // compare messages up to here: the rest names the provider's own option
	}{
		{name: "none"},
		{name: "header", opts: []reqOpt{header("X-Trace", "t-1")}},
		{name: "Authorization", opts: []reqOpt{header("Authorization", "Bearer other-token")}, wantErr: true},
		{name: "authorization, any case", opts: []reqOpt{header("authorization", "Bearer other-token")}, wantErr: true},
		{name: "User-Agent", opts: []reqOpt{header("User-Agent", "x")}, wantErr: true},
		{name: "Accept", opts: []reqOpt{header("Accept", "text/html")}, wantErr: true},
		{name: "Content-Type", opts: []reqOpt{header("Content-Type", "text/plain")}, wantErr: true},
		{name: "Content-Length", opts: []reqOpt{header("Content-Length", "5")}, wantErr: true},
		{name: "Host", opts: []reqOpt{header("Host", "evil.example.com")}, wantErr: true, prefix: "set the API"},
		{name: "line break in a value", opts: []reqOpt{header("X-Bad", "a\r\nb")}, wantErr: true},
		{name: "line break in a name", opts: []reqOpt{header("X-Bad\n", "a")}, wantErr: true},
		{name: "empty name", opts: []reqOpt{header(" ", "a")}, wantErr: true},
		{name: "request timeout", opts: []reqOpt{timeout(30 * time.Second)}},
		{name: "zero request timeout", opts: []reqOpt{timeout(0)}, wantErr: true},
		{name: "negative request timeout", opts: []reqOpt{timeout(-time.Second)}, wantErr: true},
		{name: "response", opts: []reqOpt{{mycartracks.WithResponse(&mresp), smartcar.WithResponse(&sresp)}}},
		{name: "every mistake at once", opts: []reqOpt{header("Authorization", "x"), timeout(0), header("X", "\n")}, wantErr: true},
		{name: "nil options are skipped", opts: []reqOpt{{nil, nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mo []mycartracks.RequestOption
			var so []smartcar.RequestOption
			for _, o := range tc.opts {
				mo, so = append(mo, o.mct), append(so, o.sc)
			}
			m0, s0 := f.sent()
			_, merr := f.mct.Vehicles.Get(ctx, f.mctID, mo...)
			_, serr := f.sc.Vehicles.Get(ctx, smartcartest.VehicleModel3, so...)
			sameVerdict(t, tc.wantErr, merr, serr, tc.prefix)
			m1, s1 := f.sent()
			if tc.wantErr {
				assert.Equal(t, m0, m1, "mycartracks sent nothing")
				assert.Equal(t, s0, s1, "smartcar sent nothing")
				for _, err := range []error{merr, serr} {
					assert.Contains(t, err.Error(), "(request not sent)")
					assert.NotContains(t, err.Error(), "other-token")
				}
			} else {
				assert.Equal(t, m0+1, m1)
				assert.Equal(t, s0+1, s1)
			}
		})
	}
	assert.Equal(t, 200, mresp.StatusCode)
	assert.Equal(t, 200, sresp.StatusCode)
}

// A zero or blank id and a negative page position are refused before sending by both
// providers: GET /vehicles/0 is never sent.
func TestCallArgumentsSameVerdicts(t *testing.T) {
	f := newFakes(t)
	ctx := context.Background()
	// first returns the error of an iterator's first item.
	first := func(seq func(yield func(struct{}, error) bool)) error {
		var err error
		seq(func(_ struct{}, e error) bool { err = e; return false })
		return err
	}
	mctAll := func(o *mycartracks.ListOptions) error {
		return first(func(yield func(struct{}, error) bool) {
			for _, err := range f.mct.Vehicles.All(ctx, o) {
				if !yield(struct{}{}, err) {
					return
				}
			}
		})
	}
	scAll := func(o *smartcar.ConnectionListOptions) error {
		return first(func(yield func(struct{}, error) bool) {
			for _, err := range f.sc.Connections.All(ctx, o) {
				if !yield(struct{}{}, err) {
					return
				}
			}
		})
	}
	get := func(mctID mycartracks.ID, scID string) (error, error) {
		_, merr := f.mct.Vehicles.Get(ctx, mctID)
		_, serr := f.sc.Vehicles.Get(ctx, scID)
		return merr, serr
	}
	list := func(offset, limit int) (error, error) {
		_, merr := f.mct.Vehicles.List(ctx, &mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: offset, Limit: limit}})
		_, serr := f.sc.Connections.List(ctx, &smartcar.ConnectionListOptions{PageNumber: offset, PageSize: limit})
		return merr, serr
	}
	all := func(offset, limit int) (error, error) {
		return mctAll(&mycartracks.ListOptions{Paging: mycartracks.Paging{Offset: offset, Limit: limit}}),
			scAll(&smartcar.ConnectionListOptions{PageNumber: offset, PageSize: limit})
	}
	tests := []struct {
		name    string
		call    func() (error, error)
		wantErr bool
		// sameText: the messages read the same once neutral; ids are spelled apart, and
		// mycartracks names the operation, so only their reason is compared.
		sameText bool
	}{
		{name: "an id", call: func() (error, error) { return get(f.mctID, smartcartest.VehicleModel3) }},
		{name: "zero or empty id", call: func() (error, error) { return get(0, "") }, wantErr: true},
		{name: "zero or blank id", call: func() (error, error) { return get(0, " \t") }, wantErr: true},
		{name: "list, first page", call: func() (error, error) { return list(0, 0) }},
		{name: "list, negative position", call: func() (error, error) { return list(-1, 10) }, wantErr: true, sameText: true},
		{name: "list, negative size", call: func() (error, error) { return list(1, -10) }, wantErr: true, sameText: true},
		{name: "list, both negative", call: func() (error, error) { return list(-1, -1) }, wantErr: true, sameText: true},
		{name: "all, negative position", call: func() (error, error) { return all(-3, 0) }, wantErr: true, sameText: true},
		{name: "all, negative size", call: func() (error, error) { return all(0, -3) }, wantErr: true, sameText: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m0, s0 := f.sent()
			merr, serr := tc.call()
			if tc.wantErr && !tc.sameText {
				require.Error(t, merr)
				require.Error(t, serr)
				assert.ErrorIs(t, merr, telematics.ErrInvalidInput)
				assert.ErrorIs(t, serr, telematics.ErrInvalidInput)
				for _, err := range []error{merr, serr} {
					assert.Contains(t, err.Error(), "is not a valid identifier (request not sent)")
				}
			} else {
				sameVerdict(t, tc.wantErr, merr, serr, "")
			}
			if tc.wantErr {
				m1, s1 := f.sent()
				assert.Equal(t, m0, m1, "mycartracks sent nothing")
				assert.Equal(t, s0, s1, "smartcar sent nothing")
			}
		})
	}
}
