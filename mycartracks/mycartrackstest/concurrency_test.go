package mycartrackstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// TestConcurrentClients runs readers and writers at once; run it with -race -count=5.
func TestConcurrentClients(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(6), mycartrackstest.WithTracksPerVehicle(4),
		mycartrackstest.WithoutRateLimit(), mycartrackstest.WithFaults(mycartrackstest.Faults{ServerErrors: 0.05}))
	tok := token(t, srv, "read write")
	const workers, rounds = 8, 15

	send := func(method, path, body string) (int, []byte, error) {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, srv.BaseURL+path, r)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res.StatusCode, b, err
	}

	var mu sync.Mutex
	created := map[int64]bool{}
	deleted := 0
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				for _, path := range []string{"/tracks2?sort=-maxSpeed", "/trackpoints/700009?limit=500", "/vehicles/lastPositions", "/geofences"} {
					if status, _, err := send(http.MethodGet, path, ""); err != nil || status != 200 && status != 500 && status != 502 && status != 503 {
						errs <- fmt.Errorf("GET %s: %d %v", path, status, err)
					}
				}
				status, body, err := send(http.MethodPost, "/jobs", fmt.Sprintf(`{"name":"job %d-%d","vehicleId":1003}`, w, i))
				if err != nil || status != http.StatusCreated {
					continue // an injected fault: nothing was written
				}
				var j struct{ ID int64 }
				if err := json.Unmarshal(body, &j); err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				if created[j.ID] {
					errs <- fmt.Errorf("id %d handed out twice", j.ID)
				}
				created[j.ID] = true
				mu.Unlock()
				send(http.MethodPut, fmt.Sprintf("/jobs/%d", j.ID), `{"status":"assigned"}`)
				if i%3 == 0 {
					if status, _, _ := send(http.MethodDelete, fmt.Sprintf("/jobs/%d", j.ID), ""); status == http.StatusNoContent {
						mu.Lock()
						deleted++
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The faults were for the concurrent part; the count below must not meet one.
	srv.SetFaults(mycartrackstest.Faults{})
	var p struct {
		Data  []struct{ ID int64 }
		Total int
	}
	getOK(t, srv, tok, "/jobs?vehicleId=1003&includeTotal=true&limit=1000", &p)
	assert.Equal(t, 1+len(created)-deleted, p.Total, "the seeded job, plus created, minus deleted")
	require.Positive(t, len(created))
	assert.Equal(t, srv.Stats().Requests, len(srv.Requests()))
}

// Concurrent partial updates of one object keep each other's fields: each PUT reads and
// writes the object under one lock. Run it with -race -count=5.
func TestConcurrentPartialUpdates(t *testing.T) {
	srv := newServer(t, mycartrackstest.WithVehicles(2), mycartrackstest.WithoutRateLimit())
	tok := token(t, srv, "read write")
	var fences page
	getOK(t, srv, tok, "/geofences?limit=1", &fences)
	fence := fmt.Sprintf("/geofences/%v", fences.Data[0]["id"])
	require.Equal(t, "circle", fences.Data[0]["type"])
	for _, tc := range []struct {
		path   string
		bodies [2]string // each written by its own goroutine, %d the round
		want   map[string]any
	}{
		{"/jobs/5001", [2]string{`{"name":"job %d"}`, `{"address":"street %d"}`}, map[string]any{"name": "job 19", "address": "street 19"}},
		{fence, [2]string{`{"name":"fence %d"}`, `{"radius":%d.5}`}, map[string]any{"name": "fence 19", "radius": 19.5}},
	} {
		var wg sync.WaitGroup
		for _, body := range tc.bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					b := fmt.Sprintf(body, i)
					if res := do(t, srv, tok, http.MethodPut, tc.path, b); res.status != http.StatusOK {
						t.Errorf("PUT %s %s: %d %s", tc.path, b, res.status, res.body)
					}
				}
			}()
		}
		wg.Wait()
		var got map[string]any
		getOK(t, srv, tok, tc.path, &got)
		for k, v := range tc.want {
			assert.Equal(t, v, got[k], "%s %s", tc.path, k)
		}
	}
}
