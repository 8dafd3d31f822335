package smartcar

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// timestamp decodes a time leniently through telematics.ParseTime (epoch milliseconds,
// RFC 3339 text; 0, "" and null are the zero time). A value that is not a time is
// dropped rather than failing the whole response.
type timestamp struct{ time.Time }

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var v time.Time
	var err error
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 {
		// A plain quoted time needs no JSON unquoting.
		v, err = telematics.ParseTimeString(string(b[1:n-1]), telematics.EpochMillis)
	} else {
		v, err = telematics.ParseTime(b, telematics.EpochMillis)
	}
	if err == nil {
		t.Time = v
	}
	return nil
}

// keepRaw copies b for a model's Raw field.
func keepRaw(b []byte) json.RawMessage { return append(json.RawMessage(nil), b...) }

// flexInt decodes a number or a string holding one; anything else is 0.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if v, err := strconv.Atoi(s); err == nil {
		*n = flexInt(v)
	}
	return nil
}
