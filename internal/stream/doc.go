// Package stream is fleetkit's provider-neutral streaming core: a WebSocket session that
// dials (github.com/coder/websocket), reads and decodes frames tolerantly, watches
// liveness and reconnects with backoff, resyncing over REST after every reconnection; and
// a generic fan-out Hub that gives every subscriber its own bounded buffer and overflow
// policy.
//
// A provider supplies a Provider (create a stream through its REST request loop, fetch
// the last positions, decode one frame) and hands the Session's subscriptions to its
// users as *telematics.Subscription values.
package stream
