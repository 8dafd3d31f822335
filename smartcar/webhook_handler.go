package smartcar

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// WebhookStats counts what a WebhookHandler did.
type WebhookStats struct {
	// Received counts requests; Challenges the VERIFY events answered.
	Received, Challenges uint64
	// Delivered counts events accepted by the consumers; Duplicates events acknowledged
	// without delivery (an eventId already delivered); Unavailable the 503 answers
	// (consumers too slow, or none).
	Delivered, Duplicates, Unavailable uint64
	// Unauthorized (401), Malformed (400), TooLarge (413), SlowBodies (408) and
	// BadMethod (405) count refused requests.
	Unauthorized, Malformed, TooLarge, SlowBodies, BadMethod uint64
	// StaleSignals counts signal values marked stale; StoreErrors the dedupe store's
	// failures (the event was delivered anyway).
	StaleSignals, StoreErrors uint64
	// TrackedPositions counts the positions not published on Positions because the
	// PositionTracker (WithWebhookPositionTracker) held the same or a newer fix.
	TrackedPositions uint64
}

type webhookCounters struct {
	received, challenges, delivered, duplicates, unavailable atomic.Uint64
	unauthorized, malformed, tooLarge, slowBodies, badMethod atomic.Uint64
	staleSignals, storeErrors, trackedPositions              atomic.Uint64
}

// WebhookHandler receives Smartcar webhooks: mount it at the callback URL of the
// webhook (it is an http.Handler). For each POST it reads the body (bounded in size and
// time), checks SC-Signature against the raw bytes, answers VERIFY itself, decodes the
// event and hands it to the application — subscriptions (Subscribe) and callbacks
// (HandleFunc) — answering 200 only once all of them accepted it, and 503 when they did
// not within the delivery wait, so that Smartcar delivers it again. An event whose
// eventId was delivered already is acknowledged without being delivered again.
//
// Status codes: 200 accepted (or duplicate, or VERIFY answered), 400 not a webhook
// event, 401 unsigned or wrongly signed, 405 not a POST, 408 body too slow, 413 body
// too large, 503 not accepted in time (or no consumer, or the handler is closed). The
// answer's body is a short text saying why, without secrets.
type WebhookHandler struct {
	cfg    webhookConfig
	clock  telematics.Clock
	log    *slog.Logger
	signal *signalClock
	n      webhookCounters

	typed     *stream.Hub[WebhookEvent]
	events    *stream.Hub[telematics.Event]
	positions *stream.Hub[telematics.Position]
	states    *stream.Hub[telematics.StreamState]

	// posMu orders the tracker's check and the publication of positions, so that
	// Positions never shows an older fix after a newer one.
	posMu sync.Mutex
	// turns orders each vehicle's VEHICLE_STATE deliveries (markAndDeliver).
	turns keyedTurns

	// storeDown is set while the dedupe store fails (storeAnswered).
	storeDown atomic.Bool

	mu        sync.Mutex
	callbacks []*webhookCallback
	partials  map[string]*partialDelivery
	subs      map[*webhookSub]struct{}
	// positionsOnly counts the subscriptions to Positions alone.
	positionsOnly int
	last          time.Time
	closed        bool
}

type webhookCallback struct{ f WebhookFunc }

// partialDelivery is what took an event whose delivery failed for another consumer.
type partialDelivery struct {
	took map[any]struct{}
	at   time.Time
}

// NewWebhookHandler returns a handler that checks signatures with the Application
// Management Token (Smartcar Dashboard → your application → Configuration; not the
// client secret). An empty token, or an invalid option, fails with an error matching
// telematics.ErrInvalidInput naming each mistake.
func NewWebhookHandler(managementToken string, opts ...WebhookOption) (*WebhookHandler, error) {
	cfg := webhookConfig{tokens: []string{managementToken}, maxBody: DefaultWebhookMaxBody, readTimeout: DefaultWebhookReadTimeout,
		deliveryWait: DefaultWebhookDeliveryWait, retention: DefaultDedupeRetention, clock: telematics.SystemClock,
		logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if strings.TrimSpace(managementToken) == "" {
		cfg.errs = append([]error{errors.New("the Application Management Token is empty")}, cfg.errs...)
	}
	for _, t := range cfg.tokens[1:] {
		if strings.TrimSpace(t) == "" {
			cfg.errs = append(cfg.errs, errors.New("WithPreviousManagementTokens: a token is empty"))
			break
		}
	}
	if len(cfg.errs) > 0 {
		msgs := make([]string, len(cfg.errs))
		for i, e := range cfg.errs {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("%s: NewWebhookHandler: %w: %s", Provider, telematics.ErrInvalidInput, strings.Join(msgs, "; "))
	}
	if !cfg.storeExplicit {
		cfg.store = NewMemoryDedupeStore(WithDedupeClock(cfg.clock))
	}
	h := &WebhookHandler{
		cfg: cfg, clock: cfg.clock, log: cfg.logger, signal: newSignalClock(),
		typed: stream.NewHub[WebhookEvent](cfg.clock), events: stream.NewHub[telematics.Event](cfg.clock),
		positions: stream.NewHub[telematics.Position](cfg.clock), states: stream.NewHub[telematics.StreamState](cfg.clock),
		partials: map[string]*partialDelivery{}, subs: map[*webhookSub]struct{}{},
	}
	return h, nil
}

// HandleFunc adds a callback that receives every event (VERIFY aside) in its typed form;
// see WebhookFunc for how it accepts or refuses one. It may be called at any time.
func (h *WebhookHandler) HandleFunc(f WebhookFunc) {
	if f == nil {
		return
	}
	h.mu.Lock()
	h.callbacks = append(h.callbacks, &webhookCallback{f})
	h.mu.Unlock()
}

// positionsOnlySubs returns how many subscriptions take Positions alone.
func (h *WebhookHandler) positionsOnlySubs() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.positionsOnly
}

// Stats returns the handler's counters.
func (h *WebhookHandler) Stats() WebhookStats {
	n := &h.n
	return WebhookStats{
		Received: n.received.Load(), Challenges: n.challenges.Load(), Delivered: n.delivered.Load(), Duplicates: n.duplicates.Load(),
		Unavailable: n.unavailable.Load(), Unauthorized: n.unauthorized.Load(), Malformed: n.malformed.Load(), TooLarge: n.tooLarge.Load(),
		SlowBodies: n.slowBodies.Load(), BadMethod: n.badMethod.Load(), StaleSignals: n.staleSignals.Load(), StoreErrors: n.storeErrors.Load(),
		TrackedPositions: n.trackedPositions.Load(),
	}
}

// Close ends every subscription (their channels close) and makes the handler answer
// 503 from then on. It may be called more than once.
func (h *WebhookHandler) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	subs := make([]*webhookSub, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
	h.typed.Close()
	h.events.Close()
	h.positions.Close()
	h.states.Close()
}
