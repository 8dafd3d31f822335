package mycartracks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/fleetkit/fleetkit-go/mycartracks"
	"github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest"
	"github.com/fleetkit/fleetkit-go/telematics"
)

// newExampleClient starts the fake MyCarTracks server and returns a client of it; real
// code calls mycartracks.NewClient(clientID, clientSecret) or mycartracks.FromEnv().
func newExampleClient(opts ...mycartracks.Option) (*mycartracks.Client, func()) {
	srv := mycartrackstest.NewServer(mycartrackstest.WithVehicles(3), mycartrackstest.WithTracksPerVehicle(2), mycartrackstest.WithPointsPerTrack(300))
	client, err := srv.NewClient(opts...)
	if err != nil {
		log.Fatal(err)
	}
	return client, func() { client.Close(); srv.Close() }
}

func Example() {
	client, done := newExampleClient()
	defer done()
	ctx := context.Background()

	page, err := client.Vehicles.List(ctx, &mycartracks.ListOptions{IncludeTotal: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("vehicles:", page.Total)
	for _, v := range page.Items {
		fmt.Println(v.ID, v.Name)
	}
	fmt.Println("budget:", client.Rate().Remaining, "of", client.Rate().Limit)
	// Output:
	// vehicles: 3
	// 1001 Škoda Octavia Combi B-VP 4050
	// 1002 Peugeot Partner JN-381-BX
	// 1003 Ford Transit 9035 MPR
	// budget: 149 of 150
}

func ExampleTracksService_All() {
	client, done := newExampleClient()
	defer done()
	ctx := context.Background()

	var distance telematics.Distance
	tracks := 0
	for track, err := range client.Tracks.All(ctx, &mycartracks.TrackListOptions{VehicleID: 1001}) {
		if err != nil {
			log.Fatal(err)
		}
		tracks++
		distance += track.TotalDistance
	}
	fmt.Printf("%d tracks, %.1f km\n", tracks, distance.Kilometres())
	// Output:
	// 2 tracks, 21.7 km
}

func ExampleTracksService_AllTrackpoints() {
	client, done := newExampleClient()
	defer done()
	ctx := context.Background()

	page, err := client.Tracks.List(ctx, &mycartracks.TrackListOptions{ListOptions: mycartracks.ListOptions{Paging: mycartracks.Paging{Limit: 1}}})
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for p, err := range client.Tracks.AllTrackpoints(ctx, page.Items[0].ID, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %.4f,%.4f %s\n", p.Position.Time.Format(time.TimeOnly), p.Position.Latitude, p.Position.Longitude, p.Position.Speed)
		if n++; n == 3 {
			break // no further page is fetched
		}
	}
	// Output:
	// 18:13:39 48.9020,2.5741 0.0 km/h
	// 18:13:43 48.9020,2.5741 0.0 km/h
	// 18:13:47 48.9020,2.5741 0.1 km/h
}

func ExampleJobsService_Create() {
	client, done := newExampleClient(mycartracks.WithScopes(mycartracks.ScopeRead, mycartracks.ScopeWrite))
	defer done()
	ctx := context.Background()

	job, err := client.Jobs.Create(ctx, mycartracks.JobParams{
		Name:      mycartracks.Ptr("Deliver pallets"),
		VehicleID: mycartracks.Ptr[mycartracks.ID](1001),
		Location:  &mycartracks.GeoPoint{Latitude: 48.1486, Longitude: 17.1077},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Name, job.Status)

	_, err = client.Jobs.Create(ctx, mycartracks.JobParams{Location: &mycartracks.GeoPoint{Latitude: 91}})
	var apiErr *mycartracks.APIError
	if errors.Is(err, telematics.ErrInvalidInput) && errors.As(err, &apiErr) {
		for _, fe := range apiErr.Errors {
			fmt.Println("refused:", fe.Field, fe.Message)
		}
	}
	// Output:
	// Deliver pallets new
	// refused: name is required
	// refused: latitude must be between -90 and 90
}

func ExampleScopeError() {
	client, done := newExampleClient() // the read scope only
	defer done()

	err := client.Jobs.Delete(context.Background(), 5001)
	var scopeErr *mycartracks.ScopeError
	fmt.Println(errors.Is(err, telematics.ErrForbidden), errors.As(err, &scopeErr), scopeErr.Scope)
	// Output:
	// true true write
}

func ExampleClient_Do() {
	client, done := newExampleClient()
	defer done()

	var out struct {
		Data []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"data"`
	}
	resp, err := client.Do(context.Background(), http.MethodGet, "/vehicleGroups", nil, nil, &out)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, len(out.Data) > 0)

	_, err = client.Do(context.Background(), http.MethodGet, "/vehicles/424242", nil, nil, nil)
	fmt.Println(errors.Is(err, telematics.ErrNotFound))
	// Output:
	// 200 true
	// true
}
