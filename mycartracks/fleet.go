package mycartracks

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// FleetCapabilities are the capabilities of the MyCarTracks [Fleet]: vehicles, last
// positions, tracks and their positions, live positions. MyCarTracks has no
// standardized signals and takes no commands.
const FleetCapabilities = telematics.CanListVehicles | telematics.CanReadLastPositions |
	telematics.CanListTracks | telematics.CanReadTrackPositions | telematics.CanStreamLive

// Fleet returns the account as a provider-neutral [telematics.Fleet], the view a program
// that works with any provider takes (reports, exports, dashboards):
//
//   - Vehicles lists Vehicles.All; LastPositions reads Positions.AllLast;
//   - Tracks lists Tracks.All of one vehicle, the tracks that started in [from, to);
//   - TrackPositions streams Tracks.Positions, one page of points at a time;
//   - Live subscribes with Live.Subscribe (the options of Live.Subscribe apply).
//
// Identifiers are the decimal form of [ID]. A vehicle id that is not a number, or that
// the account does not have, is an error matching telematics.ErrNotFound that names it
// (one that is not a number also matches telematics.ErrInvalidInput). To tell an unknown
// vehicle from one without data, Tracks reads the vehicle first (Vehicles.Get),
// LastPositions reads a vehicle the answer left out, and Live checks the vehicles it is
// given.
//
// Signals and SendCommand return an error matching telematics.ErrNotSupported:
// MyCarTracks has neither (see [FleetCapabilities]).
//
// The provider's own types stay reachable: [ClientOf] returns this client from the fleet
// (also from a member of telematics.Merge through telematics.MergedFleet.Member), and
// [ParseID] turns a neutral id back into an [ID] for the services, whose models keep
// their JSON in Raw.
func (c *Client) Fleet() telematics.Fleet { return &FleetAdapter{client: c} }

// FleetAdapter is the [telematics.Fleet] of a MyCarTracks client; [Client.Fleet]
// returns it.
type FleetAdapter struct{ client *Client }

var _ telematics.Fleet = (*FleetAdapter)(nil)

// Client returns the MyCarTracks client behind the fleet.
func (f *FleetAdapter) Client() *Client { return f.client }

// ClientOf returns the MyCarTracks client behind a fleet that [Client.Fleet] returned,
// and false for any other fleet.
func ClientOf(f telematics.Fleet) (*Client, bool) {
	a, ok := f.(*FleetAdapter)
	if !ok || a == nil {
		return nil, false
	}
	return a.client, true
}

// ParseID reads a neutral identifier (a [telematics.Vehicle], Track or Position id of
// this provider) back into an [ID]. Anything but a positive decimal number is an error
// matching telematics.ErrInvalidInput.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a MyCarTracks id (a positive number): %w", Provider, s, telematics.ErrInvalidInput)
	}
	return ID(n), nil
}

// vehicleID reads a neutral vehicle id: one that is not a number names no vehicle.
func vehicleID(s string) (ID, error) {
	id, err := ParseID(s)
	if err != nil {
		return 0, fmt.Errorf("%s: vehicle %q: %w: %w", Provider, s, telematics.ErrNotFound, err)
	}
	return id, nil
}

// Provider returns "mycartracks".
func (f *FleetAdapter) Provider() string { return Provider }

// Capabilities returns [FleetCapabilities].
func (f *FleetAdapter) Capabilities() telematics.Capabilities { return FleetCapabilities }

// Vehicles yields every vehicle of the account.
func (f *FleetAdapter) Vehicles(ctx context.Context) iter.Seq2[telematics.Vehicle, error] {
	return func(yield func(telematics.Vehicle, error) bool) {
		for v, err := range f.client.Vehicles.All(ctx, nil) {
			if err != nil {
				yield(telematics.Vehicle{}, err)
				return
			}
			if !yield(v.Telematics(), nil) {
				return
			}
		}
	}
}

// checkVehicle returns nil when the account has the vehicle, an error naming it and
// matching telematics.ErrNotFound when it has not.
func (f *FleetAdapter) checkVehicle(ctx context.Context, id ID) error {
	_, err := f.client.Vehicles.Get(ctx, id)
	if errors.Is(err, telematics.ErrNotFound) {
		return fmt.Errorf("%s: vehicle %q: %w", Provider, id.String(), err)
	}
	return err
}

// LastPositions yields the last known position of the vehicles (of every vehicle when
// none is given); a vehicle without a valid fix is left out, an unknown one is an error
// matching telematics.ErrNotFound.
func (f *FleetAdapter) LastPositions(ctx context.Context, vehicleIDs ...string) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		ids := make([]ID, 0, len(vehicleIDs))
		for _, s := range vehicleIDs {
			id, err := vehicleID(s)
			if err != nil {
				yield(telematics.Position{}, err)
				return
			}
			ids = append(ids, id)
		}
		seen := make(map[ID]bool, len(ids))
		for lp, err := range f.client.Positions.AllLast(ctx, &LastPositionOptions{VehicleIDs: ids}) {
			if err != nil {
				yield(telematics.Position{}, err)
				return
			}
			seen[lp.VehicleID] = true
			if !lp.Position.Valid() {
				continue
			}
			if !yield(lp.Position, nil) {
				return
			}
		}
		// A vehicle the answer did not mention has no position, or does not exist.
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if err := f.checkVehicle(ctx, id); err != nil {
				yield(telematics.Position{}, err)
				return
			}
		}
	}
}

// Tracks yields the tracks of vehicleID that started in [from, to) (zero times: no
// bound), oldest first. An unknown vehicle is an error matching telematics.ErrNotFound
// that names it, never an empty list.
func (f *FleetAdapter) Tracks(ctx context.Context, vehicle string, from, to time.Time) iter.Seq2[telematics.Track, error] {
	return func(yield func(telematics.Track, error) bool) {
		id, err := vehicleID(vehicle)
		if err == nil {
			err = f.checkVehicle(ctx, id)
		}
		if err != nil {
			yield(telematics.Track{}, err)
			return
		}
		opts := &TrackListOptions{VehicleID: id, From: from, To: to}
		for t, err := range f.client.Tracks.All(ctx, opts) {
			if err != nil {
				yield(telematics.Track{}, err)
				return
			}
			if !yield(t.Telematics(), nil) {
				return
			}
		}
	}
}

// TrackPositions streams the points of a track (as Tracks yielded it) in time order,
// one page at a time, each carrying the track's vehicle id. A track of another provider,
// or without an id, is an error matching telematics.ErrInvalidInput.
func (f *FleetAdapter) TrackPositions(ctx context.Context, track telematics.Track) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		t, err := providerTrack(track)
		if err != nil {
			yield(telematics.Position{}, err)
			return
		}
		f.client.Tracks.Positions(ctx, t, nil)(yield)
	}
}

// providerTrack rebuilds the identifiers of a provider Track from a neutral one.
func providerTrack(track telematics.Track) (Track, error) {
	if track.Provider != "" && track.Provider != Provider {
		return Track{}, fmt.Errorf("%s: track %q is a %s track: %w", Provider, track.ID, track.Provider, telematics.ErrInvalidInput)
	}
	id, err := ParseID(track.ID)
	if err != nil {
		return Track{}, fmt.Errorf("%s: track: %w", Provider, err)
	}
	t := Track{ID: id}
	if track.VehicleID != "" {
		if t.VehicleID, err = ParseID(track.VehicleID); err != nil {
			return Track{}, fmt.Errorf("%s: track %q: vehicle: %w", Provider, track.ID, err)
		}
	}
	return t, nil
}

// Signals returns an error matching telematics.ErrNotSupported: MyCarTracks has no
// standardized signals.
func (f *FleetAdapter) Signals(ctx context.Context, vehicleID string, codes ...string) ([]telematics.Signal, error) {
	return nil, fmt.Errorf("%s: signals of vehicle %q: %w: MyCarTracks has no vehicle signals", Provider, vehicleID, telematics.ErrNotSupported)
}

// Live subscribes to the live positions of the vehicles (every vehicle when none is
// given) through Live.Subscribe; its options (WithHeartbeatInterval...) apply. The
// vehicles given are checked first (one Vehicles.Get, or one listing for several): an
// unknown one is an error matching telematics.ErrNotFound that names it.
func (f *FleetAdapter) Live(ctx context.Context, vehicleIDs []string, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	ids := make([]ID, 0, len(vehicleIDs))
	for _, s := range vehicleIDs {
		id, err := vehicleID(s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := f.checkVehicles(ctx, ids); err != nil {
		return nil, err
	}
	return f.client.Live.Subscribe(ctx, LiveFilter{VehicleIDs: slices.Clip(ids)}, opts...)
}

// checkVehicles returns an error naming the first of ids the account does not have: one
// Vehicles.Get for one id, one listing of the vehicles for more.
func (f *FleetAdapter) checkVehicles(ctx context.Context, ids []ID) error {
	switch len(ids) {
	case 0:
		return nil
	case 1:
		return f.checkVehicle(ctx, ids[0])
	}
	known := map[ID]bool{}
	for v, err := range f.client.Vehicles.All(ctx, nil) {
		if err != nil {
			return err
		}
		known[v.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			return fmt.Errorf("%s: vehicle %q: %w", Provider, id.String(), telematics.ErrNotFound)
		}
	}
	return nil
}

// SendCommand returns an error matching telematics.ErrNotSupported: MyCarTracks sends
// no commands to vehicles.
func (f *FleetAdapter) SendCommand(ctx context.Context, vehicleID string, cmd telematics.Command) (telematics.CommandResult, error) {
	return telematics.CommandResult{}, fmt.Errorf("%s: command %q to vehicle %q: %w: MyCarTracks sends no commands to vehicles", Provider, cmd.Kind, vehicleID, telematics.ErrNotSupported)
}
