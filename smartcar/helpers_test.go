package smartcar_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fleetkit/fleetkit-go/internal/clocktest"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/smartcar/smartcartest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start is the time of every test's clock.
var start = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

// env is a client wired to a fake Smartcar sharing a manual clock.
type env struct {
	clock  *clocktest.Clock
	fake   *smartcartest.Server
	client *smartcar.Client
}

func newEnv(t *testing.T, fakeOpts []smartcartest.Option, opts ...smartcar.Option) *env {
	t.Helper()
	clock := clocktest.New(start)
	fake := smartcartest.NewServer(append([]smartcartest.Option{smartcartest.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(fake.Close)
	client, err := fake.NewClient(append([]smartcar.Option{smartcar.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(client.Close)
	return &env{clock: clock, fake: fake, client: client}
}

// fixture reads testdata/smartcar/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "smartcar", name))
	require.NoError(t, err)
	return b
}

// compact re-encodes JSON without insignificant space, for comparisons.
func compact(t testing.TB, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, b))
	return buf.String()
}

func alice() smartcar.RequestOption { return smartcar.WithUserID(smartcartest.UserAlice) }
func bob() smartcar.RequestOption   { return smartcar.WithUserID(smartcartest.UserBob) }
