// Package ratelimit reads the rate-limit headers providers send and paces a client so that
// it does not spend a request on a rejection it can predict.
//
// Header forms understood:
//
//   - budget: X-Rate-Limit-{Limit,Remaining,Reset} (MyCarTracks), X-RateLimit-* and the
//     IETF draft RateLimit-*; Reset counts seconds until the window ends, except that a
//     value above one billion is read as a Unix time (the GitHub convention);
//   - waits: Retry-After (seconds or an HTTP date), Retry-After-Ms (milliseconds).
//
// Negative, malformed and absurd values (beyond a year) are ignored, never trusted.
package ratelimit
