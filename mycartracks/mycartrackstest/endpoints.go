package mycartrackstest

import (
	"net/http"
	"strings"
)

type handler func(*Server, *call) reply

// endpoint is one path of the API and its handlers per method. In a path, "{}" matches
// one segment. Literal paths come before the wildcard paths they would otherwise match.
type endpoint struct {
	path                    string
	get, post, put, delete_ handler
}

// endpoints is every path the server answers, relative to its URL.
var endpoints = []endpoint{
	{path: "vehicles", get: (*Server).listVehicles},
	{path: "vehicles/lastPositions", get: (*Server).lastPositions},
	{path: "vehicles/livePositions/stream", post: (*Server).createStream},
	{path: "vehicles/{}", get: (*Server).getVehicle},
	{path: "vehicleGroups", get: (*Server).listGroups},
	{path: "vehicleGroups/{}", get: (*Server).getGroup},
	{path: "tracks2", get: (*Server).listTracks},
	{path: "tracks/{}", get: (*Server).getTrack},
	{path: "trackpoints/{}", get: (*Server).trackpoints},
	{path: "reports/{}", get: (*Server).report},
	{path: "users", get: (*Server).listUsers},
	{path: "users/{}", get: (*Server).getUser},
	{path: "drivers", get: (*Server).listDrivers},
	{path: "drivers/{}", get: (*Server).getDriver},
	{path: "teams", get: (*Server).listTeams},
	{path: "teams/{}", get: (*Server).getTeam},
	{path: "jobs", get: (*Server).listJobs, post: (*Server).createJob},
	{path: "jobs/{}", get: (*Server).getJob, put: (*Server).updateJob, delete_: (*Server).deleteJob},
	{path: "geofences", get: (*Server).listGeofences, post: (*Server).createGeofence},
	{path: "geofences/{}", get: (*Server).getGeofence, put: (*Server).updateGeofence, delete_: (*Server).deleteGeofence},
	{path: "mapSharingLinks", get: (*Server).listLinks, post: (*Server).createLink},
	{path: "mapSharingLinks/{}", delete_: (*Server).deleteLink},
}

func (e *endpoint) match(segs []string) ([]string, bool) {
	pattern := strings.Split(e.path, "/")
	if len(pattern) != len(segs) {
		return nil, false
	}
	var args []string
	for i, p := range pattern {
		switch {
		case p == "{}" && segs[i] != "":
			args = append(args, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return args, true
}

func (e *endpoint) handler(method string) handler {
	switch method {
	case http.MethodGet:
		return e.get
	case http.MethodPost:
		return e.post
	case http.MethodPut:
		return e.put
	case http.MethodDelete:
		return e.delete_
	}
	return nil
}

func (e *endpoint) allow() string {
	var methods []string
	for _, m := range []struct {
		name string
		h    handler
	}{{http.MethodGet, e.get}, {http.MethodPost, e.post}, {http.MethodPut, e.put}, {http.MethodDelete, e.delete_}} {
		if m.h != nil {
			methods = append(methods, m.name)
		}
	}
	return strings.Join(methods, ", ")
}
