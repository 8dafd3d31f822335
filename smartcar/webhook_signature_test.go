package smartcar_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
	"github.com/fleetkit/fleetkit-go/smartcar"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// testToken is the management token the known answers below were computed with.
const testToken = "2c4e9c0e-6f1a-4b8e-9d3f-1a2b3c4d5e6f"

// Known answers computed outside the code under test, over the fixture files byte for
// byte (whitespace, 80.0 and 1.0, "Grüner Blitz ⚡ – «ID.7»" as UTF-8):
//
//	openssl dgst -sha256 -hmac "$TOKEN" -r < FILE
//	python3 -c 'import hmac,hashlib,sys; print(hmac.new(TOKEN, open(FILE,"rb").read(), hashlib.sha256).hexdigest())'
//
// (both agree).
var knownSignatures = map[string]string{
	"verify_v4.json":                   "d7016656c9b550fd6024ecfb6d24581738493e384756d4fb15c594f1c4886193",
	"verify_v2.json":                   "4649df06b0bf702852145f6d9ece39766bba7e5d49c1e0b341af5ce6d88c2dcb",
	"vehicle_state_v4.json":            "d266f885308b70b0773a2231450651b85d20a517d16742d833213696c74b433f",
	"vehicle_state_flat_triggers.json": "a58121f2bf7fb429f0d037a3c15a30746ba2507081d1a973d9ff4a0f73cbc54f",
	"vehicle_state_v3.json":            "36fd3f98bb1f782f27969178d5e3db56486b716c94d46cbe8913cd98c268cf79",
	"vehicle_error_v4.json":            "bd3fc20e8f127b53141f21faf3f42fc2075f346e36d0265f12fe35dbb3d08f5b",
	"schedule_v2.json":                 "d094785f540d44dbd6aaea6b74560f6c18b6a8aa8ea4dc6b596b86da8e4f3daa",
}

// rotatedToken signs vehicle_state_v4.json as rotatedSignature (python, as above).
const (
	rotatedToken     = "second-token-after-rotation"
	rotatedSignature = "b0a618a032cd357e01de787cbede9bd9023539cc8eeada74e37c7bdd35cf9421"
)

func webhookFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "smartcar", "webhooks", name))
	require.NoError(t, err)
	return b
}

func TestHashChallengeKnownAnswers(t *testing.T) {
	// python3: hmac.new(TOKEN, CHALLENGE, hashlib.sha256).hexdigest()
	assert.Equal(t, "3fafe9b46234b30357f0cc8eb698f5adf3c227732ff717f0097e7634e769687f", smartcar.HashChallenge(testToken, "3a8b1c2d-challenge-7e6f"))
	assert.Equal(t, "15c20b9d4263983ecabc893165a8f5f8ddaba347398ab097f08d83b094c5db18", smartcar.HashChallenge(testToken, "legacy-challenge-0001"))
	// RFC-style vector (HMAC-SHA256, key "key"), as published for the algorithm.
	assert.Equal(t, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", smartcar.HashChallenge("key", "The quick brown fox jumps over the lazy dog"))
}

func TestVerifySignatureKnownAnswers(t *testing.T) {
	for name, sig := range knownSignatures {
		t.Run(name, func(t *testing.T) {
			body := webhookFixture(t, name)
			assert.NoError(t, smartcar.VerifySignature(body, sig, testToken))
			assert.NoError(t, smartcar.VerifySignature(body, strings.ToUpper(sig), testToken), "hex is case-insensitive")
			assert.NoError(t, smartcar.VerifySignature(body, " "+sig+"\n", testToken), "surrounding space is ignored")
			assert.ErrorIs(t, smartcar.VerifySignature(body, sig, "another-token"), smartcar.ErrSignatureMismatch)
		})
	}
}

// The Node SDK's verifyPayload hashes JSON.stringify(JSON.parse(body)): re-serialising
// a body holding 80.0, 1.0 or escaped text changes its bytes. Only the raw body passes.
func TestVerifySignatureNeedsTheRawBody(t *testing.T) {
	body := webhookFixture(t, "vehicle_state_v4.json")
	var parsed any
	require.NoError(t, json.Unmarshal(body, &parsed))
	reserialised, err := json.Marshal(parsed)
	require.NoError(t, err)
	sig := knownSignatures["vehicle_state_v4.json"]
	assert.NoError(t, smartcar.VerifySignature(body, sig, testToken))
	assert.ErrorIs(t, smartcar.VerifySignature(reserialised, sig, testToken), smartcar.ErrSignatureMismatch)
}

func TestVerifySignatureRotation(t *testing.T) {
	body := webhookFixture(t, "vehicle_state_v4.json")
	old, cur := knownSignatures["vehicle_state_v4.json"], rotatedSignature
	for _, sig := range []string{old, cur} {
		assert.NoError(t, smartcar.VerifySignature(body, sig, rotatedToken, testToken))
		assert.NoError(t, smartcar.VerifySignature(body, sig, testToken, rotatedToken))
	}
	assert.ErrorIs(t, smartcar.VerifySignature(body, cur, testToken), smartcar.ErrSignatureMismatch)
}

func TestVerifySignatureErrors(t *testing.T) {
	body := webhookFixture(t, "vehicle_error_v4.json")
	good := knownSignatures["vehicle_error_v4.json"]
	tests := []struct {
		name, sig string
		tokens    []string
		is        error
		says      string
	}{
		{"missing", "", []string{testToken}, smartcar.ErrSignatureMissing, "missing"},
		{"blank", "   ", []string{testToken}, smartcar.ErrSignatureMissing, "missing"},
		{"not hex", "zz" + good[2:], []string{testToken}, smartcar.ErrSignatureMalformed, "character 1 is not a hex digit"},
		{"too short", good[:40], []string{testToken}, smartcar.ErrSignatureMalformed, "40 characters, want 64"},
		{"prefixed", "sha256=" + good, []string{testToken}, smartcar.ErrSignatureMalformed, "71 characters, want 64"},
		{"mismatch", good[:63] + "0", []string{testToken}, smartcar.ErrSignatureMismatch, "1 management token tried"},
		{"mismatch two tokens", good[:63] + "0", []string{testToken, rotatedToken}, smartcar.ErrSignatureMismatch, "2 management tokens tried"},
		{"no token", good, nil, smartcar.ErrNoManagementToken, "no Application Management Token"},
		{"empty token", good, []string{""}, smartcar.ErrNoManagementToken, "no Application Management Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := smartcar.VerifySignature(body, tt.sig, tt.tokens...)
			require.ErrorIs(t, err, tt.is)
			assert.Contains(t, err.Error(), tt.says)
			if tt.is == smartcar.ErrNoManagementToken {
				assert.ErrorIs(t, err, telematics.ErrInvalidInput)
			} else {
				assert.ErrorIs(t, err, telematics.ErrUnauthorized)
			}
			testkit.AssertNoSecrets(t, testkit.ErrorTexts(err), "", testToken, rotatedToken, good, good[:40], good[:63])
		})
	}
}
