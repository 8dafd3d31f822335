package smartcar

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of PollPositions.
const (
	// DefaultPollInterval is how often each vehicle's location is read at most: about
	// once every 30 minutes, the pace Smartcar advises across vehicle makers to stay
	// clear of their own limits (502 UPSTREAM:RATE_LIMIT).
	DefaultPollInterval = 30 * time.Minute
	// DefaultPollMaxBackoff bounds how long a vehicle that keeps failing (asleep,
	// rate limited without a Retry-After, unreachable) waits between two reads.
	DefaultPollMaxBackoff = 6 * time.Hour
	// DefaultPollBudgetShare is the share of the application budget's refill rate that
	// the poller spends by default, leaving the rest to the program's other calls: one
	// request a minute with Smartcar's documented refill of two a minute.
	DefaultPollBudgetShare = 0.5
)

// pollConfig is what the poll options set.
type pollConfig struct {
	userID     string
	interval   time.Duration
	budgetN    int
	budgetPer  time.Duration
	maxBackoff time.Duration
	tracker    *PositionTracker
	errs       []error
}

// pollSetting is a setting of PollPositions, carried in
// telematics.SubscribeConfig.Provider.
type pollSetting func(*pollConfig)

func pollOption(f pollSetting) telematics.SubscribeOption {
	return func(c *telematics.SubscribeConfig) { c.Provider = append(c.Provider, f) }
}

// WithPollUserID reads the vehicles on behalf of their owner (the sc-user-id every
// signal read needs; see WithUserID). PollPositions requires it.
func WithPollUserID(userID string) telematics.SubscribeOption {
	return pollOption(func(c *pollConfig) { c.userID = strings.TrimSpace(userID) })
}

// WithPollInterval sets how often each vehicle's location is read at most (default
// DefaultPollInterval, the pace Smartcar advises). The poller stretches it when the
// budget (WithPollBudget) cannot read every vehicle that often. It must be positive.
func WithPollInterval(d time.Duration) telematics.SubscribeOption {
	return pollOption(func(c *pollConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("poll interval %v: must be positive", d))
			return
		}
		c.interval = d
	})
}

// WithPollBudget sets the most requests the poller sends: n per period, evenly spread.
// By default it spends DefaultPollBudgetShare of the client's application budget: half
// the rate of the limiter WithAppRateLimit, WithBudget or WithRateLimiter set, or of
// Smartcar's documented refill (AppRateLimitBurst requests, one more every
// AppRateLimitInterval) when the client has none. Both must be positive.
func WithPollBudget(n int, per time.Duration) telematics.SubscribeOption {
	return pollOption(func(c *pollConfig) {
		if n <= 0 || per <= 0 {
			c.errs = append(c.errs, fmt.Errorf("poll budget %d per %v: both must be positive", n, per))
			return
		}
		c.budgetN, c.budgetPer = n, per
	})
}

// WithPollMaxBackoff bounds the wait of a vehicle that keeps failing (default
// DefaultPollMaxBackoff; never shorter than the poll period). It must be positive.
func WithPollMaxBackoff(d time.Duration) telematics.SubscribeOption {
	return pollOption(func(c *pollConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("poll max backoff %v: must be positive", d))
			return
		}
		c.maxBackoff = d
	})
}

// WithPositionTracker shares t with the other sources of the same vehicles' positions,
// so that a position is published only when it is newer than the last one any of them
// recorded in t for its vehicle: give one tracker to several pollers of the same
// vehicles, or Advance it yourself for positions that reach you another way. (To follow
// the poller and the webhook receiver on one channel, merge their subscriptions with
// MergePositions, which deduplicates them.) Without it the poller still never
// publishes a position that is not newer than its own last one.
func WithPositionTracker(t *PositionTracker) telematics.SubscribeOption {
	return pollOption(func(c *pollConfig) { c.tracker = t })
}

// MergePositions merges the subscriptions of several sources of the same vehicles'
// positions, typically the poller (PollPositions, Fleet.Live) and the webhook receiver
// (the Subscription of WebhookHandler.Subscribe), into one that delivers each fix once:
// a position, and a position event, is passed on only when it is newer, by the
// carmaker's oemUpdatedAt, than the last one of its vehicle passed on from any of them,
// so a fix that both deliver comes once and an older fix never follows a newer one.
// Other events pass as they come. The merged subscription behaves as
// telematics.MergeSubscriptions describes; its Close closes every input.
func MergePositions(subs ...*telematics.Subscription) *telematics.Subscription {
	// One memory per channel: a fix arrives both as a position event and as a position.
	events, positions := NewPositionTracker(), NewPositionTracker()
	return telematics.MergeSubscriptionsFunc(func(e *telematics.Event, p *telematics.Position) bool {
		switch {
		case e != nil && e.Kind == telematics.EventPosition:
			return events.Advance(e.VehicleID, e.Position.Time)
		case p != nil:
			return positions.Advance(p.VehicleID, p.Time)
		}
		return true
	}, subs...)
}

// PositionTracker remembers, per vehicle, the time of the newest position delivered
// (Smartcar's oemUpdatedAt of the location), so that several sources of one vehicle's
// positions deliver each fix once and never an older one after a newer one (see
// WithPositionTracker and MergePositions). The zero value is ready to use; it is safe
// for concurrent use.
type PositionTracker struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// NewPositionTracker returns an empty tracker.
func NewPositionTracker() *PositionTracker { return &PositionTracker{} }

// Advance records at for vehicleID and reports true when it is newer than the time
// recorded before (or none was); otherwise it records nothing and reports false: the
// position was already delivered, or a newer one was.
func (t *PositionTracker) Advance(vehicleID string, at time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.last[vehicleID]; ok && !at.After(last) {
		return false
	}
	if t.last == nil {
		t.last = map[string]time.Time{}
	}
	t.last[vehicleID] = at
	return true
}

// Last returns the time recorded for vehicleID.
func (t *PositionTracker) Last(vehicleID string) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at, ok := t.last[vehicleID]
	return at, ok
}

// PollPositions follows the positions of vehicleIDs (every vehicle of the user when
// none is given, from Connections) by reading their location signal
// (location-preciselocation) on a schedule that fits the budgets, for programs that
// cannot receive webhooks. It returns the subscription type every live source returns:
// positions (timed by the vehicle maker's oemUpdatedAt) as position events, a vehicle
// found asleep or unreachable as an offline event with its last position, a vehicle
// whose read failed otherwise as an error event (Code "TYPE:CODE"), and the
// subscription's state: connecting until the first read succeeds, reconnecting while
// the application is rate limited or Smartcar cannot be reached.
//
// WithPollUserID is required. The schedule:
//
//   - each vehicle is read at most every WithPollInterval (default DefaultPollInterval);
//   - requests are spread evenly, one every period/len(vehicles), never faster than
//     WithPollBudget allows (by default half the application budget's refill), so the
//     period grows with the fleet: 500 vehicles on Smartcar's default budget are read
//     every 500 minutes;
//   - a vehicle that answers 429 is not read again before its Retry-After has passed;
//     a vehicle that is asleep, unreachable, rate limited by its maker or without a
//     Retry-After waits twice as long after each failure, up to WithPollMaxBackoff; a
//     billing limit, a missing permission or a vanished vehicle waits the maximum;
//   - the application's own rate limit pauses every request.
//
// A position is published only when newer than the vehicle's last one; with
// WithPositionTracker, newer than the last one any source sharing the tracker
// published. MergePositions merges it with the webhook receiver's subscription without
// duplicates. Calls with the same vehicles, user and settings share one poller. The
// subscription ends on Close, when ctx ends, when the client is closed, or when
// Smartcar refuses the application's credentials (Err returns why).
func (c *Client) PollPositions(ctx context.Context, vehicleIDs []string, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	pc, sc, err := c.pollSettings(ctx, opts)
	if err != nil {
		return nil, err
	}
	if pc.userID == "" {
		return nil, fmt.Errorf("%w (PollPositions: use WithPollUserID)", ErrUserIDRequired)
	}
	ids, err := c.pollVehicles(ctx, vehicleIDs, pc.userID)
	if err != nil {
		return nil, err
	}
	return c.polls.subscribe(ctx, c, ids, pc, sc)
}

// pollNothing returns a subscription of a poller of no vehicle, for a fleet that has
// none: it sends nothing and ends with ctx or Close.
func (c *Client) pollNothing(ctx context.Context, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	pc, sc, err := c.pollSettings(ctx, opts)
	if err != nil {
		return nil, err
	}
	return c.polls.subscribe(ctx, c, nil, pc, sc)
}

// pollSettings applies the options of PollPositions to the defaults.
func (c *Client) pollSettings(ctx context.Context, opts []telematics.SubscribeOption) (pollConfig, telematics.SubscribeConfig, error) {
	if err := ctx.Err(); err != nil {
		return pollConfig{}, telematics.SubscribeConfig{}, err
	}
	sc := telematics.NewSubscribeConfig(opts...)
	pc := pollConfig{interval: DefaultPollInterval, maxBackoff: DefaultPollMaxBackoff}
	for _, p := range sc.Provider {
		if f, ok := p.(pollSetting); ok {
			f(&pc)
		}
	}
	if len(pc.errs) > 0 {
		return pc, sc, invalidf("PollPositions: %v", errors.Join(pc.errs...))
	}
	if pc.budgetN == 0 {
		pc.budgetN, pc.budgetPer = 1, c.pollSpacing
	}
	return pc, sc, nil
}

// pollVehicles checks the ids given, or lists the user's vehicles.
func (c *Client) pollVehicles(ctx context.Context, vehicleIDs []string, userID string) ([]string, error) {
	var ids []string
	if len(vehicleIDs) == 0 {
		for conn, err := range c.Connections.All(ctx, &ConnectionListOptions{UserID: userID}) {
			if err != nil {
				return nil, err
			}
			ids = append(ids, conn.VehicleID)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("%s: PollPositions: %w: user %s has no connected vehicle", Provider, telematics.ErrNotFound, userID)
		}
	} else {
		for _, id := range vehicleIDs {
			if strings.TrimSpace(id) == "" {
				return nil, invalidf("PollPositions: empty vehicle id")
			}
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// defaultPollSpacing is the interval between two poll requests by default: the
// limiter's refill interval, or Smartcar's documented one, divided by the share.
func defaultPollSpacing(limit float64) time.Duration {
	every := AppRateLimitInterval
	if limit > 0 && !math.IsInf(limit, 1) {
		every = time.Duration(float64(time.Second) / limit)
	}
	return time.Duration(float64(every) / DefaultPollBudgetShare)
}

// pollService holds the running pollers of a client, shared by identical calls.
type pollService struct{ sessions stream.Sessions }

func (s *pollService) subscribe(ctx context.Context, c *Client, ids []string, pc pollConfig, sc telematics.SubscribeConfig) (*telematics.Subscription, error) {
	key := fmt.Sprintf("%s|%s|%d|%d|%d|%d|%p", pc.userID, strings.Join(ids, ","), pc.interval, pc.budgetN, pc.budgetPer, pc.maxBackoff, pc.tracker)
	sub, err := s.sessions.Subscribe(ctx, key, sc, func() *stream.Session {
		cfg := stream.Config{Name: Provider, Clock: c.clock, Source: newPoller(c, ids, pc)}
		if pc.tracker != nil {
			cfg.Tracker = pc.tracker
		}
		return stream.NewSession(cfg)
	})
	if errors.Is(err, stream.ErrClosed) {
		return nil, fmt.Errorf("%s: PollPositions: %w", Provider, telematics.ErrClientClosed)
	}
	return sub, err
}

// close ends every poller (Client.Close).
func (s *pollService) close() { s.sessions.Close() }

// polledVehicle is one vehicle of a poller's schedule.
type polledVehicle struct {
	id       string
	due      time.Time
	failures int  // consecutive failed reads
	offline  bool // an offline event was published since the last success
	index    int  // in the schedule heap
}

// schedule orders vehicles by when they are due (a min-heap).
type schedule []*polledVehicle

func (s schedule) Len() int { return len(s) }
func (s schedule) Less(i, j int) bool {
	if s[i].due.Equal(s[j].due) {
		return s[i].index < s[j].index
	}
	return s[i].due.Before(s[j].due)
}
func (s schedule) Swap(i, j int) {
	s[i], s[j] = s[j], s[i]
	s[i].index, s[j].index = i, j
}
func (s *schedule) Push(x any) {
	v := x.(*polledVehicle)
	v.index = len(*s)
	*s = append(*s, v)
}
func (s *schedule) Pop() any {
	old := *s
	v := old[len(old)-1]
	*s = old[:len(old)-1]
	return v
}

// poller is the stream.Source of PollPositions: one goroutine that reads one vehicle
// at a time, in schedule order.
type poller struct {
	c          *Client
	userID     string
	ids        []string
	period     time.Duration // between two reads of one vehicle
	spacing    time.Duration // between two requests
	maxBackoff time.Duration
}

// pollPlan returns the period of each vehicle and the spacing of requests: the spacing
// is the interval divided among the vehicles, or the budget's, whichever is longer.
func pollPlan(n int, interval time.Duration, budgetN int, budgetPer time.Duration) (period, spacing time.Duration) {
	n = max(n, 1)
	minSpacing := budgetPer / time.Duration(budgetN)
	spacing = max(interval/time.Duration(n), minSpacing)
	return spacing * time.Duration(n), spacing
}

func newPoller(c *Client, ids []string, pc pollConfig) *poller {
	period, spacing := pollPlan(len(ids), pc.interval, pc.budgetN, pc.budgetPer)
	return &poller{c: c, userID: pc.userID, ids: ids, period: period, spacing: spacing, maxBackoff: max(pc.maxBackoff, period)}
}

// Run reads the vehicles in schedule order until ctx ends.
func (p *poller) Run(ctx context.Context, s *stream.Session) error {
	clock := s.Clock()
	start := clock.Now()
	sched := make(schedule, len(p.ids))
	for i, id := range p.ids {
		sched[i] = &polledVehicle{id: id, due: start.Add(time.Duration(i) * p.spacing), index: i}
	}
	heap.Init(&sched)
	if len(sched) == 0 {
		<-ctx.Done()
		return nil
	}
	var last, paused time.Time // the last request; no request before paused
	appFailures := 0
	connected := false
	for {
		v := sched[0]
		at := v.due
		if !last.IsZero() && last.Add(p.spacing).After(at) {
			at = last.Add(p.spacing)
		}
		if paused.After(at) {
			at = paused
		}
		if wait := at.Sub(clock.Now()); wait > 0 {
			if clock.Sleep(ctx, wait) != nil {
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		last = clock.Now()
		sig, err := p.c.Signals.Get(ctx, v.id, SignalLocationPreciseLocation, WithUserID(p.userID))
		if ctx.Err() != nil {
			return nil
		}
		now := clock.Now()
		o := classifyPoll(sig, err)
		switch o.kind {
		case pollPermanent:
			return err
		case pollAppLimited:
			// The application's budget: nothing is sent until it refills, and this
			// vehicle keeps its turn.
			if o.clientSide {
				paused = now.Add(max(o.retryAfter, p.spacing))
				continue
			}
			appFailures++
			paused = now.Add(max(o.retryAfter, p.spacing<<min(appFailures, 6)))
			s.SetState(telematics.StateReconnecting, err)
			continue
		}
		appFailures = 0
		if o.kind != pollUnreachableApp {
			s.Heard()
		}
		switch o.kind {
		case pollOK:
			v.failures, v.offline = 0, false
			v.due = now.Add(p.period)
		case pollRetryAfter:
			v.failures++
			v.due = now.Add(max(p.period, o.retryAfter))
		case pollBackoff, pollUnreachableApp:
			v.failures++
			v.due = now.Add(p.backoff(v.failures))
		case pollMax:
			v.failures++
			v.due = now.Add(p.maxBackoff)
		}
		heap.Fix(&sched, v.index)
		if o.kind == pollUnreachableApp {
			s.SetState(telematics.StateReconnecting, err)
		} else if !connected || s.State().Conn != telematics.StateConnected {
			connected = true
			s.SetState(telematics.StateConnected, nil)
		}
		if pos, ok := o.position(); ok {
			s.Publish(telematics.Event{Kind: telematics.EventPosition, VehicleID: v.id, Position: pos, Time: pos.Time, Raw: sig.Body})
		}
		switch {
		case o.asleep && !v.offline:
			v.offline = true
			ev := telematics.Event{Kind: telematics.EventOffline, VehicleID: v.id, Time: now}
			if k, ok := s.Known()[v.id]; ok {
				ev.Position = k
			}
			s.Publish(ev)
		case o.kind != pollOK && !o.asleep:
			s.Publish(telematics.Event{Kind: telematics.EventError, VehicleID: v.id, Time: now, Code: o.code, Message: o.message(err)})
		}
	}
}

// backoff is the wait after the n-th consecutive failure: the period doubled n times,
// at most maxBackoff.
func (p *poller) backoff(n int) time.Duration {
	d := p.period
	for i := 0; i < n && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// pollKind is what a read's outcome means for the schedule.
type pollKind int

const (
	pollOK             pollKind = iota // read: next turn after the period
	pollRetryAfter                     // the vehicle's 429: not before its Retry-After
	pollBackoff                        // the vehicle failed: exponential backoff
	pollMax                            // the vehicle cannot be read for now: the longest wait
	pollAppLimited                     // the application's budget: pause every request
	pollUnreachableApp                 // Smartcar cannot be reached: back off, state reconnecting
	pollPermanent                      // the credentials are refused or the client closed: end
)

// pollOutcome is the classification of one read.
type pollOutcome struct {
	kind       pollKind
	sig        *Signal
	retryAfter time.Duration
	clientSide bool   // the client-side limiter refused to send
	asleep     bool   // asleep or unreachable: an offline event
	code       string // TYPE:CODE of the failure
}

// position returns the location the read carried, also a stale one sent with an
// error status: it is the vehicle's last known fix, published only when newer than
// the last one.
func (o pollOutcome) position() (telematics.Position, bool) {
	if o.sig == nil {
		return telematics.Position{}, false
	}
	return o.sig.Position()
}

func (o pollOutcome) message(err error) string {
	if err != nil {
		return err.Error()
	}
	if o.sig.Error != nil {
		if m := o.sig.Error.Message(); m != "" {
			return m
		}
	}
	return strings.TrimSpace("the location signal is " + string(o.sig.Status) + " " + o.code)
}

// classifyPoll decides what a read of the location signal means for the schedule.
func classifyPoll(sig *Signal, err error) pollOutcome {
	if err == nil {
		o := pollOutcome{kind: pollOK, sig: sig}
		if sig.OK() {
			return o
		}
		if d := sig.Error; d != nil {
			o.code = kind(d.Type, d.Code)
			switch {
			case d.Type == ErrorTypeVehicleState && (d.Code == CodeAsleep || d.Code == CodeUnreachable || d.Code == CodeVehicleOfflineForService):
				o.kind, o.asleep = pollBackoff, true
			case d.Type == ErrorTypePermission, d.Type == ErrorTypeCompatibility, d.Type == ErrorTypeConnectedServicesAccount:
				o.kind = pollMax
			default:
				o.kind = pollBackoff
			}
			return o
		}
		o.kind, o.code = pollBackoff, string(sig.Status)
		return o
	}
	var o pollOutcome
	var api *APIError
	isAPI := errors.As(err, &api)
	if isAPI {
		o.code = kind(api.Type, api.Code)
	}
	var rl *telematics.RateLimitError
	switch {
	case errors.Is(err, telematics.ErrUnauthorized), errors.Is(err, telematics.ErrClientClosed):
		o.kind = pollPermanent
	case errors.As(err, &rl) && rl.Err == nil:
		// The client-side limiter (WithAppRateLimit...) would have waited too long.
		o.kind, o.clientSide, o.retryAfter = pollAppLimited, true, rl.RetryAfter
	case isAPI && api.Type == ErrorTypeRateLimit && api.Code == CodeSmartcarAPI:
		o.kind, o.retryAfter = pollAppLimited, api.RetryAfter
	case isAPI && api.StatusCode == http.StatusTooManyRequests && api.RetryAfter > 0:
		o.kind, o.retryAfter = pollRetryAfter, api.RetryAfter
	case IsVehicleUnreachable(err):
		o.kind, o.asleep = pollBackoff, true
	case errors.Is(err, ErrBilling), errors.Is(err, telematics.ErrNotFound), errors.Is(err, telematics.ErrForbidden),
		errors.Is(err, telematics.ErrNotSupported), errors.Is(err, telematics.ErrInvalidInput):
		o.kind = pollMax
	case isAPI && (api.Type == ErrorTypeUpstream || api.StatusCode == http.StatusTooManyRequests || api.StatusCode == http.StatusConflict):
		o.kind = pollBackoff
	default:
		// A network error, a server error, a malformed answer: Smartcar itself.
		o.kind = pollUnreachableApp
		if o.code == "" {
			o.code = "UNAVAILABLE"
		}
	}
	return o
}
