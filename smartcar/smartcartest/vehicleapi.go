package smartcartest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes(mux *http.ServeMux) {
	v := VehiclePrefix
	s.handle(mux, "GET "+v+"/connections", s.listConnections)
	s.handle(mux, "GET "+v+"/connections/{connectionID}", s.getConnection)
	s.handle(mux, "DELETE "+v+"/connections/{connectionID}", s.deleteConnection)
	s.handle(mux, "DELETE "+v+"/users/{userID}", s.deleteUser)
	s.handle(mux, "GET "+v+"/vehicles/{vehicleID}", s.getVehicle)
	s.handle(mux, "GET "+v+"/vehicles/{vehicleID}/signals", s.listSignals)
	s.handle(mux, "GET "+v+"/vehicles/{vehicleID}/signals/{code}", s.getSignal)
	s.handle(mux, "POST "+v+"/vehicles/{vehicleID}/commands/{group}/{action}", s.command)
	s.handle(mux, "POST "+v+"/vehicles/{vehicleID}/charge-schedules/{kind}", s.setChargeSchedule)
	s.handle(mux, "DELETE "+v+"/vehicles/{vehicleID}/charge-schedules/{scheduleID}", s.deleteChargeSchedule)
	m := ManagementPrefix
	s.handle(mux, "GET "+m+"/webhooks", s.listWebhooks)
	s.handle(mux, "GET "+m+"/webhooks/{webhookID}", s.getWebhook)
	s.handle(mux, "POST "+m+"/subscriptions", s.subscribe)
	s.handle(mux, "GET "+m+"/subscriptions", s.listSubscriptions)
	s.handle(mux, "GET "+m+"/subscriptions/{subscriptionID}", s.getSubscription)
	s.handle(mux, "DELETE "+m+"/subscriptions/{subscriptionID}", s.unsubscribe)
}

// notFound is the 404 of an unknown resource. Real v3 traffic answers an unknown
// vehicle with RESOURCE_NOT_FOUND:VEHICLE_NOT_FOUND [R]; the codes of other resources
// ("CONNECTION_NOT_FOUND"...) follow that pattern by our inference [I].
func notFound(what string) apiErr {
	code := strings.ToUpper(strings.ReplaceAll(what, " ", "_")) + "_NOT_FOUND"
	return apiErr{Type: "RESOURCE_NOT_FOUND", Code: code, Title: "Not Found", Detail: what + " was not found."}
}

func badParameter(detail string) apiErr {
	return apiErr{Type: "VALIDATION", Code: "PARAMETER", Title: "Bad Request", Detail: detail}
}

// page reads page[number] and page[size].
func page(q url.Values, defSize, maxSize int) (number, size int, err error) {
	number, size = 1, defSize
	if v := q.Get("page[number]"); v != "" {
		if number, err = strconv.Atoi(v); err != nil || number < 1 {
			return 0, 0, fmt.Errorf("page[number] must be a whole number of at least 1")
		}
	}
	if v := q.Get("page[size]"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > maxSize {
			return 0, 0, fmt.Errorf("page[size] must be a whole number from 1 to %d", maxSize)
		}
	}
	return number, size, nil
}

// writePage answers one page of a collection with JSON:API meta and absolute links
// (real responses carry absolute links [R]); included is added when not nil.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, rc *reqCtx, items []any, number, size int, extraMeta map[string]any, included any) {
	total := len(items)
	start := min((number-1)*size, total)
	end := min(start+size, total)
	last := max(1, (total+size-1)/size)
	link := func(n int) any {
		q := r.URL.Query()
		q.Set("page[number]", strconv.Itoa(n))
		q.Set("page[size]", strconv.Itoa(size))
		return s.absolute(rc.api, rc.path, q)
	}
	var next, prev any
	if number < last {
		next = link(number + 1)
	}
	if number > 1 {
		prev = link(min(number-1, last))
	}
	meta := map[string]any{"pageSize": size, "totalCount": total}
	links := map[string]any{"self": link(number), "first": link(1), "last": link(last), "next": next}
	if s.cfg.legacyPaging {
		meta["page"] = number
		links["previous"] = prev
	} else {
		meta["pageNumber"] = number
		links["prev"] = prev
	}
	for k, v := range extraMeta {
		meta[k] = v
	}
	data := items[start:end]
	if data == nil {
		data = []any{} // an empty page is [], never null
	}
	doc := map[string]any{"data": data, "meta": meta, "links": links}
	if included != nil {
		doc["included"] = included
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) vehicleAttributes(v *vehicle) map[string]any {
	return map[string]any{"make": v.make, "model": v.model, "year": v.year, "mode": v.mode, "powertrainType": nullable(v.powertrain)}
}

func (s *Server) connectionResource(c *connection) map[string]any {
	v := s.vehicleByID(c.vehicleID)
	return map[string]any{
		"id": c.id, "type": "connection",
		// attributes.user is seen in real data [R]; its externalId in a third-party note [T].
		"attributes": map[string]any{"permissions": v.permissions, "vehicle": s.vehicleAttributes(v), "user": s.userAttributes(c.userID)},
		"relationships": map[string]any{
			"vehicle": map[string]any{"data": map[string]any{"id": v.id, "type": "vehicle"}, "links": map[string]any{"related": s.absolute("vehicle", "/vehicles/"+v.id, nil)}},
			"user":    map[string]any{"data": map[string]any{"id": c.userID, "type": "user"}},
		},
		"meta":  map[string]any{"createdAt": isoTime(c.createdAt), "updatedAt": isoTime(c.updatedAt)},
		"links": map[string]any{"self": s.absolute("vehicle", "/connections/"+c.id, nil)},
	}
}

func (s *Server) userAttributes(id string) map[string]any {
	u := map[string]any{"id": id}
	if usr := s.users[id]; usr != nil && usr.externalID != "" {
		u["externalId"] = usr.externalID
	}
	return u
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	q := r.URL.Query()
	number, size, err := page(q, 10, 100)
	if err != nil {
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	mode := q.Get("filter[vehicle.mode]")
	if mode != "" && mode != "live" && mode != "simulated" {
		s.writeError(w, http.StatusBadRequest, badParameter("filter[vehicle.mode] must be live or simulated"))
		return
	}
	s.mu.Lock()
	conns := slices.Clone(s.connections)
	slices.SortStableFunc(conns, func(a, b *connection) int { return b.createdAt.Compare(a.createdAt) })
	var items []any
	for _, c := range conns {
		v := s.vehicleByID(c.vehicleID)
		if f := q.Get("filter[userId]"); f != "" && f != c.userID {
			continue
		}
		if f := q.Get("filter[vehicleId]"); f != "" && f != c.vehicleID {
			continue
		}
		if mode != "" && mode != v.mode {
			continue
		}
		if f := q.Get("filter[user.externalId]"); f != "" && (s.users[c.userID] == nil || f != s.users[c.userID].externalID) {
			continue
		}
		items = append(items, s.connectionResource(c))
	}
	s.mu.Unlock()
	// orderBy and orderDirection are in real responses [R].
	s.writePage(w, r, rc, items, number, size, map[string]any{"orderBy": "createdAt", "orderDirection": "DESC"}, nil)
}

func (s *Server) findConnection(id string) (*connection, int) {
	return find(s.connections, func(c *connection) bool { return c.id == id })
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	serveOne(s, w, "Connection", func() (*connection, int) { return s.findConnection(r.PathValue("connectionID")) }, s.connectionResource)
}

func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	c, i := s.findConnection(r.PathValue("connectionID"))
	if c != nil {
		s.connections = slices.Delete(s.connections, i, i+1)
		s.dropSubscriptions(func(sub *subscription) bool { return sub.vehicleID == c.vehicleID })
	}
	s.mu.Unlock()
	if c == nil {
		s.writeError(w, http.StatusNotFound, notFound("Connection"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id := r.PathValue("userID")
	s.mu.Lock()
	known := s.users[id] != nil
	if known {
		delete(s.users, id)
		s.connections = slices.DeleteFunc(s.connections, func(c *connection) bool { return c.userID == id })
		s.dropSubscriptions(func(sub *subscription) bool { return sub.userID == id })
	}
	s.mu.Unlock()
	if !known {
		s.writeError(w, http.StatusNotFound, notFound("User"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) dropSubscriptions(match func(*subscription) bool) {
	s.subscriptions = slices.DeleteFunc(s.subscriptions, match)
}

// connected returns the vehicle when it is connected to the application, checking the
// sc-user-id: required is for signals and commands. A vehicle of another user is 403
// PERMISSION, an unknown one 404 (Smartcar documents neither; both assumed).
func (s *Server) connected(w http.ResponseWriter, rc *reqCtx, vehicleID string, required bool) *vehicle {
	if required && rc.userID == "" {
		s.writeError(w, http.StatusBadRequest, badParameter("The sc-user-id header is required."))
		return nil
	}
	var v *vehicle
	if c, _ := find(s.connections, func(c *connection) bool { return c.vehicleID == vehicleID }); c != nil {
		v = s.vehicleByID(vehicleID)
	}
	if v == nil {
		s.writeError(w, http.StatusNotFound, notFound("Vehicle"))
		return nil
	}
	if rc.userID != "" && rc.userID != v.owner {
		s.writeError(w, http.StatusForbidden, apiErr{Type: "PERMISSION", Title: "Forbidden", Resolution: "REAUTHENTICATE",
			Detail: "The user has not connected this vehicle to your application."})
		return nil
	}
	return v
}

func (s *Server) getVehicle(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), false)
	if v == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": v.id, "type": "vehicle", "attributes": s.vehicleAttributes(v),
		"links": map[string]any{"self": s.absolute("vehicle", "/vehicles/"+v.id, nil)},
	}})
}

func (s *Server) signalResource(v *vehicle, sig *SignalState, imperial bool) map[string]any {
	status := map[string]any{"value": sig.Status}
	if sig.Status == "ERROR" {
		status["error"] = map[string]any{
			"type": sig.ErrorType, "code": nullable(sig.ErrorCode), "title": strings.ReplaceAll(cmp.Or(sig.ErrorCode, sig.ErrorType), "_", " "),
			"detail": sig.ErrorDetail, "description": "Deprecated. Use detail", "resolution": map[string]any{"type": nullable(sig.Resolution)},
		}
	}
	attrs := map[string]any{"code": sig.Code, "name": sig.Name, "group": sig.Group, "status": status}
	if sig.Body != nil {
		attrs["body"] = convertUnits(sig.Body, imperial)
	}
	// The signal specification and the official SDKs' typedefs give retrievedAt and
	// oemUpdatedAt as int64 epoch milliseconds [C]; v3 responses captured in mid-2026
	// use RFC 3339 strings and add ingestedAt [R] (WithRFC3339SignalTimes). An
	// UNAVAILABLE reading or one without a body has no times (our assumption, [I]).
	meta := map[string]any{}
	if sig.Status != "UNAVAILABLE" && sig.Body != nil {
		if s.cfg.rfc3339Times {
			meta["retrievedAt"] = isoTime(sig.RetrievedAt)
			meta["oemUpdatedAt"] = isoTime(sig.OEMUpdatedAt)
		} else {
			meta["retrievedAt"] = sig.RetrievedAt.UnixMilli()
			meta["oemUpdatedAt"] = sig.OEMUpdatedAt.UnixMilli()
		}
	}
	if s.cfg.rfc3339Times {
		meta["ingestedAt"] = isoTime(sig.RetrievedAt.Add(time.Second))
	}
	return map[string]any{
		"id": sig.Code, "type": "signal", "attributes": attrs, "meta": meta,
		"links": map[string]any{"self": s.absolute("vehicle", "/vehicles/"+v.id+"/signals/"+sig.Code, nil)},
	}
}

// maxSignalPageSize is the largest page[size] the fake accepts on GET /signals:
// Smartcar documents page metadata and links there [C] but no limit [U]; 100 is the
// limit of its other collections ([T] for subscriptions), assumed here [I].
const maxSignalPageSize = 100

// listSignals answers every signal on one page unless page[size] asks for fewer:
// without page parameters the real API returns all of them (e.g. 31 with pageSize 31,
// [R]); page[number] and page[size] are honoured as on the other collections ([C] for
// the paged meta and links; the parameters themselves are [U]).
func (s *Server) listSignals(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), true)
	if v == nil || s.asleepRead(w, v) {
		s.mu.Unlock()
		return
	}
	number, size, err := page(r.URL.Query(), max(1, len(v.signals)), max(maxSignalPageSize, len(v.signals)))
	if err != nil {
		s.mu.Unlock()
		s.writeError(w, http.StatusBadRequest, badParameter(err.Error()))
		return
	}
	imperial := strings.EqualFold(r.Header.Get("SC-Unit-System"), "imperial")
	items := make([]any, 0, len(v.signals))
	for _, sig := range v.signals {
		items = append(items, s.signalResource(v, v.current(sig, rc.now), imperial))
	}
	included := map[string]any{"vehicle": map[string]any{"id": v.id, "type": "vehicle", "attributes": s.vehicleAttributes(v)}}
	s.mu.Unlock()
	s.writePage(w, r, rc, items, number, size, nil, included)
}

func (s *Server) getSignal(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	s.mu.Lock()
	v := s.connected(w, rc, r.PathValue("vehicleID"), true)
	if v == nil || s.asleepRead(w, v) {
		s.mu.Unlock()
		return
	}
	sig := v.current(v.signal(r.PathValue("code")), rc.now)
	if sig == nil {
		s.mu.Unlock()
		// A code the vehicle does not have (a bare "vin", an unknown code) is 404
		// SIGNAL_NOT_FOUND ([T] in docs/evidence.md); its type is that of the other 404s [I].
		s.writeError(w, http.StatusNotFound, apiErr{Type: "RESOURCE_NOT_FOUND", Code: "SIGNAL_NOT_FOUND", Title: "Not Found",
			Detail: "The vehicle has no signal " + r.PathValue("code") + "."})
		return
	}
	res := s.signalResource(v, sig, strings.EqualFold(r.Header.Get("SC-Unit-System"), "imperial"))
	s.mu.Unlock()
	if s.cfg.unwrapped {
		writeJSON(w, http.StatusOK, res)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": res})
}

// imperialUnits converts the metric units the fleet uses. The imperial spellings are our
// assumption: Smartcar does not document them for v3 ([U] in docs/evidence.md).
var imperialUnits = map[string]struct {
	unit   string
	factor float64
}{
	"km":     {"miles", 1 / 1.609344},
	"km/h":   {"mph", 1 / 1.609344},
	"liters": {"gallons", 1 / 3.785411784},
}

// convertUnits rewrites a {value, unit} body (and its additional values) in imperial
// units when asked.
func convertUnits(b json.RawMessage, imperial bool) json.RawMessage {
	if !imperial {
		return b
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	unit, _ := m["unit"].(string)
	conv, ok := imperialUnits[unit]
	if !ok {
		return b
	}
	round := func(f float64) float64 { return math.Round(f*10) / 10 }
	if f, ok := m["value"].(float64); ok {
		m["value"] = round(f * conv.factor)
	}
	if extra, ok := m["additionalValues"].([]any); ok {
		for _, e := range extra {
			if em, ok := e.(map[string]any); ok {
				if f, ok := em["value"].(float64); ok {
					em["value"] = round(f * conv.factor)
				}
			}
		}
	}
	m["unit"] = conv.unit
	return body(m)
}
