package smartcar

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

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
)

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
