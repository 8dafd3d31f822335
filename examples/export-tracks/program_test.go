package main

import (
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"
)

// TestProgramWithNoEnvironment runs the export as a process with no environment at all:
// the simulated fleet's first vehicle as GPX on stdout, exit status 0; an unknown
// vehicle exits 1 and names it.
func TestProgramWithNoEnvironment(t *testing.T) {
	code, stdout, stderr := clitest.Run(t)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	var doc struct {
		Tracks []struct{} `xml:"trk"`
	}
	require.NoError(t, xml.Unmarshal([]byte(stdout), &doc))
	assert.NotEmpty(t, doc.Tracks)
	assert.Contains(t, stderr, "exporting vehicle 1001")

	code, stdout, stderr = clitest.Run(t, "-vehicle", "424242")
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `"424242"`)
}
