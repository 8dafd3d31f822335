// Package telematics holds the provider-neutral model of fleetkit: the types every
// integrator sees whichever provider the data came from.
//
// A provider package (for example mycartracks or smartcar) talks to one API and converts
// what it receives into these types:
//
//   - [Vehicle]: a vehicle as a provider knows it (id, name, VIN, make, model, year).
//   - [Position]: one GPS fix of a vehicle (latitude, longitude, altitude, speed, heading,
//     accuracy, time).
//   - [Track]: a trip of a vehicle with its start, end, distance, durations and speeds.
//   - [Signal]: one standardized reading of a connected car (state of charge, odometer,
//     lock state...) with its status and the times the car and the provider saw it.
//
// No bare float leaves the SDK without its unit. Speeds are [Speed] (stored in metres per
// second, with KMH, MPH and Knots), distances are [Distance] (metres, with Kilometres and
// Miles), shares are [Percent] and directions are [Heading]. Durations are time.Duration
// and times are time.Time in UTC.
//
// Times arrive from providers as epoch milliseconds, epoch seconds, numeric strings or
// RFC 3339 text. [Timestamp] and [UnixTimestamp] decode all of them; [ParseTime] is the
// function behind both. A zero or null value stays the zero time.
//
// Every provider error matches one of the sentinel errors of this package with
// errors.Is, so code that only cares about the kind of failure does not need to know the
// provider:
//
//	vehicles, err := client.Vehicles.List(ctx, nil)
//	switch {
//	case errors.Is(err, telematics.ErrRateLimited):
//		var rl *telematics.RateLimitError
//		if errors.As(err, &rl) {
//			log.Printf("try again after %s", rl.RetryAfter)
//		}
//	case errors.Is(err, telematics.ErrForbidden):
//		log.Print("the credentials lack a scope")
//	}
//
// [Clock] is the source of time for everything in fleetkit that waits (rate-limit pacing,
// retry backoff, token expiry). Tests inject their own.
//
// This package imports only the standard library.
package telematics
