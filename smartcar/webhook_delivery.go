package smartcar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

const (
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

// accept deduplicates, marks stale signals and delivers one event; it returns the
// status to answer.
func (h *WebhookHandler) accept(ctx context.Context, ev WebhookEvent) (int, string) {
	env := ev.Envelope()
	id := env.EventID
	if id != "" {
		fresh, err := h.cfg.store.Claim(ctx, id, h.cfg.retention)
		h.storeAnswered(ctx, err)
		switch {
		case err != nil:
			h.n.storeErrors.Add(1)
		case !fresh:
			h.n.duplicates.Add(1)
			return http.StatusOK, ""
		}
	}
	// The delivery wait covers the vehicle's turn and the hand-over.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := telematics.AfterFunc(h.clock, h.cfg.deliveryWait, cancel)
	defer stop()
	if err := h.markAndDeliver(ctx, ev); err != nil {
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

// storeAnswered logs the dedupe store's outages as the request loop logs a shared
// budget's: one warning when the store first fails (events are then delivered without
// deduplication: at least once stays the guarantee) and one line when it answers again,
// not a line per event.
func (h *WebhookHandler) storeAnswered(ctx context.Context, err error) {
	if (err != nil) == h.storeDown.Load() {
		return
	}
	if err != nil {
		if h.storeDown.CompareAndSwap(false, true) {
			h.log.LogAttrs(ctx, slog.LevelWarn, "smartcar webhook: dedupe store unavailable; delivering without deduplication until it answers", slog.String("error", err.Error()))
		}
		return
	}
	if h.storeDown.CompareAndSwap(true, false) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "smartcar webhook: dedupe store answers again; deduplicating")
	}
}

// markAndDeliver marks the stale signals of a VEHICLE_STATE and delivers it. A
// vehicle's VEHICLE_STATE events take turns from the stale check to the end of the
// hand-over, so that they reach every channel and callback in the order the check saw
// them: a value the check found current is never queued behind a newer one (concurrent
// deliveries could otherwise overtake each other while waiting for room).
func (h *WebhookHandler) markAndDeliver(ctx context.Context, ev WebhookEvent) error {
	st, ok := ev.(*VehicleStateEvent)
	if !ok {
		return h.deliver(ctx, ev)
	}
	unlock, err := h.turns.lock(ctx, st.VehicleID)
	if err != nil {
		return h.notAcceptedInTime()
	}
	defer unlock()
	for i := range st.Signals {
		s := &st.Signals[i]
		if h.signal.observe(st.VehicleID, s.Code, s.OEMUpdatedAt) || h.olderThanTracked(&s.Signal) {
			s.Stale = true
			h.n.staleSignals.Add(1)
		}
	}
	return h.deliver(ctx, ev)
}

func (h *WebhookHandler) notAcceptedInTime() error {
	return fmt.Errorf("the consumers did not accept the event within %v", h.cfg.deliveryWait)
}

// deliver hands ev to every subscription and callback before ctx ends (the delivery
// wait); each that took it is remembered, so that a retry after a partial failure
// reaches only the others.
func (h *WebhookHandler) deliver(ctx context.Context, ev WebhookEvent) error {
	env := ev.Envelope()

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
	err = errors.Join(errs...)
	if err == nil && len(took) == 0 && h.positionsOnlySubs() == 0 {
		// Every consumer left (or the handler closed) while the event waited for room:
		// nobody took it, so it must not be acknowledged. (A subscription to Positions
		// alone accepts every event: it wants the locations only.)
		return ErrNoConsumer
	}
	if err != nil {
		if env.EventID != "" {
			h.rememberPartial(env.EventID, took)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return h.notAcceptedInTime()
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

// keyedTurns lets callers take turns per key (a vehicle): one holds a key's turn at a
// time, the others wait as long as their context allows. It holds only the keys in use.
type keyedTurns struct {
	mu sync.Mutex
	m  map[string]*turn
}

type turn struct {
	ch   chan struct{}
	refs int
}

// lock waits for key's turn until ctx ends; unlock ends the turn.
func (k *keyedTurns) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*turn{}
	}
	t := k.m[key]
	if t == nil {
		t = &turn{ch: make(chan struct{}, 1)}
		k.m[key] = t
	}
	t.refs++
	k.mu.Unlock()
	select {
	case t.ch <- struct{}{}:
		return func() {
			<-t.ch
			k.release(key, t)
		}, nil
	case <-ctx.Done():
		k.release(key, t)
		return nil, ctx.Err()
	}
}

func (k *keyedTurns) release(key string, t *turn) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if t.refs--; t.refs == 0 {
		delete(k.m, key)
	}
}
