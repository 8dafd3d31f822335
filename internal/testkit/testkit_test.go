package testkit_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/fleetkit/fleetkit-go/internal/testkit"
)

func TestLockedBufferAndDebugLogger(t *testing.T) {
	logger, buf := testkit.DebugLogger()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logger.Debug("line", "i", i)
		}()
	}
	wg.Wait()
	assert.Contains(t, buf.String(), "level=DEBUG msg=line")
	buf.Reset()
	assert.Empty(t, buf.String())
}

func TestTokenRecorder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	rec := &testkit.TokenRecorder{Next: srv.Client().Transport}
	hc := &http.Client{Transport: rec}
	for _, tok := range []string{"a", "b", "a", ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := hc.Do(req)
		if assert.NoError(t, err) {
			res.Body.Close()
		}
	}
	assert.Equal(t, []string{"a", "b"}, rec.Tokens())
	assert.Equal(t, "b", rec.Last())
	assert.Empty(t, (&testkit.TokenRecorder{}).Last())
}

type wrapped struct{ msg string }

func (w wrapped) Error() string { return w.msg }

func TestErrorTexts(t *testing.T) {
	inner := wrapped{"inner"}
	err := fmt.Errorf("outer: %w", errors.Join(inner, errors.New("other")))
	texts := testkit.ErrorTexts(err)
	assert.Equal(t, err.Error(), texts["err Error"])
	assert.Contains(t, texts, "err %+v")
	assert.Contains(t, texts, "err %#v")
	assert.Equal(t, "inner\nother", texts["err wrapped 1"])
	assert.Equal(t, "inner", texts["err wrapped 2"])
	assert.Equal(t, "other", texts["err wrapped 3"])
	assert.Empty(t, testkit.ErrorTexts(nil))
}

func TestAssertNoSecrets(t *testing.T) {
	const secret = "s3cr+t/x"
	assert.True(t, testkit.AssertNoSecrets(t, map[string]string{"log": "nothing here"}, "id", secret, ""))
	assert.True(t, testkit.AssertNoSecrets(t, map[string]string{"log": secret}, "id"), "no secrets, nothing to find")

	for name, text := range map[string]string{
		"raw":   "x " + secret,
		"query": "q=" + url.QueryEscape(secret),
		"basic": "Basic aWQ6czNjcit0L3g=", // base64("id:" + secret)
	} {
		var rec failures
		assert.False(t, testkit.AssertNoSecrets(&rec, map[string]string{name: text}, "id", secret), name)
		assert.Len(t, rec, 1, name)
	}
}

// failures records what an assertion reported.
type failures []string

func (f *failures) Errorf(format string, args ...any) { *f = append(*f, fmt.Sprintf(format, args...)) }

func TestReply(t *testing.T) {
	rec := httptest.NewRecorder()
	testkit.Reply(http.StatusTeapot, []byte(`{"a":1}`), "Retry-After", "3")(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.Equal(t, "3", rec.Header().Get("Retry-After"))
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"a":1}`, rec.Body.String())
}

func TestPanicMessage(t *testing.T) {
	assert.Equal(t, "boom", testkit.PanicMessage(func() { panic("boom") }))
	assert.Equal(t, "", testkit.PanicMessage(func() {}))
}
