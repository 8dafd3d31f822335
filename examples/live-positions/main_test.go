package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/fleetkit/fleetkit-go/examples/internal/cli/clitest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain runs the example itself when a test starts it as a process (clitest.Start).
func TestMain(m *testing.M) {
	clitest.Main(main)
	goleak.VerifyTestMain(m)
}

func TestJSONLinesAgainstTheFake(t *testing.T) {
	t.Setenv("MYCARTRACKS_CLIENT_ID", "")
	var out, errOut bytes.Buffer
	require.NoError(t, run([]string{"-duration", "2500ms", "-json"}, &out, &errOut))
	kinds := map[string]int{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var l map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		kinds[l["kind"].(string)]++
		if l["kind"] == "position" {
			for _, k := range []string{"vehicleId", "latitude", "longitude", "speed", "time"} {
				assert.Contains(t, l, k)
			}
		}
	}
	assert.Positive(t, kinds["resync"])
	assert.Positive(t, kinds["position"], "the fake moves vehicles every second")
	assert.Positive(t, kinds["state"])
}

func TestHelp(t *testing.T) { clitest.Help(t, "live-positions", run) }
