package httpcore

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// NoWait is the Config.MaxWait of a client that never waits for a rate limit: a call that
// would have to wait fails at once with a *telematics.RateLimitError. (Config.MaxWait
// zero is DefaultMaxWait.)
const NoWait time.Duration = -1

// Retries is the default retry policy with at most n retries; Retries(0) is NoRetry().
func Retries(n int) RetryPolicy {
	p := DefaultRetry()
	p.MaxRetries = n
	return p
}

// Settings are the client options every provider offers, with one meaning and one
// validation: a provider's config embeds them, and its With… options call the setters,
// whose errors NewClient reports together (see Invalid). The zero value is not useful: a
// provider starts from its own defaults.
type Settings struct {
	HTTPClient *http.Client // nil: a client on a private copy of http.DefaultTransport
	Logger     *slog.Logger // nil: silent
	UserAgent  string
	MaxRetries int           // 0: no retries
	MaxWait    time.Duration // 0: never wait
	Timeout    time.Duration // of one attempt
	MaxBody    int64
	Limiter    *rate.Limiter // nil: no client-side pacing
	Clock      telematics.Clock
	Budget     telematics.SharedBudget // nil: in-process pacing only

	shared *shared // Budget's state, shared by every Config Core completes
}

// SetHTTPClient sets the HTTP client; nil is refused.
func (s *Settings) SetHTTPClient(hc *http.Client) error {
	if hc == nil {
		return fmt.Errorf("nil HTTP client")
	}
	s.HTTPClient = hc
	return nil
}

// SetLogger sets the logger; nil logs nothing.
func (s *Settings) SetLogger(l *slog.Logger) error { s.Logger = l; return nil }

// SetUserAgent sets the User-Agent prefix; a line break is refused.
func (s *Settings) SetUserAgent(ua string) error {
	if strings.ContainsAny(ua, "\r\n") {
		return fmt.Errorf("user agent %q contains a line break", ua)
	}
	s.UserAgent = strings.TrimSpace(ua)
	return nil
}

// SetMaxRetries sets the retries of a call that is safe to repeat; 0 turns them off, a
// negative count is refused.
func (s *Settings) SetMaxRetries(n int) error {
	if n < 0 {
		return fmt.Errorf("maximum retries %d is negative (0 turns retries off)", n)
	}
	s.MaxRetries = n
	return nil
}

// SetMaxWait sets the longest a call waits for rate limits; 0 never waits, a negative
// wait is refused.
func (s *Settings) SetMaxWait(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("maximum wait %s is negative (0 never waits)", d)
	}
	s.MaxWait = d
	return nil
}

// SetTimeout bounds one attempt; it must be positive.
func (s *Settings) SetTimeout(d time.Duration) error {
	return SetPositive(&s.Timeout, "timeout", d)
}

// SetMaxBody bounds a success body; it must be positive.
func (s *Settings) SetMaxBody(n int64) error {
	if n <= 0 {
		return fmt.Errorf("maximum response body %d is not positive", n)
	}
	s.MaxBody = n
	return nil
}

// SetRateLimiter paces requests with lim; nil removes the limiter.
func (s *Settings) SetRateLimiter(lim *rate.Limiter) error { s.Limiter = lim; return nil }

// SetBudget paces requests evenly to n per period, one every per/n; both must be
// positive. It replaces the limiter.
func (s *Settings) SetBudget(n int, per time.Duration) error {
	if n <= 0 || per <= 0 {
		return fmt.Errorf("budget %d per %s: both must be positive", n, per)
	}
	s.Limiter = rate.NewLimiter(rate.Every(per/time.Duration(n)), 1)
	return nil
}

// SetSharedBudget shares the request budget through b (see Config.Budget); nil goes
// back to in-process pacing.
func (s *Settings) SetSharedBudget(b telematics.SharedBudget) error { s.Budget = b; return nil }

// SetClock sets the clock; nil is refused.
func (s *Settings) SetClock(clock telematics.Clock) error {
	if clock == nil {
		return fmt.Errorf("nil clock")
	}
	s.Clock = clock
	return nil
}

// SetPositive sets *dst to a duration that must be positive, named what in the error.
func SetPositive(dst *time.Duration, what string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s %s is not positive", what, d)
	}
	*dst = d
	return nil
}

// SetURL sets *dst to raw, which must be an absolute http(s) URL, named what in the error.
func SetURL(dst *string, what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q is not an absolute http(s) URL", what, RedactURLString(raw))
	}
	*dst = raw
	return nil
}

// CheckCredentials refuses a blank client ID or secret; envID and envSecret name the
// environment variables FromEnv reads them from.
func CheckCredentials(clientID, clientSecret, envID, envSecret string) error {
	if strings.TrimSpace(clientID) == "" || strings.TrimSpace(clientSecret) == "" {
		return fmt.Errorf("client ID and client secret are required (FromEnv reads %s and %s)", envID, envSecret)
	}
	return nil
}

// Apply applies options that may fail to cfg and returns their errors, nil options
// skipped: every option runs, so that NewClient reports every mistake at once.
func Apply[C any, O ~func(*C) error](cfg *C, opts []O) []error {
	var errs []error
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Invalid joins errs into one error of the provider matching telematics.ErrInvalidInput
// and each of errs (nil when errs is empty): "smartcar: invalid input: max
// wait -1s is negative (0 never waits); nil clock".
func Invalid(provider string, errs ...error) error {
	j := joined(nil)
	for _, err := range errs {
		if err != nil {
			j = append(j, err)
		}
	}
	if len(j) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w: %w", provider, telematics.ErrInvalidInput, j)
}

// joined is errors.Join on one line: its parts separated by "; ".
type joined []error

func (j joined) Error() string {
	parts := make([]string, len(j))
	for i, err := range j {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (j joined) Unwrap() []error { return j }

// HTTP returns the HTTP client to send with, and the transport the client owns and
// closes the idle connections of on Close (nil when the caller gave the HTTP client).
// Without one given it is a private copy of http.DefaultTransport, so that Close drops
// its own idle connections and nobody else's; a program that wrapped
// http.DefaultTransport (tracing, metrics) keeps its wrapper, used as is.
func (s *Settings) HTTP() (*http.Client, *http.Transport) {
	if s.HTTPClient != nil {
		return s.HTTPClient, nil
	}
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{Transport: http.DefaultTransport}, nil
	}
	own := t.Clone()
	return &http.Client{Transport: own}, own
}

// Core completes cfg, which holds what is the provider's own (Provider, BaseURL, Tokens,
// DecodeError, Redactor...), with the settings: the logger, User-Agent, clock, retries,
// maximum wait (0 becomes NoWait), limiter, shared budget, attempt timeout and body
// limit. cfg.BudgetKey is the provider's to fill, the same for every Config of one
// Settings: the Clients built from them share the budget's state (one warning per
// outage of its store, not one per Client).
func (s *Settings) Core(cfg Config) Config {
	cfg.Logger = s.Logger
	cfg.UserAgent = s.UserAgent
	cfg.Clock = s.Clock
	cfg.Retry = Retries(s.MaxRetries)
	cfg.MaxWait = s.MaxWait
	if s.MaxWait == 0 {
		cfg.MaxWait = NoWait
	}
	cfg.Limiter = NewLimiter(s.Limiter)
	cfg.Budget = s.Budget
	if s.Budget != nil {
		if s.shared == nil || s.shared.store != s.Budget {
			s.shared = newShared(cfg, s.Logger)
		}
		cfg.shared = s.shared
	}
	cfg.Timeout = s.Timeout
	cfg.MaxBody = s.MaxBody
	return cfg
}
