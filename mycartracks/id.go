package mycartracks

import (
	"strconv"
	"strings"
)

// ID identifies a MyCarTracks resource. It is sent as a JSON number; the client also
// accepts a JSON string holding the number.
type ID int64

// String returns the ID in decimal.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// neutral returns the ID as the telematics types hold identifiers: "" for an absent
// (zero) ID.
func (id ID) neutral() string {
	if id == 0 {
		return ""
	}
	return id.String()
}

// UnmarshalJSON accepts a number, a numeric string, null or "" (both zero).
func (id *ID) UnmarshalJSON(b []byte) error {
	n, _, err := parseIntJSON(b)
	if err != nil {
		return err
	}
	*id = ID(n)
	return nil
}

func firstID(ids ...*ID) ID {
	for _, id := range ids {
		if id != nil {
			return *id
		}
	}
	return 0
}

func idList(ids []ID) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	return b.String()
}
