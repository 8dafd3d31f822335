package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testdata = "../../testdata/openapi/"

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := newApp(strings.NewReader(""), &out, &errOut).run(context.Background(), append([]string{"drift"}, args...))
	return code, out.String(), errOut.String()
}

// The drift checker's exit statuses.
const (
	exitClean = exitOK
	exitDrift = exitFailure
)

func TestContractDocumentIsClean(t *testing.T) {
	code, out, errOut := runCmd("--openapi", testdata+"contract.json")
	assert.Equal(t, exitClean, code, out)
	assert.Empty(t, errOut)
	assert.NotContains(t, out, "DRIFT")
	assert.Contains(t, out, ": 0 drift finding(s)")
}

func TestDriftDocument(t *testing.T) {
	code, out, errOut := runCmd("--openapi", testdata+"drift.json")
	assert.Equal(t, exitDrift, code)
	assert.Equal(t, "fleetkit drift: 21 drift finding(s): update the client's endpoint table (mycartracks/endpoints.go) or report the document's change\n", errOut)
	for _, want := range []string{
		`DRIFT VehicleGroups.List GET /vehicleGroups: path: missing from the document; the document has "/vehiclegroups" (differs in case)`,
		`DRIFT Tracks.List GET /tracks2: path: missing from the document; the document has "/tracks" (1 edit away)`,
		`DRIFT Teams.Get GET /teams/{teamId}: path: missing from the document`,
		`DRIFT Geofences.Update PUT /geofences/{geofenceId}: method: the document's path /geofences/{geofenceId} has no PUT operation (it has DELETE, GET)`,
		`DRIFT Jobs.List GET /jobs: query parameter "vehicleId": missing from the operation; the document has "carId" (a name the client accepts as an alias)`,
		`DRIFT Jobs.List GET /jobs: query parameter "status": missing from the operation`,
		`DRIFT Users.List GET /users: query parameter "includeTotal": missing from the operation; the document has "includetotal" (differs in case)`,
		`DRIFT Tracks.Get GET /tracks/{trackId}: response field "vehicleId": missing from the response schema; the document has "carId" (a name the client accepts as an alias)`,
		`DRIFT Vehicles.List GET /vehicles: response field "licensePlate": missing from the response schema; the document has "licenseplate" (differs in case)`,
		`DRIFT Teams.List GET /teams: response field "memberIds": missing from the response schema; the document has "member_ids" (differs in spelling)`,
		`DRIFT Positions.Last GET /vehicles/lastPositions: response field "online": missing from the response schema`,
		`DRIFT Geofences.Get GET /geofences/{geofenceId}: response field "points[].longitude": missing from the response schema; the document has "lng" (a name the client accepts as an alias)`,
		`DRIFT Drivers.List GET /drivers: envelope "total": missing from the response object`,
		`DRIFT Tracks.ListTrackpoints GET /trackpoints/{trackId}: envelope "data": the document answers a bare array; the client expects {"data":[...]}`,
	} {
		assert.Contains(t, out, want+"\n")
	}
	assert.Contains(t, out, "drift: 31 operations checked against "+testdata+"drift.json: 21 drift finding(s)")
}

func TestUsageAndInputErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("openapi: 3.0.0\n"), 0o600))
	swagger := filepath.Join(dir, "swagger.json")
	require.NoError(t, os.WriteFile(swagger, []byte(`{"swagger":"2.0"}`), 0o600))
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no spec", nil, "--openapi FILE is required"},
		{"unknown flag", []string{"--nope"}, "unknown flag: --nope"},
		{"extra argument", []string{"--openapi", swagger, "more"}, `unexpected argument "more"`},
		{"missing file", []string{"--openapi", filepath.Join(dir, "none.json")}, "no such file"},
		{"not JSON", []string{"--openapi", notJSON}, "not a JSON object"},
		{"swagger 2", []string{"--openapi", swagger}, "Swagger 2"},
		{"bad base URL", []string{"--openapi", swagger, "--base-url", "://x"}, "bad --base-url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.msg)
		})
	}
}

func TestQuietHidesNotes(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "free.json")
	require.NoError(t, os.WriteFile(doc, []byte(`{"openapi":"3.0.0","servers":[{"url":"/services/rest/v3"}],"paths":{"/vehicles/lastPositions":{"get":{"responses":{"200":{"content":{"application/json":{"schema":{"type":"object"}}}}}}}}}`), 0o600))
	code, out, _ := runCmd("--openapi", doc)
	assert.Equal(t, exitDrift, code)
	assert.Contains(t, out, "NOTE  Positions.Last")
	code, out, _ = runCmd("-q", "--openapi", doc)
	assert.Equal(t, exitDrift, code)
	assert.NotContains(t, out, "NOTE")
	assert.True(t, strings.Contains(out, "DRIFT Vehicles.List"))
}
