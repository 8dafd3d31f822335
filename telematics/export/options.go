package export

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Defaults of the options.
const (
	// DefaultCreator is the GPX creator attribute unless WithCreator says otherwise.
	DefaultCreator = "fleetkit-go"
	// DefaultPrecision is the number of decimals of coordinates (about 1 cm).
	DefaultPrecision = 7
	// MaxPrecision is the largest precision WithPrecision accepts.
	MaxPrecision = 15
)

// measurePrecision is the number of decimals of altitudes, speeds, headings, accuracies
// and distances: centimetres, centimetres per second, hundredths of a degree.
const measurePrecision = 2

type config struct {
	creator   string
	name      string
	time      time.Time
	precision int
	separator rune
	crlf      bool
	// The progress of Tracks.
	progress func(Progress)
	every    int
	clock    telematics.Clock
}

func newConfig(opts []Option) (config, error) {
	c := config{creator: DefaultCreator, precision: DefaultPrecision, separator: ',', crlf: true}
	for _, o := range opts {
		o(&c)
	}
	if c.creator == "" {
		c.creator = DefaultCreator
	}
	if c.every <= 0 {
		c.every = DefaultProgressEvery
	}
	if c.clock == nil {
		c.clock = telematics.SystemClock
	}
	if c.precision < 0 || c.precision > MaxPrecision {
		return c, fmt.Errorf("export: precision %d outside 0..%d: %w", c.precision, MaxPrecision, telematics.ErrInvalidInput)
	}
	if !validSeparator(c.separator) {
		return c, fmt.Errorf("export: invalid CSV separator %q: %w", c.separator, telematics.ErrInvalidInput)
	}
	return c, nil
}

// validSeparator mirrors the rule of encoding/csv.
func validSeparator(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// Option configures a Writer. An option that does not apply to a format is ignored by it.
type Option func(*config)

// WithCreator sets the creator attribute of a GPX document, usually the name of the
// program that writes it. An empty name keeps [DefaultCreator].
func WithCreator(name string) Option { return func(c *config) { c.creator = name } }

// WithName names the document: the GPX metadata name, the GeoJSON "name" member.
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithTime sets the GPX metadata time, usually when the export was made. Without it the
// document has no time of its own, so the same input always gives the same bytes.
func WithTime(t time.Time) Option { return func(c *config) { c.time = t.UTC() } }

// WithPrecision sets the number of decimals of latitudes and longitudes, from 0 to
// [MaxPrecision] (default [DefaultPrecision]). Trailing zeros are not written.
func WithPrecision(decimals int) Option { return func(c *config) { c.precision = decimals } }

// WithSeparator sets the CSV field separator (default ','), for example ';' for
// spreadsheets in locales that use the comma as decimal mark.
func WithSeparator(r rune) Option { return func(c *config) { c.separator = r } }

// WithCRLF sets whether CSV lines end in "\r\n" as RFC 4180 says (the default) or in "\n".
func WithCRLF(crlf bool) Option { return func(c *config) { c.crlf = crlf } }
