package mycartracks

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/telematics"
)

// liveFrameSeeds are frames on both sides of the fast path's edge: it must take the
// plain ones and leave every other to encoding/json, with the same outcome.
var liveFrameSeeds = []string{
	`{"type":"position","vehicleId":7,"position":{"time":1700000000000,"latitude":52.1,"longitude":13.4,"speed":42.5,"bearing":181.2,"accuracy":5}}`,
	` {"type":"position","vehicleId":"7","time":1700000000000,"position":{"time":"2023-11-14T22:13:20Z","lat":"52.1","lng":13.4,"heading":90,"altitude":null,"extra":[1,{"a":2}]}} `,
	`{"event":"position","carId":8,"position":{"time":1700000000000,"latitude":1,"lon":2}}`,
	`{"type":"","event":"position","vehicleId":7,"carId":8,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"Position","vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"Type":"position","vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","VehicleID":7,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":7,"position":{"Latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":7,"vehicleId":8,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1,"latitude":null,"longitude":2}}`,
	`{"type":"position","vehicleId":null,"carId":8,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":"","position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":7,"position":null}`,
	`{"type":"position","vehicleId":7}`,
	`{"type":"position","vehicleId":7,"position":[1,2]}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":"x","longitude":2}}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1,"longitude":2},"time":"yesterday"}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1,"longitude":2},"lastPosition":{"latitude":3}}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1,"longitude":2}} x`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1,"longitude":2}`,
	`{"type":"posi\u0074ion","vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"typ\u0065":"position","vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"type":5,"vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","event":5,"vehicleId":7,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":1e3,"position":{"latitude":1,"longitude":2}}`,
	`{"type":"position","vehicleId":7,"position":{"latitude":1e400,"longitude":2}}`,
	`{"type":"heartbeat"}`,
	`{"type":"offline","vehicleId":7,"time":1700000000000,"lastPosition":{"latitude":1,"longitude":2}}`,
	`{"type":"error","code":"expired","message":"stream expired"}`,
	`[1,2]`, `null`, ``, `{`,
}

// TestLiveFastPathAgreesWithEncodingJSON: whatever the frame, decodeLiveFrame (fast path
// first) and decodeLiveFrameSlow give the same event, heartbeat and error.
func TestLiveFastPathAgreesWithEncodingJSON(t *testing.T) {
	fast := 0
	for _, f := range liveFrameSeeds {
		var ev telematics.Event
		if decodeLivePositionFast([]byte(f), &ev) {
			fast++
		}
		checkLiveFastPath(t, []byte(f))
	}
	require.Equal(t, 5, fast, "the plain position frames (an escaped key is unescaped, as encoding/json does) take the fast path")
}

func FuzzLiveFastPath(f *testing.F) {
	for _, s := range liveFrameSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkLiveFastPath)
}

func checkLiveFastPath(t *testing.T, frame []byte) {
	var got, want telematics.Event
	hb, err := decodeLiveFrame(frame, &got)
	wantHB, wantErr := decodeLiveFrameSlow(frame, &want)
	require.Equal(t, wantHB, hb, "%s", frame)
	require.Equal(t, wantErr == nil, err == nil, "%s: %v / %v", frame, err, wantErr)
	require.Equal(t, want, got, "%s", frame)
}
