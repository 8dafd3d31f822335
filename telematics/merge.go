package telematics

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MergedProvider is the Provider of a merged fleet.
const MergedProvider = "merged"

// Merge returns one fleet spanning several, so that one dashboard, report or export
// covers every provider. Its result is a [*MergedFleet].
//
// Each member gets a qualifier: its Provider name ("mycartracks", "smartcar"), and for a
// second, third... member of the same provider that name followed by 2, 3...
// ("smartcar2"), in the order given. Every identifier the merged fleet yields (vehicle
// ids, track ids and the VehicleID of tracks, positions, signals and live events) is
// qualified as "qualifier:id", so that two providers, or two accounts of one provider,
// never collide; Vehicle.Provider and the other Provider fields keep the provider's name.
// Calls given a qualified id go to the member it names, with the member's own id;
// [SplitID] and [QualifyID] convert. An id without a known qualifier is an error
// matching ErrNotFound that names it.
//
// Calls over every vehicle (Vehicles, LastPositions and Live without ids) go through the
// members in order, skipping those that lack the capability; the first error of a member
// is yielded, once, and ends the iteration. Capabilities is the union of the members'.
// Live merges the members' subscriptions with [MergeSubscriptions]. Nil fleets are left
// out.
func Merge(fleets ...Fleet) Fleet {
	m := &MergedFleet{}
	count := map[string]int{}
	for _, f := range fleets {
		if f == nil {
			continue
		}
		p := f.Provider()
		count[p]++
		q := p
		if n := count[p]; n > 1 {
			q += strconv.Itoa(n)
		}
		m.members = append(m.members, member{q: q, f: f})
		m.caps |= f.Capabilities()
	}
	return m
}

// MergedFleet is the [Fleet] [Merge] returns. Besides the Fleet methods it tells its
// members apart, so that a program can reach a provider's own client:
// mycartracks.ClientOf(m.Member("mycartracks")).
type MergedFleet struct {
	members []member
	caps    Capabilities
}

type member struct {
	q string
	f Fleet
}

var _ Fleet = (*MergedFleet)(nil)

// QualifyID returns the id a merged fleet gives the member's id: "qualifier:id".
func QualifyID(qualifier, id string) string { return qualifier + ":" + id }

// SplitID splits a merged fleet's id into the member's qualifier and the member's own id,
// at the first colon (qualifiers hold none, provider ids may). ok is false when qualified
// has no colon.
func SplitID(qualified string) (qualifier, id string, ok bool) {
	return strings.Cut(qualified, ":")
}

// Qualifiers returns the qualifiers of the members, in the order given to Merge.
func (m *MergedFleet) Qualifiers() []string {
	out := make([]string, len(m.members))
	for i, mb := range m.members {
		out[i] = mb.q
	}
	return out
}

// Member returns the fleet with the qualifier, or nil when there is none.
func (m *MergedFleet) Member(qualifier string) Fleet {
	for _, mb := range m.members {
		if mb.q == qualifier {
			return mb.f
		}
	}
	return nil
}

// Provider returns [MergedProvider].
func (m *MergedFleet) Provider() string { return MergedProvider }

// Capabilities returns the union of the members' capabilities.
func (m *MergedFleet) Capabilities() Capabilities { return m.caps }

// route finds the member of a qualified vehicle id.
func (m *MergedFleet) route(qualified string) (member, string, error) {
	q, id, ok := SplitID(qualified)
	if !ok {
		return member{}, "", fmt.Errorf("merged fleet: vehicle %q: %w: %w: a merged fleet's ids are qualifier:id (%s)", qualified, ErrNotFound, ErrInvalidInput, strings.Join(m.Qualifiers(), ", "))
	}
	for _, mb := range m.members {
		if mb.q == q {
			return mb, id, nil
		}
	}
	return member{}, "", fmt.Errorf("merged fleet: vehicle %q: %w: no member %q (%s)", qualified, ErrNotFound, q, strings.Join(m.Qualifiers(), ", "))
}

// each yields the members that have the capability.
func (m *MergedFleet) each(c Capabilities) iter.Seq[member] {
	return func(yield func(member) bool) {
		for _, mb := range m.members {
			if mb.f.Capabilities().Has(c) && !yield(mb) {
				return
			}
		}
	}
}

// Vehicles yields the vehicles of every member that lists vehicles, with qualified ids.
func (m *MergedFleet) Vehicles(ctx context.Context) iter.Seq2[Vehicle, error] {
	return func(yield func(Vehicle, error) bool) {
		for mb := range m.each(CanListVehicles) {
			for v, err := range mb.f.Vehicles(ctx) {
				if err != nil {
					yield(Vehicle{}, err)
					return
				}
				v.ID = QualifyID(mb.q, v.ID)
				if !yield(v, nil) {
					return
				}
			}
		}
	}
}

// group splits qualified ids by member, members in the order of their first id.
func (m *MergedFleet) group(ids []string) ([]member, map[string][]string, error) {
	var order []member
	byQ := map[string][]string{}
	for _, qid := range ids {
		mb, id, err := m.route(qid)
		if err != nil {
			return nil, nil, err
		}
		if _, ok := byQ[mb.q]; !ok {
			order = append(order, mb)
		}
		byQ[mb.q] = append(byQ[mb.q], id)
	}
	return order, byQ, nil
}

// LastPositions yields the last known positions of the vehicles (of every vehicle of
// the members that read last positions when none is given).
func (m *MergedFleet) LastPositions(ctx context.Context, vehicleIDs ...string) iter.Seq2[Position, error] {
	return func(yield func(Position, error) bool) {
		var order []member
		var byQ map[string][]string
		if len(vehicleIDs) == 0 {
			order = slices.Collect(m.each(CanReadLastPositions))
		} else {
			var err error
			if order, byQ, err = m.group(vehicleIDs); err != nil {
				yield(Position{}, err)
				return
			}
		}
		for _, mb := range order {
			for p, err := range mb.f.LastPositions(ctx, byQ[mb.q]...) {
				if err != nil {
					yield(Position{}, err)
					return
				}
				p.VehicleID = QualifyID(mb.q, p.VehicleID)
				if !yield(p, nil) {
					return
				}
			}
		}
	}
}

// Tracks yields the tracks of a qualified vehicle id from its member, with qualified
// track and vehicle ids.
func (m *MergedFleet) Tracks(ctx context.Context, vehicleID string, from, to time.Time) iter.Seq2[Track, error] {
	return func(yield func(Track, error) bool) {
		mb, id, err := m.route(vehicleID)
		if err != nil {
			yield(Track{}, err)
			return
		}
		for t, err := range mb.f.Tracks(ctx, id, from, to) {
			if err != nil {
				yield(Track{}, err)
				return
			}
			t.ID, t.VehicleID = QualifyID(mb.q, t.ID), QualifyID(mb.q, t.VehicleID)
			if !yield(t, nil) {
				return
			}
		}
	}
}

// TrackPositions yields the positions of a track the merged fleet yielded, from the
// member its vehicle id names, with qualified vehicle ids.
func (m *MergedFleet) TrackPositions(ctx context.Context, track Track) iter.Seq2[Position, error] {
	return func(yield func(Position, error) bool) {
		mb, vid, err := m.route(track.VehicleID)
		if err != nil {
			yield(Position{}, err)
			return
		}
		q, tid, ok := SplitID(track.ID)
		if !ok || q != mb.q {
			yield(Position{}, fmt.Errorf("merged fleet: track %q of vehicle %q: %w: not a track of member %q", track.ID, track.VehicleID, ErrInvalidInput, mb.q))
			return
		}
		track.ID, track.VehicleID = tid, vid
		for p, err := range mb.f.TrackPositions(ctx, track) {
			if err != nil {
				yield(Position{}, err)
				return
			}
			p.VehicleID = QualifyID(mb.q, p.VehicleID)
			if !yield(p, nil) {
				return
			}
		}
	}
}

// Signals reads the signals of a qualified vehicle id from its member.
func (m *MergedFleet) Signals(ctx context.Context, vehicleID string, codes ...string) ([]Signal, error) {
	mb, id, err := m.route(vehicleID)
	if err != nil {
		return nil, err
	}
	sigs, err := mb.f.Signals(ctx, id, codes...)
	for i := range sigs {
		sigs[i].VehicleID = QualifyID(mb.q, sigs[i].VehicleID)
	}
	return sigs, err
}

// Live subscribes to the members' live positions (of every member that streams when no
// id is given) and merges them into one subscription with qualified vehicle ids. When a
// member fails to subscribe, the subscriptions made so far are closed and its error is
// returned.
func (m *MergedFleet) Live(ctx context.Context, vehicleIDs []string, opts ...SubscribeOption) (*Subscription, error) {
	var order []member
	var byQ map[string][]string
	if len(vehicleIDs) == 0 {
		order = slices.Collect(m.each(CanStreamLive))
		if len(order) == 0 {
			return nil, fmt.Errorf("merged fleet: live positions: %w: no member streams live positions", ErrNotSupported)
		}
	} else {
		var err error
		if order, byQ, err = m.group(vehicleIDs); err != nil {
			return nil, err
		}
	}
	subs := make([]*Subscription, 0, len(order))
	fixes := make([]func(*Event, *Position) bool, 0, len(order))
	for _, mb := range order {
		sub, err := mb.f.Live(ctx, byQ[mb.q], opts...)
		if err != nil {
			for _, s := range subs {
				s.Close()
			}
			return nil, err
		}
		subs = append(subs, sub)
		q := mb.q
		fixes = append(fixes, func(e *Event, p *Position) bool {
			if e != nil {
				if e.VehicleID != "" {
					e.VehicleID = QualifyID(q, e.VehicleID)
				}
				if e.Position.VehicleID != "" {
					e.Position.VehicleID = QualifyID(q, e.Position.VehicleID)
				}
			}
			if p != nil && p.VehicleID != "" {
				p.VehicleID = QualifyID(q, p.VehicleID)
			}
			return true
		})
	}
	return mergeSubscriptions(subs, fixes), nil
}

// SendCommand sends a command to a qualified vehicle id through its member.
func (m *MergedFleet) SendCommand(ctx context.Context, vehicleID string, cmd Command) (CommandResult, error) {
	mb, id, err := m.route(vehicleID)
	if err != nil {
		return CommandResult{}, err
	}
	return mb.f.SendCommand(ctx, id, cmd)
}

// errorsJoin is errors.Join that keeps a single error as it is.
func errorsJoin(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}
