package smartcartest

import (
	"bytes"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// DefaultRetrySchedule is Smartcar's: after a failed attempt it retries after 25, 50
// and 100 s, then gives up ([C], docs/evidence.md Smartcar §9).
var DefaultRetrySchedule = []time.Duration{25 * time.Second, 50 * time.Second, 100 * time.Second}

// SignatureHeader is the header the sender signs deliveries in.
const SignatureHeader = "SC-Signature"

// Event is a webhook event to deliver: its id, type, vehicle and the exact body that is
// signed and sent.
type Event struct {
	EventID   string
	Type      string
	VehicleID string
	Body      []byte
}

// Mode is how the sender spoils a delivery, to test a receiver's refusals.
type Mode int

// The delivery modes.
const (
	// Signed is a correct delivery.
	Signed Mode = iota
	// Tampered changes one byte of the body after signing it.
	Tampered
	// Unsigned sends no SC-Signature.
	Unsigned
	// WrongToken signs with another token.
	WrongToken
	// Oversized pads the body with white space past the sender's oversize limit (still
	// signed, still valid JSON).
	Oversized
	// Slowloris sends the headers and half the body, then stalls until the receiver
	// answers or drops the connection.
	Slowloris
)

// Attempt is one HTTP attempt of a delivery.
type Attempt struct {
	// At is the sender's clock time of the attempt.
	At time.Time
	// Status is the HTTP status answered (0 when the request failed: Err says why).
	Status int
	Err    error
}

// Delivery is the record of one event's delivery: each attempt, and whether it was
// acknowledged (a 2xx) or given up after the last retry.
type Delivery struct {
	Event
	Mode         Mode
	Attempts     []Attempt
	Acknowledged bool
	GaveUp       bool
	// Answer is the body of the last answer (for VERIFY: the challenge response).
	Answer []byte
}

// Report is what a sender delivered.
type Report struct {
	Deliveries []Delivery
}

// Acknowledged counts the deliveries answered 2xx.
func (r Report) Acknowledged() int { return r.count(func(d *Delivery) bool { return d.Acknowledged }) }

// GaveUp counts the deliveries given up after the last retry.
func (r Report) GaveUp() int { return r.count(func(d *Delivery) bool { return d.GaveUp }) }

// Attempts counts every HTTP attempt.
func (r Report) Attempts() int {
	n := 0
	for i := range r.Deliveries {
		n += len(r.Deliveries[i].Attempts)
	}
	return n
}

func (r Report) count(f func(*Delivery) bool) int {
	n := 0
	for i := range r.Deliveries {
		if f(&r.Deliveries[i]) {
			n++
		}
	}
	return n
}

// Sender is a fake Smartcar webhook sender: it signs events with a management token
// (hex HMAC-SHA256 of the raw body in SC-Signature) and POSTs them to a URL as Smartcar
// does — Content-Type application/json, User-Agent Smartcar/…, any 2xx a success,
// anything else (or no answer) a failure retried on Smartcar's schedule on the sender's
// clock — and records every attempt. Give it a clocktest.Clock of its own and the
// retries' waits take no time. It is safe for concurrent use.
type Sender struct {
	// URL is where deliveries go.
	URL   string
	token string
	cfg   senderConfig

	mu      sync.Mutex
	records []*Delivery
}

type senderConfig struct {
	clock          telematics.Clock
	client         *http.Client
	schedule       []time.Duration
	attemptTimeout time.Duration
	oversize       int64
}

// SenderOption configures a Sender.
type SenderOption func(*senderConfig)

// WithSenderClock sets the clock the retries wait on (default the system clock).
func WithSenderClock(c telematics.Clock) SenderOption { return func(s *senderConfig) { s.clock = c } }

// WithSenderHTTPClient sets the HTTP client (default one without a timeout).
func WithSenderHTTPClient(c *http.Client) SenderOption {
	return func(s *senderConfig) { s.client = c }
}

// WithRetrySchedule sets the waits before each retry (default DefaultRetrySchedule).
func WithRetrySchedule(waits ...time.Duration) SenderOption {
	return func(s *senderConfig) { s.schedule = waits }
}

// WithAttemptTimeout bounds one attempt in real time (default 15 s, Smartcar's limit).
func WithAttemptTimeout(d time.Duration) SenderOption {
	return func(s *senderConfig) { s.attemptTimeout = d }
}

// WithOversize sets the body size of Oversized deliveries (default 1 MiB + 1).
func WithOversize(n int64) SenderOption { return func(s *senderConfig) { s.oversize = n } }

// NewSender returns a sender to url that signs with managementToken.
func NewSender(url, managementToken string, opts ...SenderOption) *Sender {
	cfg := senderConfig{clock: telematics.SystemClock, client: &http.Client{}, schedule: DefaultRetrySchedule, attemptTimeout: 15 * time.Second, oversize: 1<<20 + 1}
	for _, o := range opts {
		o(&cfg)
	}
	return &Sender{URL: url, token: managementToken, cfg: cfg}
}

// Sign returns the hex HMAC-SHA256 of body keyed with token, computed here with
// crypto/hmac and not with package smartcar's code.
func Sign(token string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Report returns every delivery so far, in the order they started.
func (s *Sender) Report() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Report{Deliveries: make([]Delivery, len(s.records))}
	for i, d := range s.records {
		r.Deliveries[i] = *d
		r.Deliveries[i].Attempts = append([]Attempt(nil), d.Attempts...)
	}
	return r
}

// Verify sends a VERIFY event with a fresh random challenge, signed, and reports
// whether the answer was 200 with {"challenge": hex HMAC-SHA256(token, challenge)}.
func (s *Sender) Verify(ctx context.Context) (bool, error) {
	var raw [16]byte
	_, _ = crand.Read(raw[:])
	challenge := hex.EncodeToString(raw[:])
	d := s.Deliver(ctx, VerifyEvent(challenge), Signed)
	if !d.Acknowledged {
		return false, fmt.Errorf("smartcartest: VERIFY not acknowledged: %v", lastAttempt(d))
	}
	var ans struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(d.Answer, &ans); err != nil {
		return false, fmt.Errorf("smartcartest: VERIFY answer is not JSON: %w", err)
	}
	return hmac.Equal([]byte(ans.Challenge), []byte(Sign(s.token, []byte(challenge)))), nil
}

func lastAttempt(d *Delivery) string {
	if len(d.Attempts) == 0 {
		return "no attempt"
	}
	a := d.Attempts[len(d.Attempts)-1]
	if a.Err != nil {
		return a.Err.Error()
	}
	return fmt.Sprintf("status %d", a.Status)
}

// Deliver delivers one event in the given mode, retrying on the schedule until it is
// acknowledged or given up (or ctx ends), and returns its record.
func (s *Sender) Deliver(ctx context.Context, ev Event, mode Mode) *Delivery {
	d := &Delivery{Event: ev, Mode: mode}
	s.mu.Lock()
	s.records = append(s.records, d)
	s.mu.Unlock()
	for i := 0; ; i++ {
		a, answer := s.attempt(ctx, ev, mode)
		s.mu.Lock()
		d.Attempts = append(d.Attempts, a)
		d.Answer = answer
		ok := a.Status >= 200 && a.Status < 300
		d.Acknowledged = ok
		done := ok || i >= len(s.cfg.schedule) || ctx.Err() != nil
		d.GaveUp = !ok && done
		s.mu.Unlock()
		if done || s.cfg.clock.Sleep(ctx, s.cfg.schedule[i]) != nil {
			s.mu.Lock()
			d.GaveUp = !d.Acknowledged
			s.mu.Unlock()
			return d
		}
	}
}

// attempt sends one request.
func (s *Sender) attempt(ctx context.Context, ev Event, mode Mode) (Attempt, []byte) {
	a := Attempt{At: s.cfg.clock.Now()}
	body := ev.Body
	sig := Sign(s.token, body)
	switch mode {
	case Tampered:
		body = bytes.Clone(body)
		body[len(body)/2] ^= 0x01
	case WrongToken:
		sig = Sign(s.token+"-wrong", body)
	case Oversized:
		body = append(bytes.Clone(body), bytes.Repeat([]byte(" "), int(max(0, s.cfg.oversize-int64(len(body)))))...)
		sig = Sign(s.token, body)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.attemptTimeout)
	defer cancel()
	var rd io.Reader = bytes.NewReader(body)
	stalled := make(chan struct{})
	var wg sync.WaitGroup
	if mode == Slowloris {
		pr, pw := io.Pipe()
		rd = pr
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = pw.Write(body[:len(body)/2])
			<-stalled
			_ = pw.CloseWithError(io.ErrUnexpectedEOF)
		}()
	}
	defer wg.Wait()
	defer close(stalled)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, rd)
	if err != nil {
		a.Err = err
		return a, nil
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Smartcar/4.0 (smartcartest)")
	if mode != Unsigned {
		req.Header.Set(SignatureHeader, sig)
	}
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		a.Err = err
		return a, nil
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	a.Status = resp.StatusCode
	return a, answer
}

// Scenario says how DeliverAll mixes its deliveries.
type Scenario struct {
	// Workers deliver concurrently (default 1).
	Workers int
	// Duplicates is the share of events delivered a second time after their first
	// delivery was acknowledged, as Smartcar does when an acknowledgement is lost.
	Duplicates float64
	// Reorder is the share of events swapped with their successor.
	Reorder float64
	// Seed makes the choices repeatable.
	Seed uint64
}

// DeliverAll delivers events as the scenario says and returns the report of these
// deliveries.
func (s *Sender) DeliverAll(ctx context.Context, events []Event, sc Scenario) Report {
	rng := rand.New(rand.NewPCG(sc.Seed, sc.Seed^0x9e3779b97f4a7c15))
	order := append([]Event(nil), events...)
	for i := 0; i+1 < len(order); i++ {
		if rng.Float64() < sc.Reorder {
			order[i], order[i+1] = order[i+1], order[i]
			i++
		}
	}
	type job struct {
		ev  Event
		dup bool
	}
	jobs := make([]job, 0, len(order))
	for _, ev := range order {
		jobs = append(jobs, job{ev: ev})
		if rng.Float64() < sc.Duplicates {
			jobs = append(jobs, job{ev: ev, dup: true})
		}
	}
	workers := max(sc.Workers, 1)
	out := make([]*Delivery, len(jobs))
	// A duplicate waits for its original's acknowledgement.
	firstDone := map[string]chan struct{}{}
	for _, j := range jobs {
		if !j.dup {
			firstDone[j.ev.EventID] = make(chan struct{})
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				if j.dup {
					select {
					case <-firstDone[j.ev.EventID]:
					case <-ctx.Done():
					}
				}
				out[i] = s.Deliver(ctx, j.ev, Signed)
				if !j.dup {
					close(firstDone[j.ev.EventID])
				}
			}
		}()
	}
	// Originals first in order, each duplicate once its original was handed out: a
	// worker never waits for a job no other worker holds.
	var dups []int
	for i, j := range jobs {
		if j.dup {
			dups = append(dups, i)
			continue
		}
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	for _, i := range dups {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	r := Report{}
	for _, d := range out {
		if d != nil {
			r.Deliveries = append(r.Deliveries, *d)
		}
	}
	return r
}
