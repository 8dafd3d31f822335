package mycartracks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/internal/stream"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// LiveFilter selects the vehicles of a live subscription: these vehicles and the
// vehicles of these groups (both empty: every vehicle).
type LiveFilter struct {
	VehicleIDs []ID
	GroupIDs   []ID
}

// key identifies the filter whatever the order of its ids: subscriptions with the same
// key share one upstream connection.
func (f LiveFilter) key() string {
	v, g := slices.Clone(f.VehicleIDs), slices.Clone(f.GroupIDs)
	slices.Sort(v)
	slices.Sort(g)
	return idList(slices.Compact(v)) + "|" + idList(slices.Compact(g))
}

// liveSetting is a connection setting of a live subscription, carried in
// telematics.SubscribeConfig.Provider.
type liveSetting func(*stream.Config)

func liveOption(f liveSetting) telematics.SubscribeOption {
	return func(c *telematics.SubscribeConfig) { c.Provider = append(c.Provider, f) }
}

// WithHeartbeatInterval tells Live.Subscribe the provider's heartbeat interval (default
// 15 s): a connection with no frame for three intervals is dead and is replaced.
func WithHeartbeatInterval(d time.Duration) telematics.SubscribeOption {
	return liveOption(func(c *stream.Config) { c.Heartbeat = d })
}

// WithReadLimit bounds one frame of the live stream (default 1 MiB; -1: no limit). A
// larger frame is counted (StreamState.Oversized) and the connection is replaced.
func WithReadLimit(n int64) telematics.SubscribeOption {
	return liveOption(func(c *stream.Config) { c.ReadLimit = n })
}

// WithReconnectBackoff bounds the jittered exponential backoff between connection
// attempts of Live.Subscribe (default 500 ms growing to 30 s).
func WithReconnectBackoff(initial, max time.Duration) telematics.SubscribeOption {
	return liveOption(func(c *stream.Config) { c.InitialBackoff, c.MaxBackoff = initial, max })
}

// LiveService follows vehicles live: the provider's flow of last positions over REST,
// a stream created with POST /vehicles/livePositions/stream and its WebSocket, with
// reconnection, resync and fan-out to any number of subscribers.
type LiveService struct {
	client   *Client
	base     stream.Config
	sessions stream.Sessions
}

func newLiveService(c *Client, clock telematics.Clock, hc *http.Client, logger *slog.Logger) *LiveService {
	return &LiveService{
		client: c,
		base: stream.Config{
			Name:       Provider,
			HTTPClient: hc,
			Clock:      clock,
			Logger:     logger,
			RedactURL:  stream.RedactURL,
			Permanent:  livePermanent,
		},
	}
}

// livePermanent: besides refused credentials, a closed client ends a subscription.
func livePermanent(err error) bool {
	return errors.Is(err, telematics.ErrClientClosed) || stream.DefaultPermanent(err)
}

// Subscribe follows the vehicles the filter selects. The subscription first receives
// the last known position of each as a resync event, then live events; its channels
// close when ctx ends, on Close, or on a permanent error (refused credentials), which
// Err returns. Subscriptions with the same filter and connection settings share one
// WebSocket connection; it closes with the last of them.
//
// Besides the telematics options (buffer, overflow policy, channels), the connection
// takes WithHeartbeatInterval, WithReadLimit and WithReconnectBackoff.
func (s *LiveService) Subscribe(ctx context.Context, filter LiveFilter, opts ...telematics.SubscribeOption) (*telematics.Subscription, error) {
	sc := telematics.NewSubscribeConfig(opts...)
	cfg := s.base
	for _, p := range sc.Provider {
		if f, ok := p.(liveSetting); ok {
			f(&cfg)
		}
	}
	key := fmt.Sprintf("%s|%d|%d|%d|%d", filter.key(), cfg.Heartbeat, cfg.ReadLimit, cfg.InitialBackoff, cfg.MaxBackoff)
	sub, err := s.sessions.Subscribe(ctx, key, sc, func() *stream.Session {
		cfg.Provider = &liveProvider{client: s.client, filter: LiveFilter{VehicleIDs: slices.Clone(filter.VehicleIDs), GroupIDs: slices.Clone(filter.GroupIDs)}}
		return stream.NewSession(cfg)
	})
	if errors.Is(err, stream.ErrClosed) {
		return nil, fmt.Errorf("%s: Live.Subscribe: %w", Provider, telematics.ErrClientClosed)
	}
	return sub, err
}

// close ends every live session (Client.Close).
func (s *LiveService) close() { s.sessions.Close() }

// liveProvider is the MyCarTracks side of a stream.Session.
type liveProvider struct {
	client *Client
	filter LiveFilter
}

type liveStreamRequest struct {
	VehicleIDs []ID `json:"vehicleIds,omitempty"`
	GroupIDs   []ID `json:"groupIds,omitempty"`
}

// wireLiveStream is the answer of POST /vehicles/livePositions/stream.
type wireLiveStream struct {
	StreamID     string               `json:"streamId"`
	WebsocketURL string               `json:"websocketUrl"`
	URL          string               `json:"url" alias:"websocketUrl"`
	ExpiresAt    telematics.Timestamp `json:"expiresAt"`
}

// CreateStream goes through the client's one request loop: budget, pacing, token
// refresh on 401.
func (p *liveProvider) CreateStream(ctx context.Context) (stream.Stream, error) {
	var w wireLiveStream
	body := liveStreamRequest{VehicleIDs: p.filter.VehicleIDs, GroupIDs: p.filter.GroupIDs}
	if _, err := p.client.call(ctx, epLiveStream, nil, nil, body, &w, nil); err != nil {
		return stream.Stream{}, err
	}
	u := w.WebsocketURL
	if u == "" {
		u = w.URL
	}
	if u == "" {
		return stream.Stream{}, fmt.Errorf("%s: %s: %w: no websocketUrl in the answer", Provider, endpoints[epLiveStream].name, telematics.ErrMalformedResponse)
	}
	return stream.Stream{URL: u, ExpiresAt: w.ExpiresAt.Time}, nil
}

// LastPositions reads every selected vehicle's last position over REST.
func (p *liveProvider) LastPositions(ctx context.Context) ([]telematics.Position, error) {
	var out []telematics.Position
	opts := &LastPositionOptions{VehicleIDs: p.filter.VehicleIDs, GroupIDs: p.filter.GroupIDs}
	for lp, err := range p.client.Positions.AllLast(ctx, opts) {
		if err != nil {
			return out, err
		}
		if lp.Position.Time.IsZero() && !lp.Position.Valid() {
			continue // never reported
		}
		out = append(out, lp.Position)
	}
	return out, nil
}

// wireLiveFrame is one frame of the stream, discriminated by type (alias event).
type wireLiveFrame struct {
	Type         string               `json:"type"`
	Event        string               `json:"event" alias:"type"`
	VehicleID    *ID                  `json:"vehicleId"`
	CarID        *ID                  `json:"carId" alias:"vehicleId"`
	Time         telematics.Timestamp `json:"time"`
	Position     *wireLivePoint       `json:"position"`
	LastPosition *wireLivePoint       `json:"lastPosition"`
	Code         string               `json:"code"`
	Message      string               `json:"message"`
}

// wireLivePoint is a fix inside a frame: trackpoint fields.
type wireLivePoint struct {
	Time      telematics.Timestamp `json:"time"`
	Latitude  flexFloat            `json:"latitude"`
	Lat       flexFloat            `json:"lat" alias:"latitude"`
	Longitude flexFloat            `json:"longitude"`
	Lng       flexFloat            `json:"lng" alias:"longitude"`
	Lon       flexFloat            `json:"lon" alias:"longitude"`
	Altitude  flexFloat            `json:"altitude"`
	Speed     flexFloat            `json:"speed"`
	Bearing   flexFloat            `json:"bearing"`
	Heading   flexFloat            `json:"heading" alias:"bearing"`
	Accuracy  flexFloat            `json:"accuracy"`
}

func (w *wireLivePoint) position(vehicleID string) telematics.Position {
	p := telematics.Position{
		VehicleID: vehicleID,
		Provider:  Provider,
		Latitude:  first(w.Latitude, w.Lat).v,
		Longitude: first(w.Longitude, w.Lng, w.Lon).v,
		Time:      w.Time.Time,
	}
	if w.Altitude.ok {
		p.Altitude, p.Known = telematics.Metres(w.Altitude.v), p.Known|telematics.HasAltitude
	}
	if w.Speed.ok {
		p.Speed, p.Known = telematics.KilometresPerHour(w.Speed.v), p.Known|telematics.HasSpeed
	}
	if h := first(w.Bearing, w.Heading); h.ok {
		p.Heading, p.Known = telematics.Degrees(h.v), p.Known|telematics.HasHeading
	}
	if w.Accuracy.ok {
		p.Accuracy, p.Known = telematics.Metres(w.Accuracy.v), p.Known|telematics.HasAccuracy
	}
	return p
}

// Decode turns one frame into an event; see the wire contract's "Live positions".
func (p *liveProvider) Decode(frame []byte, ev *telematics.Event) (bool, error) {
	return decodeLiveFrame(frame, ev)
}

func decodeLiveFrame(frame []byte, ev *telematics.Event) (heartbeat bool, err error) {
	if decodeLivePositionFast(frame, ev) {
		return false, nil
	}
	return decodeLiveFrameSlow(frame, ev)
}

// decodeLiveFrameSlow decodes any frame with encoding/json into wireLiveFrame.
func decodeLiveFrameSlow(frame []byte, ev *telematics.Event) (heartbeat bool, err error) {
	var w wireLiveFrame
	if err := json.Unmarshal(frame, &w); err != nil {
		return false, err
	}
	kind := w.Type
	if kind == "" {
		kind = w.Event
	}
	ev.Raw = frame
	id := firstID(w.VehicleID, w.CarID)
	if w.VehicleID != nil || w.CarID != nil {
		ev.VehicleID = id.neutral()
	}
	switch strings.ToLower(kind) {
	case "heartbeat":
		return true, nil
	case "position":
		if w.Position == nil || ev.VehicleID == "" {
			return false, errors.New("position frame without vehicleId or position")
		}
		ev.Kind = telematics.EventPosition
		ev.Position = w.Position.position(ev.VehicleID)
		ev.Time = ev.Position.Time
	case "offline":
		ev.Kind = telematics.EventOffline
		ev.Time = w.Time.Time
		if w.LastPosition != nil {
			ev.Position = w.LastPosition.position(ev.VehicleID)
		}
	case "error":
		ev.Kind = telematics.EventError
		ev.Code, ev.Message = w.Code, w.Message
		ev.Time = w.Time.Time
	default:
		ev.Kind = telematics.EventUnknown
	}
	return false, nil
}
