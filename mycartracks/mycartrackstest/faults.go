package mycartrackstest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/fakeapi"
)

// FaultKind is a failure the server injected into one API response on purpose.
type FaultKind int

// The faults a Server can inject.
const (
	// NoFault: the request was served normally.
	NoFault FaultKind = iota
	// FaultInternalError: 500 with a JSON error body; the request was not processed.
	FaultInternalError
	// FaultBadGateway: 502 with an HTML body, as a proxy in front of the API sends it;
	// the request was not processed.
	FaultBadGateway
	// FaultUnavailable: 503 with a JSON error body; the request was not processed.
	FaultUnavailable
	// FaultDropped: the request was processed (a write took effect), then the status
	// line, the headers and half of the body were sent and the connection closed.
	FaultDropped
	// FaultMalformed: the request was processed, then answered 200 with the body
	// truncated to invalid JSON.
	FaultMalformed
	// FaultNoData: 200 with {"message":"upstream timeout"}, valid JSON without the
	// list envelope, as a gateway answering for a timed-out backend may send it; the
	// request was not processed. A client that takes it for an empty list loses the
	// rest of the list.
	FaultNoData
	// FaultEmptyObject: 200 with {}; the request was not processed.
	FaultEmptyObject
	// FaultEchoToken: 400 invalid_request whose body echoes the request's bearer token
	// JSON-escaped (every character as \u00XX) and URL-encoded (every byte as %XX),
	// and the client's credentials as a Basic Authorization value (base64 of
	// id:secret); the request was not processed. An error string or log line built
	// from the body must not show them in any encoding.
	FaultEchoToken
	// FaultEndless: 200 whose JSON body, a list envelope opened and never closed,
	// streams until the client stops reading or the server closes; the request was not
	// processed. A client must bound what it reads.
	FaultEndless
)

// String formats the FaultKind for logs and tables.
func (k FaultKind) String() string {
	switch k {
	case NoFault:
		return "none"
	case FaultInternalError:
		return "500"
	case FaultBadGateway:
		return "502"
	case FaultUnavailable:
		return "503"
	case FaultDropped:
		return "dropped"
	case FaultMalformed:
		return "malformed"
	case FaultNoData:
		return "no data"
	case FaultEmptyObject:
		return "empty object"
	case FaultEchoToken:
		return "echo token"
	case FaultEndless:
		return "endless"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// status returns the HTTP status of a fault answered instead of the request, or 0.
func (k FaultKind) status() int {
	switch k {
	case FaultInternalError:
		return http.StatusInternalServerError
	case FaultBadGateway:
		return http.StatusBadGateway
	case FaultUnavailable:
		return http.StatusServiceUnavailable
	case FaultNoData, FaultEmptyObject, FaultEndless:
		return http.StatusOK
	case FaultEchoToken:
		return http.StatusBadRequest
	}
	return 0
}

// Faults makes a share of API requests fail. Each API request that passed
// authentication and the rate limit draws one number from a generator seeded by
// WithSeed: the same sequence of requests meets the same faults on every run. Faults
// never touch the token endpoint (see Server.FailTokenRequests for that).
type Faults struct {
	// ServerErrors is the share of requests answered 500, 502 or 503 (equally likely),
	// before anything is processed.
	ServerErrors float64
	// Dropped is the share of requests whose connection is closed mid-response, after
	// the request was processed.
	Dropped float64
	// Malformed is the share of requests answered 200 with truncated JSON, after the
	// request was processed.
	Malformed float64
	// Latency delays every API request that passed authentication and the rate limit,
	// in real time (not on the server's clock). Close cuts the delay short.
	Latency time.Duration
}

func (f Faults) validate() error {
	for _, p := range []float64{f.ServerErrors, f.Dropped, f.Malformed} {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("Faults: shares must be between 0 and 1, got %v", p)
		}
	}
	if sum := f.ServerErrors + f.Dropped + f.Malformed; sum > 1+1e-9 {
		return fmt.Errorf("Faults: the shares add up to %v, more than 1", sum)
	}
	if f.Latency < 0 {
		return fmt.Errorf("Faults: negative latency %v", f.Latency)
	}
	return nil
}

// faultPlan decides the fault of each API request.
type faultPlan struct {
	seed uint64

	mu     sync.Mutex
	faults Faults
	rand   *rng
	queue  fakeapi.Queue[FaultKind]
}

func newFaultPlan(seed uint64, f Faults) *faultPlan {
	return &faultPlan{seed: seed, faults: f, rand: newRNG(seed, 5)}
}

func (p *faultPlan) set(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults, p.rand = f, newRNG(p.seed, 5)
}

// draw returns the fault of the next request and the latency to add.
func (p *faultPlan) draw() (FaultKind, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := p.queue.Take(nil); ok {
		return k, p.faults.Latency
	}
	f := p.faults
	if f.ServerErrors+f.Dropped+f.Malformed == 0 {
		return NoFault, f.Latency
	}
	x := p.rand.float()
	switch {
	case x < f.ServerErrors:
		return FaultInternalError + FaultKind(p.rand.intn(3)), f.Latency
	case x < f.ServerErrors+f.Dropped:
		return FaultDropped, f.Latency
	case x < f.ServerErrors+f.Dropped+f.Malformed:
		return FaultMalformed, f.Latency
	}
	return NoFault, f.Latency
}

// sleep waits d in real time, or less when the request is cancelled or the server closes.
func sleep(ctx context.Context, closing <-chan struct{}, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-closing:
	}
}

// SetFaults replaces the random faults; the sequence of draws starts again from the
// seed. It panics when f is invalid (a share outside [0, 1] or shares adding up to more
// than 1).
func (s *Server) SetFaults(f Faults) {
	fakeapi.MustBeValid("mycartrackstest", f.validate())
	s.faults.set(f)
}

// FailNext queues faults, in order: each answers the next API request that passes
// authentication and the rate limit, ahead of the random ones (smartcartest's FailNext
// works the same way, with faults that may also select a method and path). NoFault in
// the list serves that request normally. For example FailNext(FaultUnavailable,
// FaultDropped) makes a retrying client see a 503, then a dropped connection, then
// success. The faults a server never draws at random (FaultNoData, FaultEmptyObject,
// FaultEchoToken, FaultEndless) are scripted this way.
func (s *Server) FailNext(faults ...FaultKind) { s.faults.queue.Push(faults...) }

// FailTokenRequests makes the next len(statuses) token requests fail with these HTTP
// statuses, in order.
func (s *Server) FailTokenRequests(statuses ...int) { s.oauth.FailNext(statuses...) }

// echoToken answers 400 with the request's bearer token and the client's credentials in
// the encodings a careless server may echo them in.
func (s *Server) echoToken(r *http.Request) reply {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	var escaped, encoded strings.Builder
	for i := 0; i < len(token); i++ {
		fmt.Fprintf(&escaped, `\u%04x`, token[i])
		fmt.Fprintf(&encoded, "%%%02X", token[i])
	}
	basic := base64.StdEncoding.EncodeToString([]byte(s.cfg.clientID + ":" + s.cfg.clientSecret))
	body := `{"error":"invalid_request","message":"the token ` + escaped.String() +
		` was refused","detail":"GET ` + r.URL.Path + `?access_token=` + encoded.String() +
		`","authorization":"Basic ` + basic + `"}`
	return reply{status: http.StatusBadRequest, body: []byte(body)}
}

// endlessChunk is what an endless body repeats: list items, 64 KiB at a time.
var endlessChunk = func() []byte {
	item := []byte(`{"id":1,"name":"endless","time":1767261600000,"latitude":48.1,"longitude":17.1},`)
	b := make([]byte, 0, 64<<10)
	for len(b)+len(item) <= cap(b) {
		b = append(b, item...)
	}
	return b
}()

// endless answers 200 with a list envelope that never closes, until the client goes
// away or the server closes.
func (s *Server) endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(`{"data":[`)); err != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		default:
		}
		if _, err := w.Write(endlessChunk); err != nil {
			return
		}
	}
}
