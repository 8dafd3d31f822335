package smartcar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of a WebhookHandler. Smartcar waits 15 s for an answer ([C],
// docs/evidence.md Smartcar §9); reading the body and handing the event over together
// stay well under that.
const (
	DefaultWebhookMaxBody      = 1 << 20
	DefaultWebhookReadTimeout  = 5 * time.Second
	DefaultWebhookDeliveryWait = 8 * time.Second
	// smartcarAnswerLimit is how long Smartcar waits for an answer.
	smartcarAnswerLimit = 15 * time.Second
	// partialTTL is how long the handler remembers which consumers took an event whose
	// delivery failed for others, so that Smartcar's retry (within three minutes)
	// reaches only the others.
	partialTTL  = 10 * time.Minute
	maxPartials = 1 << 16
)

// ErrNoConsumer: a webhook event arrived while nothing consumes events (no
// subscription, no HandleFunc); the handler answers 503 so that Smartcar delivers it
// again later. It matches telematics.ErrUnavailable.
var ErrNoConsumer = &webhookError{msg: "webhook: no consumer for the event", kind: telematics.ErrUnavailable}

// WebhookFunc consumes one webhook event. Returning nil accepts it: the handler then
// answers 2xx and Smartcar considers it delivered. An error, or ctx ending (the
// delivery deadline) before it returns, refuses it: the handler answers 503 and Smartcar
// delivers it again. It must honour ctx.
type WebhookFunc func(ctx context.Context, ev WebhookEvent) error

// WebhookOption configures a WebhookHandler.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	tokens        []string
	maxBody       int64
	readTimeout   time.Duration
	deliveryWait  time.Duration
	retention     time.Duration
	store         telematics.DedupeStore
	clock         telematics.Clock
	logger        *slog.Logger
	signedVerify  bool
	tracker       *PositionTracker
	errs          []error
	storeExplicit bool
}

// WithPreviousManagementTokens adds management tokens whose signatures are still
// accepted, for the time a token is being rotated. VERIFY challenges are answered with
// the token that signed them (the handler's own token when unsigned).
func WithPreviousManagementTokens(tokens ...string) WebhookOption {
	return func(c *webhookConfig) { c.tokens = append(c.tokens, tokens...) }
}

// WithMaxWebhookBody bounds a delivery's body (default DefaultWebhookMaxBody, 1 MiB);
// a larger one is answered 413.
func WithMaxWebhookBody(n int64) WebhookOption {
	return func(c *webhookConfig) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithMaxWebhookBody(%d): must be positive", n))
		}
		c.maxBody = n
	}
}

// WithWebhookReadTimeout bounds the time to read a delivery's body (default
// DefaultWebhookReadTimeout); a slower one is answered 408 (a slowloris client holds
// nothing for longer).
func WithWebhookReadTimeout(d time.Duration) WebhookOption {
	return func(c *webhookConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithWebhookReadTimeout(%v): must be positive", d))
		}
		c.readTimeout = d
	}
}

// WithDeliveryWait bounds how long the handler waits for the consumers to accept an
// event (default DefaultWebhookDeliveryWait); past it the handler answers 503 and
// Smartcar retries (after 25, 50 and 100 s). It must stay under Smartcar's 15 s.
func WithDeliveryWait(d time.Duration) WebhookOption {
	return func(c *webhookConfig) {
		if d <= 0 || d >= smartcarAnswerLimit {
			c.errs = append(c.errs, fmt.Errorf("WithDeliveryWait(%v): must be positive and under Smartcar's 15 s", d))
		}
		c.deliveryWait = d
	}
}

// WithDedupeStore sets where delivered eventIds are remembered (default a
// MemoryDedupeStore on the handler's clock): a shared store lets several replicas
// behind one callback URL deliver each event once.
func WithDedupeStore(store telematics.DedupeStore) WebhookOption {
	return func(c *webhookConfig) {
		if store == nil {
			c.errs = append(c.errs, errors.New("WithDedupeStore: the store must not be nil"))
		}
		c.store, c.storeExplicit = store, true
	}
}

// WithDedupeRetention sets how long a delivered eventId is remembered (default
// DefaultDedupeRetention, seven days).
func WithDedupeRetention(d time.Duration) WebhookOption {
	return func(c *webhookConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("WithDedupeRetention(%v): must be positive", d))
		}
		c.retention = d
	}
}

// WithWebhookClock sets the clock of the read and delivery deadlines and of the
// default dedupe store (default the system clock); tests pass a clocktest.Clock.
func WithWebhookClock(clock telematics.Clock) WebhookOption {
	return func(c *webhookConfig) {
		if clock == nil {
			c.errs = append(c.errs, errors.New("WithWebhookClock: the clock must not be nil"))
		}
		c.clock = clock
	}
}

// WithWebhookLogger logs every delivery refused or failed, with its reason and ids
// (never a token or a signature). Silent by default.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) {
		if l == nil {
			c.errs = append(c.errs, errors.New("WithWebhookLogger: the logger must not be nil"))
		}
		c.logger = l
	}
}

// WithSignedVerifyOnly refuses a VERIFY without a valid SC-Signature. By default an
// unsigned VERIFY is answered — typical receivers do so ([R]) — unless its challenge
// could be the body of an event (it starts with "{"): answering that would sign a body
// of the sender's choosing.
func WithSignedVerifyOnly() WebhookOption {
	return func(c *webhookConfig) { c.signedVerify = true }
}

// WithWebhookPositionTracker shares t with the other sources of the same vehicles'
// positions — the poller's WithPositionTracker — so that a position from a webhook is
// published on Positions only when it is newer than the last one any source sharing t
// published for its vehicle: when the receiver and PollPositions both run, a fix is
// published once, by whichever delivers it first, and never after a newer one. A
// location older than the tracker's last fix is also marked Stale in the event. Events
// and Webhooks still carry every event Smartcar delivered (they are lossless). Without
// a tracker, Positions leaves out only the values marked Stale.
func WithWebhookPositionTracker(t *PositionTracker) WebhookOption {
	return func(c *webhookConfig) {
		if t == nil {
			c.errs = append(c.errs, errors.New("WithWebhookPositionTracker: the tracker must not be nil"))
		}
		c.tracker = t
	}
}

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

	mu        sync.Mutex
	callbacks []*webhookCallback
	partials  map[string]*partialDelivery
	subs      map[*webhookSub]struct{}
	last      time.Time
	closed    bool
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

// ServeHTTP handles one delivery.
func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.received.Add(1)
	if r.Method != http.MethodPost {
		h.n.badMethod.Add(1)
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, nil, "webhook deliveries are POST requests")
		return
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		h.n.unavailable.Add(1)
		h.refuse(w, r, http.StatusServiceUnavailable, nil, "the webhook handler is closed")
		return
	}
	body, status, msg := h.readBody(w, r)
	if status != 0 {
		h.refuse(w, r, status, nil, msg)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	token := h.cfg.tokens[0]
	if strings.TrimSpace(sig) != "" {
		var err error
		if token, err = verifySignature(body, sig, h.cfg.tokens); err != nil {
			h.n.unauthorized.Add(1)
			h.refuse(w, r, http.StatusUnauthorized, nil, err.Error())
			return
		}
	}
	ev, err := DecodeWebhookEvent(body)
	if strings.TrimSpace(sig) == "" {
		if v, ok := ev.(*VerifyEvent); !ok || h.cfg.signedVerify || !safeChallenge(v.Challenge) {
			h.n.unauthorized.Add(1)
			h.refuse(w, r, http.StatusUnauthorized, ev, ErrSignatureMissing.Error())
			return
		}
	}
	if err != nil {
		h.n.malformed.Add(1)
		h.refuse(w, r, http.StatusBadRequest, nil, err.Error())
		return
	}
	if v, ok := ev.(*VerifyEvent); ok {
		h.n.challenges.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"challenge":"`+HashChallenge(token, v.Challenge)+`"}`)
		return
	}
	status, msg = h.accept(r.Context(), ev)
	if status != http.StatusOK {
		h.refuse(w, r, status, ev, msg)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// safeChallenge reports whether answering an unsigned challenge cannot sign an event:
// an event body is a JSON object, so it starts with "{" after JSON white space.
func safeChallenge(c string) bool {
	return !strings.HasPrefix(strings.TrimLeft(c, " \t\r\n"), "{")
}

// refuse answers status with a short text and logs the refusal.
func (h *WebhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, ev WebhookEvent, msg string) {
	attrs := []any{"status", status, "reason", msg, "remote", r.RemoteAddr}
	if ev != nil {
		e := ev.Envelope()
		attrs = append(attrs, "eventId", e.EventID, "eventType", string(e.Type), "deliveryId", e.DeliveryID)
	}
	h.log.LogAttrs(r.Context(), slog.LevelWarn, "smartcar webhook refused", argsToAttrs(attrs)...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

func argsToAttrs(args []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, slog.Any(args[i].(string), args[i+1]))
	}
	return out
}

// readBody reads the body within the size cap and the read timeout. A non-zero status
// is the answer to send instead.
func (h *WebhookHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	max := h.cfg.maxBody
	tooLarge := fmt.Sprintf("the body is larger than %d bytes", max)
	if r.ContentLength > max {
		h.n.tooLarge.Add(1)
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	var timedOut atomic.Bool
	rc := http.NewResponseController(w)
	stop := telematics.AfterFunc(h.clock, h.cfg.readTimeout, func() {
		timedOut.Store(true)
		_ = rc.SetReadDeadline(time.Now()) // a read in progress fails at once
	})
	body, err := readAll(http.MaxBytesReader(w, r.Body, max), r.ContentLength)
	stop()
	var mbe *http.MaxBytesError
	switch {
	case err == nil && !timedOut.Load():
		return body, 0, ""
	case errors.As(err, &mbe):
		h.n.tooLarge.Add(1)
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case timedOut.Load():
		h.n.slowBodies.Add(1)
		return nil, http.StatusRequestTimeout, fmt.Sprintf("the body was not received within %v", h.cfg.readTimeout)
	}
	h.n.malformed.Add(1)
	return nil, http.StatusBadRequest, "the body could not be read"
}

// readAll reads r, sized by the request's Content-Length when known.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > DefaultWebhookMaxBody*64 {
		return io.ReadAll(r)
	}
	buf := make([]byte, size+1)
	n, err := io.ReadFull(r, buf)
	switch err {
	case io.ErrUnexpectedEOF, io.EOF:
		return buf[:n], nil
	case nil:
		rest, err := io.ReadAll(r) // longer than announced
		return append(buf, rest...), err
	}
	return nil, err
}

// accept deduplicates, marks stale signals and delivers one event; it returns the
// status to answer.
func (h *WebhookHandler) accept(ctx context.Context, ev WebhookEvent) (int, string) {
	env := ev.Envelope()
	id := env.EventID
	if id != "" {
		fresh, err := h.cfg.store.Claim(ctx, id, h.cfg.retention)
		switch {
		case err != nil:
			h.n.storeErrors.Add(1)
			h.log.LogAttrs(ctx, slog.LevelWarn, "smartcar webhook: dedupe store failed; delivering", slog.String("eventId", id), slog.String("error", err.Error()))
		case !fresh:
			h.n.duplicates.Add(1)
			return http.StatusOK, ""
		}
	}
	if st, ok := ev.(*VehicleStateEvent); ok {
		for i := range st.Signals {
			s := &st.Signals[i]
			if h.signal.observe(st.VehicleID, s.Code, s.OEMUpdatedAt) || h.olderThanTracked(&s.Signal) {
				s.Stale = true
				h.n.staleSignals.Add(1)
			}
		}
	}
	if err := h.deliver(ctx, ev); err != nil {
		if id != "" {
			// Forget the claim so that Smartcar's retry is delivered; the context may
			// have ended, the store still gets its chance.
			if ferr := h.cfg.store.Forget(context.WithoutCancel(ctx), id); ferr != nil {
				h.n.storeErrors.Add(1)
			}
		}
		h.n.unavailable.Add(1)
		return http.StatusServiceUnavailable, err.Error()
	}
	h.n.delivered.Add(1)
	return http.StatusOK, ""
}

// deliver hands ev to every subscription and callback within the delivery wait; each
// that took it is remembered, so that a retry after a partial failure reaches only the
// others.
func (h *WebhookHandler) deliver(ctx context.Context, ev WebhookEvent) error {
	env := ev.Envelope()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := telematics.AfterFunc(h.clock, h.cfg.deliveryWait, cancel)
	defer stop()

	h.mu.Lock()
	callbacks := h.callbacks
	p := h.partials[env.EventID]
	h.mu.Unlock()
	took := map[any]struct{}{}
	if p != nil {
		took = maps.Clone(p.took)
	}
	if len(callbacks)+h.typed.Len()+h.events.Len()+h.positions.Len() == 0 {
		return ErrNoConsumer
	}
	skipTyped := func(s *stream.Sub[WebhookEvent]) bool { _, ok := took[s]; return ok }
	skipEvents := func(s *stream.Sub[telematics.Event]) bool { _, ok := took[s]; return ok }
	var errs []error
	t, err := h.typed.PublishWait(ctx, ev, skipTyped)
	for _, s := range t {
		took[s] = struct{}{}
	}
	errs = append(errs, err)
	tev, positions := telematicsEvent(ev)
	e, err := h.events.PublishWait(ctx, tev, skipEvents)
	for _, s := range e {
		took[s] = struct{}{}
	}
	errs = append(errs, err)
	for _, cb := range callbacks {
		if _, ok := took[cb]; ok {
			continue
		}
		if err := cb.f(ctx, ev); err != nil {
			errs = append(errs, err)
			continue
		}
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			continue
		}
		took[cb] = struct{}{}
	}
	if err := errors.Join(errs...); err != nil {
		if env.EventID != "" {
			h.rememberPartial(env.EventID, took)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("the consumers did not accept the event within %v", h.cfg.deliveryWait)
		}
		h.log.LogAttrs(ctx, slog.LevelWarn, "smartcar webhook: a consumer refused the event", slog.String("eventId", env.EventID), slog.String("error", err.Error()))
		return errors.New("a consumer refused the event")
	}
	h.mu.Lock()
	delete(h.partials, env.EventID)
	h.last = h.clock.Now()
	h.mu.Unlock()
	h.publishPositions(positions)
	return nil
}

// olderThanTracked reports whether s is a location older than the last fix of its
// vehicle that a source sharing the tracker published.
func (h *WebhookHandler) olderThanTracked(s *Signal) bool {
	if h.cfg.tracker == nil || s.OEMUpdatedAt.IsZero() {
		return false
	}
	p, ok := s.Position()
	if !ok {
		return false
	}
	last, ok := h.cfg.tracker.Last(p.VehicleID)
	return ok && p.Time.Before(last)
}

// publishPositions publishes the positions of an accepted event, each only when the
// tracker (if any) finds it newer than its vehicle's last published fix.
func (h *WebhookHandler) publishPositions(positions []telematics.Position) {
	if len(positions) == 0 {
		return
	}
	h.posMu.Lock()
	defer h.posMu.Unlock()
	for _, pos := range positions {
		if t := h.cfg.tracker; t != nil && !t.Advance(pos.VehicleID, pos.Time) {
			h.n.trackedPositions.Add(1)
			continue
		}
		h.positions.Publish(pos)
	}
}

func (h *WebhookHandler) rememberPartial(id string, took map[any]struct{}) {
	now := h.clock.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, p := range h.partials {
		if now.Sub(p.at) > partialTTL || len(h.partials) >= maxPartials {
			delete(h.partials, k)
		}
	}
	h.partials[id] = &partialDelivery{took: took, at: now}
}

// telematicsEvent converts a webhook event to the provider-neutral live event of a
// subscription's Events channel, and the positions it carries: a VEHICLE_STATE with a
// current location is a position event (the last location), another VEHICLE_STATE an
// unknown event with Code VEHICLE_STATE and the body in Raw, a VEHICLE_ERROR an error
// event (Code TYPE:CODE of its first error, Message its state and explanation), any
// other event an unknown event with its type as Code.
func telematicsEvent(ev WebhookEvent) (telematics.Event, []telematics.Position) {
	env := ev.Envelope()
	out := telematics.Event{Kind: telematics.EventUnknown, VehicleID: env.VehicleID, Time: env.DeliveredAt, Code: string(env.Type), Raw: env.Raw}
	switch ev := ev.(type) {
	case *VehicleStateEvent:
		pos := ev.Positions()
		if n := len(pos); n > 0 {
			out.Kind, out.Position, out.Time = telematics.EventPosition, pos[n-1], pos[n-1].Time
		}
		return out, pos
	case *VehicleErrorEvent:
		out.Kind = telematics.EventError
		if len(ev.Errors) > 0 {
			e := &ev.Errors[0]
			out.Code = kind(e.Type, e.Code)
			out.Message = strings.TrimSpace(e.State + " " + e.Message())
		}
	}
	return out, nil
}

// WebhookEvents makes a webhook subscription feed its typed Webhooks channel instead of
// the provider-neutral Events channel.
func WebhookEvents() telematics.SubscribeOption {
	return func(c *telematics.SubscribeConfig) { c.Provider = append(c.Provider, typedWebhooks{}) }
}

type typedWebhooks struct{}

// WebhookSubscription is a live feed of webhook events: a *telematics.Subscription — the
// type of every live source, MyCarTracks' WebSocket stream included — with, under
// WebhookEvents, the typed events on Webhooks.
//
// Events (or Webhooks) is lossless: an event is acknowledged to Smartcar only once it is
// in the channel's buffer, and when the buffer stays full for the handler's delivery
// wait Smartcar is told to deliver it again, so nothing is lost and nothing dropped;
// read the channel, or it stalls every delivery. Positions is a view of the events that
// follows the subscription's overflow policy (DropOldest by default: the newest fix
// matters most) and never delays an acknowledgement. The overflow policy does not apply
// to Events and Webhooks.
type WebhookSubscription struct {
	*telematics.Subscription
	webhooks <-chan WebhookEvent
}

// Webhooks returns the channel of typed events (nil unless WebhookEvents was given).
func (s *WebhookSubscription) Webhooks() <-chan WebhookEvent { return s.webhooks }

// Subscribe adds a subscription that receives every event delivered from now on. By
// default it feeds Events and Positions; telematics.EventsOnly and PositionsOnly feed
// one of them, WebhookEvents the typed Webhooks channel instead of Events. Its channels
// close on Close, when ctx ends (Err is then ctx's error) or when the handler closes.
func (h *WebhookHandler) Subscribe(ctx context.Context, opts ...telematics.SubscribeOption) (*WebhookSubscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sc := telematics.NewSubscribeConfig(opts...)
	typed := false
	for _, p := range sc.Provider {
		if _, ok := p.(typedWebhooks); ok {
			typed = true
		}
	}
	now := h.clock.Now()
	sub := &webhookSub{h: h, since: now}
	sub.Release = func() {
		h.mu.Lock()
		delete(h.subs, sub)
		h.mu.Unlock()
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, fmt.Errorf("%s: webhook handler: %w", Provider, telematics.ErrClientClosed)
	}
	h.subs[sub] = struct{}{}
	h.mu.Unlock()
	out := &WebhookSubscription{}
	// Lossless channels are served by PublishWait, which ignores the policy.
	switch {
	case typed:
		t := h.typed.Subscribe(sc.Buffer, telematics.DropNewest, 0, nil)
		sub.Others = append(sub.Others, t)
		out.webhooks = t.C()
	case sc.Events:
		sub.Events = h.events.Subscribe(sc.Buffer, telematics.DropNewest, 0, nil)
	}
	if sc.Positions {
		sub.Positions = h.positions.Subscribe(sc.Buffer, sc.Overflow, sc.BlockTimeout, sub.HubClosed)
	}
	sub.States = h.states.Subscribe(4, telematics.DropOldest, 0, nil, sub.State())
	sub.EndWith(ctx)
	evC, posC, stC := sub.Channels()
	out.Subscription = telematics.NewSubscription(evC, posC, stC, sub)
	return out, nil
}

// webhookSub is the SubscriptionControl of one webhook subscription: the channels and
// ending every live source shares, and the handler's state.
type webhookSub struct {
	stream.Subscriber
	h     *WebhookHandler
	since time.Time
}

// State is connected while the handler runs: a webhook has no connection to lose.
func (s *webhookSub) State() telematics.StreamState {
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	st := telematics.StreamState{Conn: telematics.StateConnected, Since: s.since, LastMessage: h.last, Stale: h.n.staleSignals.Load()}
	if h.closed {
		st.Conn = telematics.StateClosed
	}
	return st
}

// String formats an event in one line for logs: type, mode, vehicle, event id and,
// for a VEHICLE_STATE, its triggers and signal count.
func (e *WebhookEnvelope) String() string {
	var b strings.Builder
	b.WriteString(string(e.Type))
	if e.Mode != "" {
		b.WriteString(" " + string(e.Mode))
	}
	if e.VehicleID != "" {
		b.WriteString(" vehicle " + e.VehicleID)
	}
	b.WriteString(" event " + e.EventID)
	if e.Version != "" && e.Version != "4.0" {
		b.WriteString(" (payload " + e.Version + ")")
	}
	return b.String()
}
