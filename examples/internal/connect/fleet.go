package connect

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// FleetOption changes what Fleet builds.
type FleetOption func(*fleetConfig)

type fleetConfig struct {
	smartcarSetup func(*smartcartest.Server)
}

// WithSmartcarSimulation lets setup change the simulated Smartcar fleet before it is
// used (make vehicles drive, for example); the real API is left alone.
func WithSmartcarSimulation(setup func(*smartcartest.Server)) FleetOption {
	return func(c *fleetConfig) { c.smartcarSetup = setup }
}

// Providers are the values of the examples' -provider flag.
var Providers = []string{"mycartracks", "smartcar", "all"}

// ProviderUsage is the help text of a -provider flag.
const ProviderUsage = "provider: mycartracks, smartcar or all (both, merged; vehicle ids are then provider:id)"

// Fleet returns the provider-neutral fleet of a provider ("mycartracks", "smartcar", or
// "all" for both merged with telematics.Merge), each on the real API when its
// credentials are in the environment and on a simulated fleet otherwise, as MyCarTracks
// and Smartcar say on log. A Smartcar fleet holds every vehicle connected to the
// application. simulated is true when every provider is simulated; closeAll releases
// everything.
func Fleet(log io.Writer, provider, userAgent string, opts ...FleetOption) (fleet telematics.Fleet, simulated bool, closeAll func(), err error) {
	var cfg fleetConfig
	for _, o := range opts {
		o(&cfg)
	}
	var fleets []telematics.Fleet
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	p := strings.ToLower(strings.TrimSpace(provider))
	if p == "mycartracks" || p == "all" {
		c, sim, done, err := MyCarTracks(log)
		if err != nil {
			closeAll()
			return nil, false, nil, err
		}
		closers = append(closers, done)
		fleets = append(fleets, c.Fleet())
		simulated = sim && (simulated || len(fleets) == 1)
	}
	if p == "smartcar" || p == "all" {
		smartcarClient := Smartcar
		if cfg.smartcarSetup != nil && os.Getenv(smartcar.EnvClientID) == "" {
			smartcarClient = func(log io.Writer, userAgent string) (*smartcar.Client, bool, func(), error) {
				return smartcarFake(log, userAgent, cfg.smartcarSetup)
			}
		}
		c, sim, done, err := smartcarClient(log, userAgent)
		if err != nil {
			closeAll()
			return nil, false, nil, err
		}
		closers = append(closers, done)
		fleets = append(fleets, c.Fleet(""))
		simulated = sim && (simulated || len(fleets) == 1)
	}
	switch len(fleets) {
	case 0:
		return nil, false, nil, fmt.Errorf("unknown provider %q (want %s): %w", provider, strings.Join(Providers, ", "), telematics.ErrInvalidInput)
	case 1:
		return fleets[0], simulated, closeAll, nil
	}
	return telematics.Merge(fleets...), simulated, closeAll, nil
}
