package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/sandbox"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// provider is one provider opened for a command: its fleet and its request budget.
type provider struct {
	name  string
	fleet telematics.Fleet
	// rate returns the budget as the provider's last response reported it.
	rate func() telematics.Rate
}

// backend is what a command works on: the providers --provider selects, and their fleets
// as one (merged when there are several).
type backend struct {
	providers []provider
	fleet     telematics.Fleet
	closers   []func()
}

// Close releases the clients and stops the simulated fleets.
func (b *backend) Close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		b.closers[i]()
	}
}

// wants reports whether --provider selects the provider name.
func (a *app) wants(name string) bool { return a.provider == providerAll || a.provider == name }

// open opens the providers --provider selects: from the environment, or with --sandbox
// the simulated fleets.
func (a *app) open(ctx context.Context) (*backend, error) {
	b := &backend{}
	var err error
	if a.sandbox {
		err = a.openSandbox(ctx, b)
	} else {
		err = a.openFromEnv(b)
	}
	if err == nil {
		err = b.join()
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// openFromEnv opens the providers whose credentials are in the environment. A provider
// asked for by name must have them; with --provider all, at least one must.
func (a *app) openFromEnv(b *backend) error {
	type creds struct {
		name, idVar, secretVar string
		// settings are the optional variables FromEnv reads besides the credentials.
		settings []string
	}
	var missing []string
	for _, c := range []creds{
		{providerMyCarTracks, mycartracks.EnvClientID, mycartracks.EnvClientSecret,
			[]string{mycartracks.EnvScope, mycartracks.EnvBaseURL, mycartracks.EnvTokenURL}},
		{providerSmartcar, smartcar.EnvClientID, smartcar.EnvClientSecret,
			[]string{smartcar.EnvVehicleAPIURL, smartcar.EnvManagementAPIURL, smartcar.EnvTokenURL, smartcar.EnvUnitSystem}},
	} {
		if !a.wants(c.name) {
			continue
		}
		if strings.TrimSpace(a.getenv(c.idVar)) == "" || strings.TrimSpace(a.getenv(c.secretVar)) == "" {
			if a.provider != providerAll {
				return &credentialsError{fmt.Sprintf("no %s credentials: set %s and %s, or try --sandbox", c.name, c.idVar, c.secretVar)}
			}
			missing = append(missing, c.idVar+" and "+c.secretVar)
			continue
		}
		// A client that FromEnv refuses has a malformed setting: a usage error that
		// names the variables to check (the SDK's message never holds their secret).
		settingsError := func(err error) error {
			return usagef("the %s settings in the environment: %w: check %s", c.name, err, strings.Join(append([]string{c.idVar, c.secretVar}, c.settings...), ", "))
		}
		switch c.name {
		case providerMyCarTracks:
			client, err := mycartracks.FromEnv()
			if err != nil {
				return settingsError(err)
			}
			b.addMyCarTracks(client)
		case providerSmartcar:
			client, err := smartcar.FromEnv()
			if err != nil {
				return settingsError(err)
			}
			b.addSmartcar(client, a.smartcarUser)
		}
	}
	if len(b.providers) == 0 {
		return &credentialsError{"no credentials: set " + strings.Join(missing, ", or ") + ", or try --sandbox"}
	}
	return nil
}

// openSandbox starts the simulated fleets (package sandbox) and opens clients of them.
func (a *app) openSandbox(ctx context.Context, b *backend) error {
	sb, err := sandbox.Start(ctx, sandbox.Options{Addr: sandbox.DefaultAddr})
	if err != nil {
		return err
	}
	b.closers = append(b.closers, sb.Close)
	if a.wants(providerMyCarTracks) {
		client, err := sb.MyCarTracks.NewClient()
		if err != nil {
			return err
		}
		b.addMyCarTracks(client)
	}
	if a.wants(providerSmartcar) {
		client, err := sb.Smartcar.NewClient()
		if err != nil {
			return err
		}
		b.addSmartcar(client, a.smartcarUser)
	}
	return nil
}

func (b *backend) addMyCarTracks(c *mycartracks.Client) {
	b.closers = append(b.closers, c.Close)
	b.providers = append(b.providers, provider{name: providerMyCarTracks, fleet: c.Fleet(), rate: c.Rate})
}

func (b *backend) addSmartcar(c *smartcar.Client, userID string) {
	b.closers = append(b.closers, c.Close)
	b.providers = append(b.providers, provider{name: providerSmartcar, fleet: c.Fleet(userID), rate: c.Rate})
}

// join sets the fleet the commands use: the one provider's, or all of them merged.
func (b *backend) join() error {
	switch len(b.providers) {
	case 0:
		return &credentialsError{"no provider selected"}
	case 1:
		b.fleet = b.providers[0].fleet
		return nil
	}
	fleets := make([]telematics.Fleet, len(b.providers))
	for i, p := range b.providers {
		fleets[i] = p.fleet
	}
	b.fleet = telematics.Merge(fleets...)
	return nil
}
