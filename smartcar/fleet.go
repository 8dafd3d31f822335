package smartcar

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// FleetCapabilities are the capabilities of the Smartcar [Fleet]: vehicles, last
// positions (from the location signal), signals, live positions (by polling) and
// commands. Smartcar records no trips, so it has no tracks.
const FleetCapabilities = telematics.CanListVehicles | telematics.CanReadLastPositions |
	telematics.CanReadSignals | telematics.CanStreamLive | telematics.CanSendCommands

// Fleet returns the vehicles a user connected to the application as a provider-neutral
// [telematics.Fleet], the view a program that works with any provider takes. With an
// empty userID it is every vehicle connected to the application, each read on behalf of
// the user who connected it.
//
//   - Vehicles lists Connections.All (filter[userId]); a vehicle's Name is empty, its
//     Make, Model, Year and Powertrain are those of the connection.
//   - LastPositions reads the location-preciselocation signal of each vehicle (one
//     request per vehicle: each counts against the vehicle's allowance). A vehicle that
//     has no location, or that is asleep or unreachable, is left out.
//   - Signals reads Signals.List (one request) and keeps the codes asked for; a code the
//     vehicle does not report is left out.
//   - Live polls the location signal (PollPositions, one poller per user); its options
//     apply.
//   - SendCommand maps each telematics.CommandKind to the CommandsService method of the
//     same name (CommandSetChargeLimit rounds to a whole percent); an unknown kind is an
//     error matching telematics.ErrNotSupported.
//
// A vehicle the fleet does not have (not connected, or connected by another user) is an
// error matching telematics.ErrNotFound that names it. The fleet learns which user
// connected a vehicle from Vehicles or, for a vehicle it has not listed, from one
// Connections.List; it remembers it for its lifetime.
//
// Tracks and TrackPositions return an error matching telematics.ErrNotSupported:
// Smartcar records no trips (see [FleetCapabilities]).
//
// The provider's own types stay reachable: [ClientOf] returns this client from the fleet
// (also from a member of telematics.Merge through telematics.MergedFleet.Member), and
// neutral ids are Smartcar's own, so client.Signals.List(ctx, id, WithUserID(user))
// returns the typed values (Location, ChargeLimits...) and their JSON.
func (c *Client) Fleet(userID string) telematics.Fleet {
	return &FleetAdapter{client: c, userID: userID, users: map[string]string{}}
}

// FleetAdapter is the [telematics.Fleet] of a Smartcar client and user; [Client.Fleet]
// returns it.
type FleetAdapter struct {
	client *Client
	userID string

	mu    sync.Mutex
	users map[string]string // vehicle id → the id of the user who connected it
}

var _ telematics.Fleet = (*FleetAdapter)(nil)

// Client returns the Smartcar client behind the fleet.
func (f *FleetAdapter) Client() *Client { return f.client }

// UserID returns the user whose vehicles the fleet holds ("" for every user).
func (f *FleetAdapter) UserID() string { return f.userID }

// ClientOf returns the Smartcar client behind a fleet that [Client.Fleet] returned, and
// false for any other fleet.
func ClientOf(f telematics.Fleet) (*Client, bool) {
	a, ok := f.(*FleetAdapter)
	if !ok || a == nil {
		return nil, false
	}
	return a.client, true
}

// Provider returns "smartcar".
func (f *FleetAdapter) Provider() string { return Provider }

// Capabilities returns [FleetCapabilities].
func (f *FleetAdapter) Capabilities() telematics.Capabilities { return FleetCapabilities }

func (f *FleetAdapter) remember(vehicleID, userID string) {
	f.mu.Lock()
	f.users[vehicleID] = userID
	f.mu.Unlock()
}

// userOf returns the user who connected vehicleID, an error matching
// telematics.ErrNotFound when the fleet has no such vehicle.
func (f *FleetAdapter) userOf(ctx context.Context, vehicleID string) (string, error) {
	f.mu.Lock()
	u, ok := f.users[vehicleID]
	f.mu.Unlock()
	if ok {
		return u, nil
	}
	if vehicleID == "" {
		return "", fmt.Errorf("%s: empty vehicle id: %w: %w", Provider, telematics.ErrNotFound, telematics.ErrInvalidInput)
	}
	page, err := f.client.Connections.List(ctx, &ConnectionListOptions{VehicleID: vehicleID, UserID: f.userID, PageSize: 1})
	if err != nil {
		return "", fmt.Errorf("%s: vehicle %q: %w", Provider, vehicleID, err)
	}
	if len(page.Items) == 0 || page.Items[0].VehicleID != vehicleID {
		return "", f.notFound(vehicleID)
	}
	u = page.Items[0].UserID
	f.remember(vehicleID, u)
	return u, nil
}

func (f *FleetAdapter) notFound(vehicleID string) error {
	if f.userID != "" {
		return fmt.Errorf("%s: vehicle %q is not connected by user %q: %w", Provider, vehicleID, f.userID, telematics.ErrNotFound)
	}
	return fmt.Errorf("%s: vehicle %q is not connected to the application: %w", Provider, vehicleID, telematics.ErrNotFound)
}

// connections iterates over the fleet's connections, remembering their users.
func (f *FleetAdapter) connections(ctx context.Context) iter.Seq2[Connection, error] {
	return func(yield func(Connection, error) bool) {
		for c, err := range f.client.Connections.All(ctx, &ConnectionListOptions{UserID: f.userID}) {
			if err == nil {
				f.remember(c.VehicleID, c.UserID)
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// Vehicles yields the vehicles of the fleet's connections.
func (f *FleetAdapter) Vehicles(ctx context.Context) iter.Seq2[telematics.Vehicle, error] {
	return func(yield func(telematics.Vehicle, error) bool) {
		for c, err := range f.connections(ctx) {
			if err != nil {
				yield(telematics.Vehicle{}, err)
				return
			}
			v := c.Vehicle
			v.ID = c.VehicleID
			if !yield(v.Telematics(), nil) {
				return
			}
		}
	}
}

// vehicleIDs returns ids, or every vehicle of the fleet when ids is empty.
func (f *FleetAdapter) vehicleIDs(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) > 0 {
		return ids, nil
	}
	var all []string
	for c, err := range f.connections(ctx) {
		if err != nil {
			return nil, err
		}
		all = append(all, c.VehicleID)
	}
	return all, nil
}

// LastPositions yields the location of each vehicle (of every vehicle when none is
// given), read from its location-preciselocation signal.
func (f *FleetAdapter) LastPositions(ctx context.Context, vehicleIDs ...string) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		ids, err := f.vehicleIDs(ctx, vehicleIDs)
		if err != nil {
			yield(telematics.Position{}, err)
			return
		}
		for _, id := range ids {
			user, err := f.userOf(ctx, id)
			if err != nil {
				yield(telematics.Position{}, err)
				return
			}
			sig, err := f.client.Signals.Get(ctx, id, SignalLocationPreciseLocation, WithUserID(user))
			switch {
			case errors.Is(err, telematics.ErrVehicleUnreachable):
				continue
			case err != nil:
				yield(telematics.Position{}, err)
				return
			}
			p, ok := sig.Position()
			if !ok || !p.Valid() {
				continue
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// Tracks returns an error matching telematics.ErrNotSupported: Smartcar records no trips.
func (f *FleetAdapter) Tracks(ctx context.Context, vehicleID string, from, to time.Time) iter.Seq2[telematics.Track, error] {
	return func(yield func(telematics.Track, error) bool) {
		yield(telematics.Track{}, fmt.Errorf("%s: tracks of vehicle %q: %w: Smartcar records no trips", Provider, vehicleID, telematics.ErrNotSupported))
	}
}

// TrackPositions returns an error matching telematics.ErrNotSupported: Smartcar records
// no trips.
func (f *FleetAdapter) TrackPositions(ctx context.Context, track telematics.Track) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		yield(telematics.Position{}, fmt.Errorf("%s: positions of track %q: %w: Smartcar records no trips", Provider, track.ID, telematics.ErrNotSupported))
	}
}

// Signals reads the signals of a vehicle with one Signals.List and returns those with
// the codes asked for (all when none is), in the order Smartcar sent them.
func (f *FleetAdapter) Signals(ctx context.Context, vehicleID string, codes ...string) ([]telematics.Signal, error) {
	user, err := f.userOf(ctx, vehicleID)
	if err != nil {
		return nil, err
	}
	set, err := f.client.Signals.List(ctx, vehicleID, WithUserID(user))
	if err != nil {
		return nil, err
	}
	out := make([]telematics.Signal, 0, len(set.Signals))
	for i := range set.Signals {
		if len(codes) == 0 || slices.Contains(codes, string(set.Signals[i].Code)) {
			out = append(out, set.Signals[i].Telematics())
		}
	}
	return out, nil
}

// Live polls the location of the vehicles (every vehicle of the fleet when none is
// given) with PollPositions, one poller per user, merged into one subscription.
func (f *FleetAdapter) Live(ctx context.Context, vehicleIDs []string, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	ids, err := f.vehicleIDs(ctx, vehicleIDs)
	if err != nil {
		return nil, err
	}
	var users []string
	byUser := map[string][]string{}
	for _, id := range ids {
		u, err := f.userOf(ctx, id)
		if err != nil {
			return nil, err
		}
		if _, ok := byUser[u]; !ok {
			users = append(users, u)
		}
		byUser[u] = append(byUser[u], id)
	}
	if len(users) == 0 {
		// No vehicle: a poller of none, which ends with ctx or Close.
		return f.client.pollNothing(ctx, opts...)
	}
	subs := make([]*telematics.Subscription, 0, len(users))
	for _, u := range users {
		sub, err := f.client.PollPositions(ctx, byUser[u], append([]telematics.SubscribeOption{WithPollUserID(u)}, opts...)...)
		if err != nil {
			for _, s := range subs {
				s.Close()
			}
			return nil, err
		}
		subs = append(subs, sub)
	}
	if len(subs) == 1 {
		return subs[0], nil
	}
	return telematics.MergeSubscriptions(subs...), nil
}

// SendCommand sends cmd to the vehicle through the CommandsService on behalf of the user
// who connected it. The result's Pending is true when Smartcar answered 202 (the command
// runs long) and its Status is not yet SUCCESS.
func (f *FleetAdapter) SendCommand(ctx context.Context, vehicleID string, cmd telematics.Command) (telematics.CommandResult, error) {
	var send func(opts ...RequestOption) (*CommandExecution, error)
	c := f.client.Commands
	switch cmd.Kind {
	case telematics.CommandLock:
		send = func(opts ...RequestOption) (*CommandExecution, error) { return c.Lock(ctx, vehicleID, opts...) }
	case telematics.CommandUnlock:
		send = func(opts ...RequestOption) (*CommandExecution, error) { return c.Unlock(ctx, vehicleID, opts...) }
	case telematics.CommandStartCharge:
		send = func(opts ...RequestOption) (*CommandExecution, error) { return c.StartCharge(ctx, vehicleID, opts...) }
	case telematics.CommandStopCharge:
		send = func(opts ...RequestOption) (*CommandExecution, error) { return c.StopCharge(ctx, vehicleID, opts...) }
	case telematics.CommandSetChargeLimit:
		percent := int(math.Round(float64(cmd.ChargeLimit)))
		send = func(opts ...RequestOption) (*CommandExecution, error) {
			return c.SetChargeLimit(ctx, vehicleID, percent, opts...)
		}
	case telematics.CommandSetDestination:
		send = func(opts ...RequestOption) (*CommandExecution, error) {
			return c.SetDestination(ctx, vehicleID, cmd.Latitude, cmd.Longitude, opts...)
		}
	default:
		return telematics.CommandResult{}, fmt.Errorf("%s: command %q: %w", Provider, cmd.Kind, telematics.ErrNotSupported)
	}
	user, err := f.userOf(ctx, vehicleID)
	if err != nil {
		return telematics.CommandResult{}, err
	}
	var resp telematics.Response
	exec, err := send(WithUserID(user), WithResponse(&resp))
	var res telematics.CommandResult
	res.RequestID = resp.RequestID
	if exec != nil {
		res.Status = exec.Status
		res.Pending = exec.LongRunning() && !exec.Succeeded()
	}
	return res, err
}
