package export_test

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/fleetkit/fleetkit-go/telematics"
	"github.com/fleetkit/fleetkit-go/telematics/export"
)

// drive returns an iterator over a few fixes, as a provider's paging iterator would.
func drive() iter.Seq2[telematics.Position, error] {
	start := time.Date(2026, 5, 4, 7, 30, 0, 0, time.UTC)
	fixes := []telematics.Position{
		{VehicleID: "7", Latitude: 48.1486, Longitude: 17.1077, Time: start,
			Speed: telematics.KilometresPerHour(36), Known: telematics.HasSpeed},
		{VehicleID: "7", Latitude: 48.1501, Longitude: 17.1102, Time: start.Add(30 * time.Second),
			Altitude: telematics.Metres(152), Heading: telematics.Degrees(45), Known: telematics.HasAltitude | telematics.HasHeading},
	}
	return func(yield func(telematics.Position, error) bool) {
		for _, p := range fixes {
			if !yield(p, nil) {
				return
			}
		}
	}
}

func ExampleNewGPX() {
	w := export.NewGPX(os.Stdout, export.WithName("Van 7"))
	track := telematics.Track{ID: "1001", VehicleID: "7", Name: "Morning delivery", Distance: telematics.Kilometres(0.25)}
	if err := w.WriteTrack(track, drive()); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <gpx version="1.1" creator="fleetkit-go" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 https://www.topografix.com/GPX/1/1/gpx.xsd http://www.garmin.com/xmlschemas/TrackPointExtension/v2 https://www8.garmin.com/xmlschemas/TrackPointExtensionv2.xsd">
	//   <metadata><name>Van 7</name></metadata>
	//   <trk>
	//     <name>Morning delivery</name>
	//     <desc>vehicle 7, track 1001, distance 250 m</desc>
	//     <trkseg>
	//       <trkpt lat="48.1486" lon="17.1077"><time>2026-05-04T07:30:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>10</gpxtpx:speed></gpxtpx:TrackPointExtension></extensions></trkpt>
	//       <trkpt lat="48.1501" lon="17.1102"><ele>152</ele><time>2026-05-04T07:30:30Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:course>45</gpxtpx:course></gpxtpx:TrackPointExtension></extensions></trkpt>
	//     </trkseg>
	//   </trk>
	// </gpx>
}

func ExampleNewGeoJSON() {
	w := export.NewGeoJSON(os.Stdout)
	if err := w.WriteTrack(telematics.Track{ID: "1001", VehicleID: "7"}, drive()); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"type":"FeatureCollection","features":[
	// {"type":"Feature","id":"1001","geometry":{"type":"LineString","coordinates":[[17.1077,48.1486],[17.1102,48.1501]]},"properties":{"track_id":"1001","vehicle_id":"7","provider":null,"name":null,"category":null,"start":null,"end":null,"distance_m":0,"duration_s":0,"moving_duration_s":0,"max_speed_kmh":0,"avg_speed_kmh":0,"points":2,"skipped_points":0}}
	// ]}
}

func ExampleNewCSV() {
	w := export.NewCSV(os.Stdout, export.WithSeparator(';'), export.WithCRLF(false))
	if err := w.WriteTrack(telematics.Track{ID: "1001"}, drive()); err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// vehicle_id;track_id;time;latitude;longitude;altitude_m;speed_kmh;heading_deg;accuracy_m
	// 7;1001;2026-05-04T07:30:00Z;48.1486;17.1077;;36;;
	// 7;1001;2026-05-04T07:30:30Z;48.1501;17.1102;152;;45;
}

func ExampleWriter_WriteTracks() {
	tracks := func(yield func(telematics.Track, error) bool) {
		for _, id := range []string{"1001", "1002"} {
			if !yield(telematics.Track{ID: id, VehicleID: "7"}, nil) {
				return
			}
		}
	}
	w := export.NewCSV(os.Stdout, export.WithCRLF(false))
	err := w.WriteTracks(tracks, func(t telematics.Track) iter.Seq2[telematics.Position, error] {
		return drive() // in a program: the track's trackpoints from the provider
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", w.Stats())
	// Output:
	// vehicle_id,track_id,time,latitude,longitude,altitude_m,speed_kmh,heading_deg,accuracy_m
	// 7,1001,2026-05-04T07:30:00Z,48.1486,17.1077,,36,,
	// 7,1001,2026-05-04T07:30:30Z,48.1501,17.1102,152,,45,
	// 7,1002,2026-05-04T07:30:00Z,48.1486,17.1077,,36,,
	// 7,1002,2026-05-04T07:30:30Z,48.1501,17.1102,152,,45,
	// {Tracks:2 Points:4 Skipped:0}
}

func ExampleError() {
	failing := func(yield func(telematics.Position, error) bool) {
		for p, err := range drive() {
			if !yield(p, err) {
				return
			}
		}
		yield(telematics.Position{}, telematics.ErrRateLimited)
	}
	w := export.NewGeoJSON(io.Discard)
	err := w.WriteTrack(telematics.Track{ID: "1001"}, failing)

	var e *export.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.TrackID, e.Points)
	}
	fmt.Println(errors.Is(err, telematics.ErrRateLimited))
	fmt.Println(err)
	fmt.Println(w.Close() == err)
	// Output:
	// read points 1001 2
	// true
	// export: read points: track "1001" after 2 points: rate limited
	// true
}

func ExampleParseFormat() {
	f, err := export.ParseFormat("GeoJSON")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f, f.Extension(), f.MediaType())

	_, err = export.ParseFormat("kml")
	fmt.Println(errors.Is(err, telematics.ErrInvalidInput))
	// Output:
	// geojson .geojson application/geo+json
	// true
}
