package mycartracks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
)

// BenchmarkVehiclesList is one page of 100 vehicles from the fake server: through the
// client (token cache, pacing, tolerant models with raw JSON) beside the baseline, a
// bare net/http request decoded with encoding/json into a plain struct.
func BenchmarkVehiclesList(b *testing.B) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(100), mycartrackstest.WithoutRateLimit())
	defer srv.Close()
	ctx := context.Background()
	opts := &mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 100}}

	b.Run("fleetkit", func(b *testing.B) {
		c, err := srv.NewClient()
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Vehicles.List(ctx, opts); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			page, err := c.Vehicles.List(ctx, opts)
			if err != nil || len(page.Items) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("net-http-baseline", func(b *testing.B) {
		hc := srv.Client()
		token := fetchToken(b, hc, srv)
		type vehicle struct {
			ID           int64   `json:"id"`
			Name         string  `json:"name"`
			Description  string  `json:"description"`
			LicensePlate string  `json:"licensePlate"`
			VIN          string  `json:"vin"`
			GroupIDs     []int64 `json:"groupIds"`
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.BaseURL+"/vehicles?limit=100", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page struct {
				Data []vehicle `json:"data"`
			}
			err = json.NewDecoder(res.Body).Decode(&page)
			res.Body.Close()
			if err != nil || res.StatusCode != 200 || len(page.Data) != 100 {
				b.Fatal(err, res.StatusCode)
			}
		}
	})
}

func fetchToken(b *testing.B, hc *http.Client, srv *mycartrackstest.Server) string {
	b.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.TokenURL, strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()))
	req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		b.Fatal("no token", err)
	}
	return tok.AccessToken
}
