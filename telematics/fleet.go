package telematics

import (
	"context"
	"iter"
	"time"
)

// The capability interfaces below are what a fleet can do, each small enough that a
// provider implements exactly what it can and a program asks for exactly what it needs:
// a report takes a VehicleLister and a LastPositionReader, an export a TrackLister and
// a TrackPositionReader. IDs are the provider's identifiers as text.
//
// Every provider package has an adapter implementing [Fleet] (mycartracks.Client.Fleet,
// smartcar.Client.Fleet); a method whose capability the provider lacks returns an error
// matching [ErrNotSupported], and [Fleet.Capabilities] says in advance which those are.
// [Merge] spans several fleets with provider-qualified ids. Each adapter documents how
// to reach the provider's own client and types again (mycartracks.ClientOf,
// smartcar.ClientOf).

// VehicleLister lists the vehicles of a fleet.
type VehicleLister interface {
	// Vehicles yields every vehicle, paging lazily; it yields an error once and stops.
	Vehicles(ctx context.Context) iter.Seq2[Vehicle, error]
}

// LastPositionReader reads the last known position of vehicles.
type LastPositionReader interface {
	// LastPositions yields the last known position of each vehicle in vehicleIDs (of
	// every vehicle when none is given). A vehicle without a known position is left out.
	LastPositions(ctx context.Context, vehicleIDs ...string) iter.Seq2[Position, error]
}

// TrackLister lists the trips of a vehicle.
type TrackLister interface {
	// Tracks yields the tracks of vehicleID that started in [from, to) (zero times: no
	// bound), oldest first. An unknown vehicle is an error matching ErrNotFound that
	// names it, never an empty list.
	Tracks(ctx context.Context, vehicleID string, from, to time.Time) iter.Seq2[Track, error]
}

// TrackPositionReader reads the positions of a track.
type TrackPositionReader interface {
	// TrackPositions yields every position of track in time order, streaming: a track of
	// a million points is never held in memory at once.
	TrackPositions(ctx context.Context, track Track) iter.Seq2[Position, error]
}

// SignalReader reads standardized signals of a vehicle.
type SignalReader interface {
	// Signals returns the signals codes of vehicleID (every signal the provider has
	// when codes is empty). A signal that failed on its own has a non-success Status.
	Signals(ctx context.Context, vehicleID string, codes ...string) ([]Signal, error)
}

// LiveSource streams live positions.
type LiveSource interface {
	// Live subscribes to the live positions of vehicleIDs (every vehicle when none is
	// given).
	Live(ctx context.Context, vehicleIDs []string, opts ...SubscribeOption) (*Subscription, error)
}

// Commander sends commands to vehicles.
type Commander interface {
	// SendCommand asks vehicleID to carry out cmd. A command acts on a real vehicle.
	SendCommand(ctx context.Context, vehicleID string, cmd Command) (CommandResult, error)
}

// Fleet is every capability together, as the provider adapters implement it.
type Fleet interface {
	// Provider names the provider ("mycartracks", "smartcar", "merged").
	Provider() string
	// Capabilities says which capabilities the fleet supports; the methods of the others
	// return an error matching ErrNotSupported.
	Capabilities() Capabilities
	VehicleLister
	LastPositionReader
	TrackLister
	TrackPositionReader
	SignalReader
	LiveSource
	Commander
}

// Capabilities is a set of capabilities of a [Fleet].
type Capabilities uint16

// The capabilities.
const (
	CanListVehicles Capabilities = 1 << iota
	CanReadLastPositions
	CanListTracks
	CanReadTrackPositions
	CanReadSignals
	CanStreamLive
	CanSendCommands
)

// Has reports whether every capability in c2 is in c.
func (c Capabilities) Has(c2 Capabilities) bool { return c&c2 == c2 }

// CommandKind is what a [Command] asks a vehicle to do.
type CommandKind string

// The commands.
const (
	CommandLock           CommandKind = "lock"
	CommandUnlock         CommandKind = "unlock"
	CommandStartCharge    CommandKind = "start-charge"
	CommandStopCharge     CommandKind = "stop-charge"
	CommandSetChargeLimit CommandKind = "charge-limit"
	CommandSetDestination CommandKind = "destination"
)

// Command is an action on a vehicle.
type Command struct {
	Kind CommandKind
	// ChargeLimit is the target of CommandSetChargeLimit.
	ChargeLimit Percent
	// Latitude and Longitude are the target of CommandSetDestination (WGS 84 degrees).
	Latitude, Longitude float64
}

// CommandResult is the outcome of a [Command] the provider accepted.
type CommandResult struct {
	// Status is the provider's status of the command ("SUCCESS", "PENDING"...).
	Status string
	// Pending is true when the vehicle has not finished acting yet.
	Pending bool
	// RequestID is the provider's identifier of the request, to quote to its support.
	RequestID string
}
