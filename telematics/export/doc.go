// Package export writes positions and tracks as GPX 1.1, GeoJSON (RFC 7946) or CSV
// (RFC 4180), streaming: a [Writer] reads each position from an iter.Seq2 and writes it
// before asking for the next, so exporting a track of a million points takes the memory
// of one point and a 64 KiB buffer.
//
// # Usage
//
// Create a Writer for a format, write tracks or positions, and Close it. Here tracks is an
// iter.Seq2[telematics.Track, error] and trackpoints returns the positions of one track,
// both paging lazily through a provider's API:
//
//	w, err := export.New(export.GPX, f, export.WithName("Van 7, May 2026"))
//	if err != nil {
//		return err
//	}
//	for t, err := range tracks {
//		if err != nil {
//			return err
//		}
//		if err := w.WriteTrack(t, trackpoints(ctx, t.ID)); err != nil {
//			return err
//		}
//	}
//	return w.Close()
//
// [Writer.WriteTracks] is that loop. [ParseFormat] reads a format name ("gpx", "geojson",
// "csv") and [Format] is a flag.TextVar.
//
// # What is written
//
// A position is written only when [telematics.Position.Valid] holds: positions out of
// WGS 84 bounds, NaN or the (0, 0) of a device without a fix are skipped and counted in
// [Writer.Stats] (and, per track, in the GeoJSON property "skipped_points"). An optional
// field is written only when [telematics.Position.Has] reports it and its value is finite;
// a time only when it is not zero and lies in years 1 to 9999. Times are RFC 3339 in UTC,
// with fractional seconds only when the time has them. Coordinates have at most 7
// decimals (see [WithPrecision]); altitudes, speeds, headings and accuracies at most 2.
// Headings are normalised into [0, 360).
//
// GPX: a <gpx version="1.1"> document in the [GPXNamespace] with a creator attribute and,
// when [WithName] or [WithTime] is given, a <metadata>. Each track is a <trk> (name,
// a description summarising ids, distance, durations and speeds, the provider as src, the
// category as type) with one <trkseg> of <trkpt lat lon> holding ele and time, and speed
// (m/s) and course (degrees) in Garmin's TrackPointExtension v2
// ([TrackPointExtensionNamespace]). GPX has no element for an accuracy radius (hdop is a
// dilution, not metres), so accuracy is not written; a negative speed is not written
// either, as the extension's schema forbids it; a longitude of 180 is written as -180.
// [Writer.WritePositions] writes waypoints (<wpt>, named after the vehicle id), which GPX
// places before all tracks: after a track it returns [ErrWaypointsAfterTracks].
//
// GeoJSON: a FeatureCollection (with a "name" member when [WithName] is given). Each track
// is a Feature whose "id" is the track id and whose geometry is a LineString of
// [longitude, latitude] or [longitude, latitude, altitude] positions, all of the dimension
// of the first one (a missing altitude repeats the last known one; an altitude in a line
// that began without one is left out); a track with one
// valid position has a Point geometry and a track with none a null geometry, since a
// LineString needs two positions. Its properties are track_id, vehicle_id, provider, name,
// category, start, end, distance_m, duration_s, moving_duration_s, max_speed_kmh,
// avg_speed_kmh, points and skipped_points; empty texts and zero times are null, and
// numbers are the Track's (null only when not finite). Per-point times and
// speeds are not part of a track Feature (they would have to be held in memory until the
// coordinates end): export CSV, or write positions, for them. [Writer.WritePositions]
// writes Point Features with the properties vehicle_id, provider, time, speed_kmh,
// heading_deg and accuracy_m. Tracks are not cut at the antimeridian.
//
// CSV: a header row ([CSVColumns]) then one row per position with the columns vehicle_id,
// track_id, time, latitude, longitude, altitude_m, speed_kmh, heading_deg and accuracy_m;
// unknown values are empty cells. A position without a vehicle id takes the track's.
// Lines end in CRLF as RFC 4180 says unless [WithCRLF](false); [WithSeparator] changes the
// comma.
//
// # Errors and what the output holds
//
// The header is written by the first method call, the end of the document (closing tags
// and brackets) only by a successful [Writer.Close]. Data reaches the destination when the
// 64 KiB buffer fills, on [Writer.Flush] and on Close.
//
// When an iterator yields an error, or the destination returns one, the Writer stops
// reading (the iterator sees its yield return false), and the method returns an [*Error]
// that says what failed (Op), in which track, after how many tracks and points, and wraps
// the cause for errors.Is and errors.As. The Writer is then failed: every later call,
// Close included, returns the same error and writes nothing. After an iterator error the
// destination holds the document up to and including the last position counted in the
// Error (except that GeoJSON writes a track's first position only once the second
// arrives, as the two decide the geometry type); after a destination error it holds
// whatever the destination accepted. Either way
// the closing tags or brackets are missing, so a GPX or GeoJSON reader rejects the file
// rather than taking a partial export for a complete one. A CSV file has no end marker:
// an interrupted CSV export still parses, so check the error (and write to a temporary
// file that is renamed only when Close succeeds).
//
// A Writer is not safe for concurrent use. It imports only the standard library and
// telematics.
package export
