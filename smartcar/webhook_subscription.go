package smartcar

import (
	"context"
	"fmt"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

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
	sub := &webhookSub{h: h, since: now, positionsOnly: !typed && !sc.Events && sc.Positions}
	sub.Release = func() {
		h.mu.Lock()
		delete(h.subs, sub)
		if sub.positionsOnly {
			h.positionsOnly--
		}
		h.mu.Unlock()
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, fmt.Errorf("%s: webhook handler: %w", Provider, telematics.ErrClientClosed)
	}
	h.subs[sub] = struct{}{}
	if sub.positionsOnly {
		h.positionsOnly++
	}
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
	// positionsOnly: the subscription takes Positions alone, a lossy view that accepts
	// every event.
	positionsOnly bool
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
