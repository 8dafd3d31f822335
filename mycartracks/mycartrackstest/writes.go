package mycartrackstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// writable is a kind of object that clients create and update (jobs and geofences), for
// the handlers that do both the same way.
type writable[T object] struct {
	schema *schema
	// table and next are the store's objects of the kind and its next id; they are used
	// under the store's lock.
	table func(*store) map[int64]T
	next  func(*store) *int64
	// apply sets the fields present in a request body on o, checking each (and, on
	// create, the required ones).
	apply func(s *Server, o *T, b body, create bool, v *validation)
	// setID sets the id of a new object.
	setID func(o *T, id int64)
}

// create serves a POST: fresh is the new object before the body applies.
func create[T object](s *Server, c *call, w writable[T], fresh T) reply {
	if err := requireWrite(c); err != nil {
		return err.reply()
	}
	b, err := decodeBody(c.body)
	if err != nil {
		return err.reply()
	}
	var v validation
	w.apply(s, &fresh, b, true, &v)
	if err := v.err(); err != nil {
		return err.reply()
	}
	s.store.mu.Lock()
	next := w.next(s.store)
	w.setID(&fresh, *next)
	*next++
	w.table(s.store)[fresh.objectID()] = fresh
	s.store.mu.Unlock()
	return created(http.StatusCreated, w.schema, fresh)
}

// update serves a PUT, a partial update: only the keys present in the body change.
func update[T object](s *Server, c *call, w writable[T]) reply {
	if err := requireWrite(c); err != nil {
		return err.reply()
	}
	id, err := c.pathID(0, w.schema.noun)
	if err != nil {
		return err.reply()
	}
	b, err := decodeBody(c.body)
	if err != nil {
		return err.reply()
	}
	// The lock is held from the read to the write so that concurrent partial updates
	// of one object do not lose each other's fields.
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, ok := w.table(s.store)[id]
	if !ok {
		return notFound(w.schema.noun, id).reply()
	}
	var v validation
	w.apply(s, &o, b, false, &v)
	if err := v.err(); err != nil {
		return err.reply()
	}
	w.table(s.store)[id] = o
	return created(http.StatusOK, w.schema, o)
}

// body is a decoded JSON object of a write request; a key present with null differs from
// an absent key (PUT is a partial update).
type body map[string]json.RawMessage

func decodeBody(raw []byte) (body, *requestError) {
	var b body
	if err := json.Unmarshal(raw, &b); err != nil || b == nil {
		return nil, badRequest("the request body must be a JSON object")
	}
	return b, nil
}

// validation collects the field errors of one request.
type validation struct{ errs []fieldError }

func (v *validation) fail(field, format string, args ...any) {
	v.errs = append(v.errs, fieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validation) err() *requestError {
	if len(v.errs) == 0 {
		return nil
	}
	e := badRequest("validation failed")
	e.body.Errors = v.errs
	return e
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// The decoders below return ok=false for a value of the wrong type, and nil for null.

func decodeString(raw json.RawMessage) (*string, bool) {
	if isNull(raw) {
		return nil, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return &s, true
}

func decodeInt(raw json.RawMessage) (*int64, bool) {
	if isNull(raw) {
		return nil, true
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil {
		return nil, false
	}
	return &n, true
}

func decodeFloat(raw json.RawMessage) (*float64, bool) {
	if isNull(raw) {
		return nil, true
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return nil, false
	}
	return &f, true
}

// decodeLatLng reads {"latitude": …, "longitude": …}, reporting errors under field.
func decodeLatLng(raw json.RawMessage, field string, v *validation) (*latLng, bool) {
	if isNull(raw) {
		return nil, true
	}
	var c struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Latitude == nil || c.Longitude == nil {
		v.fail(field, "must be an object with a numeric latitude and longitude")
		return nil, false
	}
	ok := checkLatitude(*c.Latitude, field+".latitude", v)
	ok = checkLongitude(*c.Longitude, field+".longitude", v) && ok
	return &latLng{lat: *c.Latitude, lng: *c.Longitude}, ok
}

func checkLatitude(lat float64, field string, v *validation) bool {
	if lat < -90 || lat > 90 {
		v.fail(field, "must be between -90 and 90")
		return false
	}
	return true
}

func checkLongitude(lng float64, field string, v *validation) bool {
	if lng < -180 || lng > 180 {
		v.fail(field, "must be between -180 and 180")
		return false
	}
	return true
}
