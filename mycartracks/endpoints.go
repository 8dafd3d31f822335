package mycartracks

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/fleetkit/fleetkit-go/internal/httpcore"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// Page sizes.
const (
	// MaxPageSize is the largest limit the list endpoints accept; All methods page with it.
	MaxPageSize = 1000
	// MaxTrackpointPageSize is the largest limit of the trackpoint endpoint;
	// Tracks.AllTrackpoints pages with it.
	MaxTrackpointPageSize = 10000
	// DefaultPageSize is what the API returns when a list call sets no limit.
	DefaultPageSize = 100
)

// Query parameters.
const (
	qOffset       = "offset"
	qLimit        = "limit"
	qIncludeTotal = "includeTotal"
	qSort         = "sort"
	qFields       = "fields"
	qVehicleID    = "vehicleId"
	qFrom         = "from"
	qTo           = "to"
	qStatus       = "status"
	qVehicleIDs   = "vehicleIds"
	qGroupIDs     = "groupIds"
)

// Evidence of an endpoint in the provider's public material (see the README section
// "API coverage and assumptions").
const (
	// EvidenceDoc: the provider documents it (integration post, official CLI).
	EvidenceDoc = "doc"
	// EvidenceV2: seen in API v2 traffic and assumed unchanged in v3.
	EvidenceV2 = "v2"
	// EvidenceAssumed: our best guess, pending the provider's OpenAPI document.
	EvidenceAssumed = "assumed"
)

type endpointID int

// The endpoints the client calls, in the order of the table below.
const (
	epVehiclesList endpointID = iota
	epVehiclesGet
	epVehicleGroupsList
	epVehicleGroupsGet
	epTracksList
	epTracksGet
	epTrackpointsList
	epReportSummary
	epReportDaily
	epReport
	epUsersList
	epUsersGet
	epDriversList
	epDriversGet
	epTeamsList
	epTeamsGet
	epJobsList
	epJobsGet
	epJobsCreate
	epJobsUpdate
	epJobsDelete
	epGeofencesList
	epGeofencesGet
	epGeofencesCreate
	epGeofencesUpdate
	epGeofencesDelete
	epMapSharingLinksList
	epMapSharingLinksCreate
	epMapSharingLinksDelete
	epLastPositions
	epLiveStream
	numEndpoints
)

// param is a query parameter and the other names the provider may use for it.
type param struct {
	name    string
	aliases []string
}

var (
	pagingParams = []param{{name: qOffset}, {name: qLimit}}
	listParams   = []param{{name: qOffset}, {name: qLimit}, {name: qIncludeTotal}, {name: qSort}, {name: qFields}}
	rangeParams  = []param{{name: qVehicleID, aliases: []string{"carId"}}, {name: qFrom, aliases: []string{"startTime"}}, {name: qTo, aliases: []string{"endTime"}}}
)

// endpoint is one row of the table: everything the client relies on for one call.
type endpoint struct {
	name   string // the SDK method ("Tracks.List")
	method string
	path   string // relative to the base URL; {name} marks an identifier
	query  []param
	// item is the Go type one JSON object of the response decodes into (nil: no body);
	// its json tags name the response fields the client reads, alias tags the other
	// names it accepts.
	item reflect.Type
	// list is set for list endpoints, whose response is {"data":[item...]}.
	list  bool
	total bool // the list accepts includeTotal and answers with total
	// stableSort is the sort All sends when the caller gives none, so that the order
	// does not change between pages ("": the API's default order is stable, or the
	// endpoint takes no sort).
	stableSort string
	write      bool // needs the write scope
	// evidence is EvidenceDoc, EvidenceV2 or EvidenceAssumed for the path; notes says
	// what the mark does not cover.
	evidence string
	notes    string

	pathFormat string
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

func list(name, path string, query []param, item reflect.Type, evidence string) endpoint {
	return endpoint{name: name, method: http.MethodGet, path: path, query: query, item: item, list: true, evidence: evidence}
}

func get(name, path string, item reflect.Type, evidence string) endpoint {
	return endpoint{name: name, method: http.MethodGet, path: path, item: item, evidence: evidence}
}

func write(name, method, path string, item reflect.Type) endpoint {
	return endpoint{name: name, method: method, path: path, item: item, write: true, evidence: EvidenceAssumed}
}

// endpoints is the one table of every path, method and query parameter the client uses.
// A correction from the provider's OpenAPI document is a change here (and, for a field
// name, in the json tag of the model type named in the row).
var endpoints = [numEndpoints]endpoint{
	epVehiclesList:      withTotal(list("Vehicles.List", "/vehicles", listParams, typeOf[Vehicle](), EvidenceDoc), "limit documented; offset, sort, fields from the integration post"),
	epVehiclesGet:       get("Vehicles.Get", "/vehicles/{vehicleId}", typeOf[Vehicle](), EvidenceAssumed),
	epVehicleGroupsList: withTotal(list("VehicleGroups.List", "/vehicleGroups", listParams, typeOf[VehicleGroup](), EvidenceAssumed), ""),
	epVehicleGroupsGet:  get("VehicleGroups.Get", "/vehicleGroups/{groupId}", typeOf[VehicleGroup](), EvidenceAssumed),
	epTracksList: withTotal(list("Tracks.List", "/tracks2", append(append([]param(nil), listParams...), rangeParams...), typeOf[wireTrack](), EvidenceDoc),
		"path, offset, limit, includeTotal documented; vehicleId, from, to and the item fields assumed (v2 names carId, startTime, endTime)"),
	epTracksGet:       get("Tracks.Get", "/tracks/{trackId}", typeOf[wireTrack](), EvidenceDoc),
	epTrackpointsList: withTotal(list("Tracks.ListTrackpoints", "/trackpoints/{trackId}", []param{{name: qOffset}, {name: qLimit}, {name: qIncludeTotal}}, nil, EvidenceDoc), "path and limit documented; time and speed v2; coordinate names assumed"),
	epReportSummary:   list("Reports.Summary", "/reports/summary", rangeParams, typeOf[wireSummaryRow](), EvidenceAssumed),
	epReportDaily:     list("Reports.Daily", "/reports/daily", rangeParams, typeOf[wireDailyRow](), EvidenceAssumed),
	epReport:          list("Reports.Rows", "/reports/{reportType}", rangeParams, nil, EvidenceAssumed),
	epUsersList:       withTotal(list("Users.List", "/users", listParams, typeOf[User](), EvidenceAssumed), ""),
	epUsersGet:        get("Users.Get", "/users/{userId}", typeOf[User](), EvidenceAssumed),
	epDriversList:     withTotal(list("Drivers.List", "/drivers", listParams, typeOf[Driver](), EvidenceAssumed), ""),
	epDriversGet:      get("Drivers.Get", "/drivers/{driverId}", typeOf[Driver](), EvidenceAssumed),
	epTeamsList:       withTotal(list("Teams.List", "/teams", listParams, typeOf[Team](), EvidenceAssumed), ""),
	epTeamsGet:        get("Teams.Get", "/teams/{teamId}", typeOf[Team](), EvidenceAssumed),
	epJobsList: withTotal(list("Jobs.List", "/jobs", append(append([]param(nil), listParams...), param{name: qVehicleID, aliases: []string{"carId"}}, param{name: qStatus}),
		typeOf[wireJob](), EvidenceAssumed), ""),
	epJobsGet:               get("Jobs.Get", "/jobs/{jobId}", typeOf[wireJob](), EvidenceAssumed),
	epJobsCreate:            write("Jobs.Create", http.MethodPost, "/jobs", typeOf[wireJob]()),
	epJobsUpdate:            write("Jobs.Update", http.MethodPut, "/jobs/{jobId}", typeOf[wireJob]()),
	epJobsDelete:            write("Jobs.Delete", http.MethodDelete, "/jobs/{jobId}", nil),
	epGeofencesList:         withTotal(list("Geofences.List", "/geofences", listParams, typeOf[wireGeofence](), EvidenceAssumed), ""),
	epGeofencesGet:          get("Geofences.Get", "/geofences/{geofenceId}", typeOf[wireGeofence](), EvidenceAssumed),
	epGeofencesCreate:       write("Geofences.Create", http.MethodPost, "/geofences", typeOf[wireGeofence]()),
	epGeofencesUpdate:       write("Geofences.Update", http.MethodPut, "/geofences/{geofenceId}", typeOf[wireGeofence]()),
	epGeofencesDelete:       write("Geofences.Delete", http.MethodDelete, "/geofences/{geofenceId}", nil),
	epMapSharingLinksList:   withTotal(list("MapSharingLinks.List", "/mapSharingLinks", listParams, typeOf[wireMapSharingLink](), EvidenceAssumed), ""),
	epMapSharingLinksCreate: write("MapSharingLinks.Create", http.MethodPost, "/mapSharingLinks", typeOf[wireMapSharingLink]()),
	epMapSharingLinksDelete: write("MapSharingLinks.Delete", http.MethodDelete, "/mapSharingLinks/{linkId}", nil),
	epLastPositions: list("Positions.Last", "/vehicles/lastPositions", append([]param{{name: qVehicleIDs}, {name: qGroupIDs}}, pagingParams...),
		typeOf[wireLastPosition](), EvidenceDoc),
	epLiveStream: {name: "Live.Subscribe", method: http.MethodPost, path: "/vehicles/livePositions/stream", item: typeOf[wireLiveStream](), evidence: EvidenceDoc,
		notes: "path, read scope and websocketUrl documented; the body (vehicleIds, groupIds), streamId and expiresAt assumed"},
}

func withTotal(e endpoint, notes string) endpoint {
	e.total = true
	e.notes = notes
	if slices.ContainsFunc(e.query, func(p param) bool { return p.name == qSort }) {
		e.stableSort = "id"
	}
	return e
}

func init() {
	// The provider documents deterministic pagination for /tracks2 in its default order
	// (start time, then id).
	endpoints[epTracksList].stableSort = ""
	for i := range endpoints {
		e := &endpoints[i]
		var b strings.Builder
		for rest := e.path; rest != ""; {
			open := strings.IndexByte(rest, '{')
			if open < 0 {
				b.WriteString(rest)
				break
			}
			closing := strings.IndexByte(rest[open:], '}')
			b.WriteString(rest[:open])
			b.WriteString("%s")
			rest = rest[open+closing+1:]
		}
		e.pathFormat = b.String()
	}
}

// format builds the request path from the template and identifiers, escaping each.
func (e *endpoint) format(ids ...string) (string, error) {
	if n := strings.Count(e.pathFormat, "%s"); n != len(ids) {
		return "", fmt.Errorf("path %s takes %d identifiers, got %d", e.path, n, len(ids))
	}
	if len(ids) == 0 {
		return e.path, nil
	}
	for _, id := range ids {
		if id == "0" {
			// The zero ID is the absent one: GET /vehicles/0 is never sent.
			return "", fmt.Errorf("%w: %q is not a valid identifier (request not sent)", telematics.ErrInvalidInput, id)
		}
	}
	return httpcore.Path(e.pathFormat, ids...)
}
