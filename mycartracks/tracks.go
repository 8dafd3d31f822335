package mycartracks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// Track is one trip of a vehicle, with its totals in SI units.
type Track struct {
	ID        ID
	VehicleID ID
	Name      string
	// Category is "business" or "private".
	Category string
	// StartTime and EndTime are in UTC.
	StartTime, EndTime time.Time
	// TotalDistance is the distance driven (sent in km).
	TotalDistance telematics.Distance
	// TotalTime is the whole duration; MovingTime the part spent moving (sent in ms).
	TotalTime, MovingTime time.Duration
	// MaxSpeed and AvgSpeed are sent in km/h.
	MaxSpeed, AvgSpeed telematics.Speed
	// Raw is the track's JSON as received.
	Raw json.RawMessage
}

// trackWire is a track as sent: times in epoch ms, distance in km, durations in ms,
// speeds in km/h; v2 named the vehicle carId.
type trackWire struct {
	ID            ID                   `json:"id"`
	VehicleID     *ID                  `json:"vehicleId"`
	CarID         *ID                  `json:"carId" alias:"vehicleId"`
	Name          string               `json:"name"`
	Category      string               `json:"category"`
	StartTime     telematics.Timestamp `json:"startTime"`
	EndTime       telematics.Timestamp `json:"endTime"`
	TotalDistance flexFloat            `json:"totalDistance"`
	TotalTime     flexFloat            `json:"totalTime"`
	MovingTime    flexFloat            `json:"movingTime"`
	MaxSpeed      flexFloat            `json:"maxSpeed"`
	AvgSpeed      flexFloat            `json:"avgSpeed"`
}

// UnmarshalJSON decodes a track, also from a {"data":{...}} envelope or with the v2
// alias carId, keeping Raw.
func (t *Track) UnmarshalJSON(b []byte) error { return unmarshalModel(b, t, trackFromWire) }

func trackFromWire(w *trackWire, raw json.RawMessage) Track {
	t := Track{
		ID:            w.ID,
		VehicleID:     firstID(w.VehicleID, w.CarID),
		Name:          w.Name,
		Category:      w.Category,
		StartTime:     w.StartTime.Time,
		EndTime:       w.EndTime.Time,
		TotalDistance: telematics.Kilometres(w.TotalDistance.v),
		TotalTime:     millis(w.TotalTime),
		MovingTime:    millis(w.MovingTime),
		MaxSpeed:      telematics.KilometresPerHour(w.MaxSpeed.v),
		AvgSpeed:      telematics.KilometresPerHour(w.AvgSpeed.v),
		Raw:           raw,
	}
	return t
}

// MarshalJSON encodes the track as the API sends it: distance in km, durations in ms,
// speeds in km/h, times in epoch ms. Raw is not encoded.
func (t Track) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID            ID      `json:"id"`
		VehicleID     ID      `json:"vehicleId,omitempty"`
		Name          string  `json:"name"`
		Category      string  `json:"category"`
		StartTime     *int64  `json:"startTime,omitempty"`
		EndTime       *int64  `json:"endTime,omitempty"`
		TotalDistance float64 `json:"totalDistance"`
		TotalTime     float64 `json:"totalTime"`
		MovingTime    float64 `json:"movingTime"`
		MaxSpeed      float64 `json:"maxSpeed"`
		AvgSpeed      float64 `json:"avgSpeed"`
	}{t.ID, t.VehicleID, t.Name, t.Category, epochMs(t.StartTime), epochMs(t.EndTime),
		km(t.TotalDistance), ms(t.TotalTime), ms(t.MovingTime), kmh(t.MaxSpeed), kmh(t.AvgSpeed)})
}

// Telematics converts the track to the provider-neutral model; an absent (zero) id
// is "" there.
func (t Track) Telematics() telematics.Track {
	return telematics.Track{
		ID:             t.ID.neutral(),
		VehicleID:      t.VehicleID.neutral(),
		Provider:       providerName,
		Name:           t.Name,
		Category:       t.Category,
		Start:          t.StartTime,
		End:            t.EndTime,
		Distance:       t.TotalDistance,
		Duration:       t.TotalTime,
		MovingDuration: t.MovingTime,
		MaxSpeed:       t.MaxSpeed,
		AvgSpeed:       t.AvgSpeed,
	}
}

// TrackListOptions filters and pages Tracks.List and Tracks.All.
type TrackListOptions struct {
	ListOptions
	// VehicleID keeps the tracks of one vehicle (0: all).
	VehicleID ID
	// From and To keep the tracks that started in [From, To) (zero: unbounded).
	From, To time.Time
}

func (o *TrackListOptions) clone() TrackListOptions {
	if o == nil {
		return TrackListOptions{}
	}
	c := *o
	c.ListOptions = o.ListOptions.clone()
	return c
}

// filters adds the query parameters of the filters besides ListOptions.
func (o TrackListOptions) filters(q url.Values) {
	if o.VehicleID != 0 {
		q.Set(qVehicleID, o.VehicleID.String())
	}
	encodeRange(q, o.From, o.To)
}

func encodeRange(q url.Values, from, to time.Time) {
	if !from.IsZero() {
		q.Set(qFrom, strconv.FormatInt(from.UnixMilli(), 10))
	}
	if !to.IsZero() {
		q.Set(qTo, strconv.FormatInt(to.UnixMilli(), 10))
	}
}

// TracksService lists and reads tracks (GET /tracks2, /tracks/{id}) and their
// trackpoints (GET /trackpoints/{trackId}).
type TracksService service

var tracksList = listEndpoint[trackWire, Track]{epTracksList, trackFromWire, func(x *Track) ID { return x.ID }}

// List returns one page of tracks, ordered by start time then id unless opts.Sort says
// otherwise. opts may be nil.
func (s *TracksService) List(ctx context.Context, opts *TrackListOptions, reqOpts ...RequestOption) (*Page[Track], error) {
	o := opts.clone()
	return tracksList.page(ctx, s.client, o.ListOptions, o.filters, reqOpts)
}

// All iterates over every track matching opts, fetching pages of MaxPageSize as it
// goes. opts may be nil.
func (s *TracksService) All(ctx context.Context, opts *TrackListOptions, reqOpts ...RequestOption) iter.Seq2[Track, error] {
	o := opts.clone()
	return tracksList.all(ctx, s.client, o.ListOptions, o.filters, reqOpts)
}

// Get returns one track.
func (s *TracksService) Get(ctx context.Context, id ID, reqOpts ...RequestOption) (*Track, error) {
	return getOne[Track](ctx, s.client, epTracksGet, id, reqOpts)
}

// TrackpointListOptions pages Tracks.ListTrackpoints and Tracks.AllTrackpoints.
type TrackpointListOptions struct {
	// Offset is the index of the first point.
	Offset int
	// Limit is the page size. Zero lets the API choose for ListTrackpoints;
	// AllTrackpoints then pages with MaxTrackpointPageSize. A limit above
	// MaxTrackpointPageSize is sent as MaxTrackpointPageSize. A negative Offset or
	// Limit is refused with telematics.ErrInvalidInput before anything is sent.
	Limit int
	// IncludeTotal asks for the number of points of the whole track (Page.Total).
	// AllTrackpoints asks for it whatever this says.
	IncludeTotal bool
	// KeepRaw keeps each point's JSON in Trackpoint.Raw. Off by default: a point's Raw
	// holds the page's memory, and exports read millions of points.
	KeepRaw bool
}

func (o *TrackpointListOptions) query() url.Values {
	q := url.Values{}
	encodePaging(q, o.Offset, o.Limit)
	if o.IncludeTotal {
		q.Set(qIncludeTotal, "true")
	}
	return q
}

// ListTrackpoints returns one page of the points of a track, in time order. A Limit
// above MaxTrackpointPageSize is sent as MaxTrackpointPageSize. opts may be nil.
func (s *TracksService) ListTrackpoints(ctx context.Context, trackID ID, opts *TrackpointListOptions, reqOpts ...RequestOption) (*Page[Trackpoint], error) {
	var o TrackpointListOptions
	if opts != nil {
		o = *opts
	}
	return s.trackpoints(ctx, trackID, o, nil, reqOpts).page(o.Offset, o.Limit, o.IncludeTotal)
}

// AllTrackpoints iterates over every point of a track in time order. It holds one page
// (at most MaxTrackpointPageSize points) at a time, so memory stays bounded however long
// the track is. It pages as Tracks.All does (see the package documentation): a point
// whose id the previous page held is not yielded again. opts may be nil.
func (s *TracksService) AllTrackpoints(ctx context.Context, trackID ID, opts *TrackpointListOptions, reqOpts ...RequestOption) iter.Seq2[Trackpoint, error] {
	var o TrackpointListOptions
	if opts != nil {
		o = *opts
	}
	return func(yield func(Trackpoint, error) bool) {
		// Each range reads its pages into one body buffer, unless the points keep their
		// raw JSON, which points into the body.
		var body *[]byte
		if !o.KeepRaw {
			body = new([]byte)
		}
		s.trackpoints(ctx, trackID, o, body, reqOpts).all(o.Offset, o.Limit)(yield)
	}
}

// Positions iterates over the points of track as provider-neutral positions, each
// carrying the track's vehicle id: the input an exporter or a map layer takes. Like
// AllTrackpoints it holds one page at a time. opts may be nil.
func (s *TracksService) Positions(ctx context.Context, track Track, opts *TrackpointListOptions, reqOpts ...RequestOption) iter.Seq2[telematics.Position, error] {
	vehicleID := track.VehicleID.neutral()
	return func(yield func(telematics.Position, error) bool) {
		for tp, err := range s.AllTrackpoints(ctx, track.ID, opts, reqOpts...) {
			if err != nil {
				yield(telematics.Position{}, err)
				return
			}
			p := tp.Position
			p.VehicleID = vehicleID
			if !yield(p, nil) {
				return
			}
		}
	}
}

// trackpoints returns the lister of a track's points for options o (their Offset, Limit
// and IncludeTotal aside). A point is known by its id, or by its time when it has none.
// body, when not nil, is the buffer every page's body is read into.
func (s *TracksService) trackpoints(ctx context.Context, trackID ID, o TrackpointListOptions, body *[]byte, reqOpts []RequestOption) lister[Trackpoint] {
	return lister[Trackpoint]{
		c: s.client, ep: epTrackpointsList, max: MaxTrackpointPageSize,
		key: func(p *Trackpoint) int64 {
			if p.ID != 0 {
				return int64(p.ID)
			}
			return p.Position.Time.UnixNano()
		},
		fetch: func(offset, limit int, withTotal bool, dst []Trackpoint) ([]Trackpoint, int, *telematics.Response, error) {
			page := o
			page.Offset, page.Limit, page.IncludeTotal = offset, limit, withTotal
			return s.trackpointPage(ctx, trackID, page, dst, body, reqOpts)
		},
	}
}

// trackpointPage fetches one page of points, appending them to dst. buf, when not nil,
// holds the body buffer of the previous page, which the page is read into.
func (s *TracksService) trackpointPage(ctx context.Context, trackID ID, o TrackpointListOptions, dst []Trackpoint, buf *[]byte, reqOpts []RequestOption) ([]Trackpoint, int, *telematics.Response, error) {
	if buf == nil {
		buf = new([]byte)
	}
	resp, err := s.client.call(ctx, epTrackpointsList, []string{trackID.String()}, o.query(), nil, buf, reqOpts)
	if err != nil {
		return nil, -1, resp, err
	}
	items, total, err := decodeTrackpointPage(*buf, dst, o.KeepRaw)
	if err != nil {
		return nil, -1, resp, malformed(resp, err)
	}
	return items, total, resp, nil
}
