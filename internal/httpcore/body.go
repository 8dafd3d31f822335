package httpcore

import (
	"fmt"
	"io"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// bodyChunk is the first size a body of unknown length is read into.
const bodyChunk = 32 << 10

// readBody reads a success body of at most limit bytes into buf's capacity, growing it
// as needed; size is the announced length (-1: unknown). A body announced longer than
// limit fails at once. One of unknown length grows by doubling while that stays below
// limit/16, and then into one buffer of limit bytes, so that reading costs at most about
// 1.125 times limit whatever arrives (io.ReadAll or a bytes.Buffer behind a LimitReader
// double past the limit and keep the old buffers: over three times the limit for an
// endless body). Past limit it stops reading and fails with
// telematics.ErrResponseTooLarge; closing the unread body then drops the connection.
func readBody(r io.Reader, size, limit int64, buf []byte) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", telematics.ErrResponseTooLarge, size, limit)
	}
	switch {
	case size <= int64(cap(buf)):
	case cap(buf) > 0:
		// A buffer handed back page after page: leave room for the next page to be a
		// little longer.
		buf = make([]byte, 0, min(size+size/4, limit))
	default:
		buf = make([]byte, 0, size)
	}
	buf = buf[:0]
	for {
		end := cap(buf)
		if int64(end) > limit {
			end = int(limit)
		}
		if len(buf) == end {
			// Full: look for one more byte before making room for it, so that a body of
			// the announced or the reused size costs nothing more.
			b, err := readByte(r)
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
			if int64(len(buf)) >= limit {
				return nil, fmt.Errorf("%w: more than %d bytes", telematics.ErrResponseTooLarge, limit)
			}
			buf = append(grow(buf, limit), b)
			continue
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readByte reads one byte, or fails with io.EOF at the end.
func readByte(r io.Reader) (byte, error) {
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			return one[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// grow returns buf with room for more, within limit (see readBody).
func grow(buf []byte, limit int64) []byte {
	next := int64(max(cap(buf)*2, bodyChunk))
	if next > limit/16 {
		next = limit
	}
	out := make([]byte, len(buf), next)
	copy(out, buf)
	return out
}
