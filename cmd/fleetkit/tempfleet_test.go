package main

// TEMPORARY (issue 12 waits for issue 11's adapters): a minimal stand-in for
// mycartracks.Client.Fleet and smartcar.Client.Fleet so that the command can be tested
// before they land. Deleted once they are on main; nothing else may depend on it.

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

func init() {
	mycartracksFleet = func(c *mycartracks.Client) telematics.Fleet { return tempMCT{c} }
	smartcarFleet = func(c *smartcar.Client, user string) telematics.Fleet { return tempSC{c, user} }
}

type tempMCT struct{ c *mycartracks.Client }

func (tempMCT) Provider() string { return "mycartracks" }
func (tempMCT) Capabilities() telematics.Capabilities {
	return telematics.CanListVehicles | telematics.CanReadLastPositions | telematics.CanListTracks | telematics.CanReadTrackPositions | telematics.CanStreamLive
}
func (f tempMCT) Vehicles(ctx context.Context) iter.Seq2[telematics.Vehicle, error] {
	return func(yield func(telematics.Vehicle, error) bool) {
		for v, err := range f.c.Vehicles.All(ctx, nil) {
			if !yield(v.Telematics(), err) || err != nil {
				return
			}
		}
	}
}
func tempID(s string) (mycartracks.ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("vehicle %q: %w", s, telematics.ErrNotFound)
	}
	return mycartracks.ID(n), nil
}
func (f tempMCT) LastPositions(ctx context.Context, ids ...string) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		var opts mycartracks.LastPositionOptions
		for _, s := range ids {
			id, err := tempID(s)
			if err != nil {
				yield(telematics.Position{}, err)
				return
			}
			opts.VehicleIDs = append(opts.VehicleIDs, id)
		}
		for p, err := range f.c.Positions.AllLast(ctx, &opts) {
			if !yield(p.Position, err) || err != nil {
				return
			}
		}
	}
}
func (f tempMCT) Tracks(ctx context.Context, vehicle string, from, to time.Time) iter.Seq2[telematics.Track, error] {
	return func(yield func(telematics.Track, error) bool) {
		id, err := tempID(vehicle)
		if err == nil {
			_, err = f.c.Vehicles.Get(ctx, id)
		}
		if err != nil {
			yield(telematics.Track{}, err)
			return
		}
		for t, err := range f.c.Tracks.All(ctx, &mycartracks.TrackListOptions{VehicleID: id, From: from, To: to}) {
			if !yield(t.Telematics(), err) || err != nil {
				return
			}
		}
	}
}
func (f tempMCT) TrackPositions(ctx context.Context, t telematics.Track) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		id, err := tempID(t.ID)
		if err != nil {
			yield(telematics.Position{}, err)
			return
		}
		for p, err := range f.c.Tracks.Positions(ctx, mycartracks.Track{ID: id, VehicleID: mustID(t.VehicleID)}, nil) {
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}
func mustID(s string) mycartracks.ID { id, _ := tempID(s); return id }
func (tempMCT) Signals(context.Context, string, ...string) ([]telematics.Signal, error) {
	return nil, telematics.ErrNotSupported
}
func (f tempMCT) Live(ctx context.Context, ids []string, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	var filter mycartracks.LiveFilter
	for _, s := range ids {
		filter.VehicleIDs = append(filter.VehicleIDs, mustID(s))
	}
	return f.c.Live.Subscribe(ctx, filter, opts...)
}
func (tempMCT) SendCommand(context.Context, string, telematics.Command) (telematics.CommandResult, error) {
	return telematics.CommandResult{}, telematics.ErrNotSupported
}

type tempSC struct {
	c    *smartcar.Client
	user string
}

func (tempSC) Provider() string { return "smartcar" }
func (tempSC) Capabilities() telematics.Capabilities {
	return telematics.CanListVehicles | telematics.CanReadSignals | telematics.CanSendCommands
}
func (f tempSC) Vehicles(ctx context.Context) iter.Seq2[telematics.Vehicle, error] {
	return func(yield func(telematics.Vehicle, error) bool) {
		for c, err := range f.c.Connections.All(ctx, &smartcar.ConnectionListOptions{UserID: f.user}) {
			v := c.Vehicle
			v.ID = c.VehicleID
			if !yield(v.Telematics(), err) || err != nil {
				return
			}
		}
	}
}
func (f tempSC) userOf(ctx context.Context, vehicle string) (string, error) {
	for c, err := range f.c.Connections.All(ctx, &smartcar.ConnectionListOptions{VehicleID: vehicle}) {
		if err != nil {
			return "", err
		}
		return c.UserID, nil
	}
	return "", fmt.Errorf("vehicle %q: %w", vehicle, telematics.ErrNotFound)
}
func (tempSC) LastPositions(context.Context, ...string) iter.Seq2[telematics.Position, error] {
	return func(func(telematics.Position, error) bool) {}
}
func (tempSC) Tracks(context.Context, string, time.Time, time.Time) iter.Seq2[telematics.Track, error] {
	return func(yield func(telematics.Track, error) bool) { yield(telematics.Track{}, telematics.ErrNotSupported) }
}
func (tempSC) TrackPositions(context.Context, telematics.Track) iter.Seq2[telematics.Position, error] {
	return func(yield func(telematics.Position, error) bool) {
		yield(telematics.Position{}, telematics.ErrNotSupported)
	}
}
func (f tempSC) Signals(ctx context.Context, vehicle string, codes ...string) ([]telematics.Signal, error) {
	user, err := f.userOf(ctx, vehicle)
	if err != nil {
		return nil, err
	}
	set, err := f.c.Signals.List(ctx, vehicle, smartcar.WithUserID(user))
	if err != nil {
		return nil, err
	}
	all := set.Telematics()
	if len(codes) == 0 {
		return all, nil
	}
	return slices.DeleteFunc(all, func(s telematics.Signal) bool { return !slices.Contains(codes, s.Code) }), nil
}
func (tempSC) Live(context.Context, []string, ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	return nil, telematics.ErrNotSupported
}
func (f tempSC) SendCommand(ctx context.Context, vehicle string, c telematics.Command) (telematics.CommandResult, error) {
	user, err := f.userOf(ctx, vehicle)
	if err != nil {
		return telematics.CommandResult{}, err
	}
	o := smartcar.WithUserID(user)
	var x *smartcar.CommandExecution
	switch c.Kind {
	case telematics.CommandLock:
		x, err = f.c.Commands.Lock(ctx, vehicle, o)
	case telematics.CommandUnlock:
		x, err = f.c.Commands.Unlock(ctx, vehicle, o)
	case telematics.CommandStartCharge:
		x, err = f.c.Commands.StartCharge(ctx, vehicle, o)
	case telematics.CommandStopCharge:
		x, err = f.c.Commands.StopCharge(ctx, vehicle, o)
	case telematics.CommandSetChargeLimit:
		x, err = f.c.Commands.SetChargeLimit(ctx, vehicle, int(c.ChargeLimit), o)
	case telematics.CommandSetDestination:
		x, err = f.c.Commands.SetDestination(ctx, vehicle, c.Latitude, c.Longitude, o)
	}
	if err != nil {
		return telematics.CommandResult{}, err
	}
	return telematics.CommandResult{Status: x.Status, Pending: x.HTTPStatus == 202, RequestID: x.ID}, nil
}
