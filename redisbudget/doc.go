// Package redisbudget shares a provider's request budget and a webhook receiver's
// deduplication through Redis, for programs that run several processes (or machines)
// on one credential: export workers, a dashboard beside a sync job, webhook receivers
// behind a load balancer. Only programs that want Redis import it; the library
// packages do not.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
//	defer rdb.Close()
//	store, err := redisbudget.New(rdb)
//	...
//	client, err := mycartracks.NewClient(id, secret, mycartracks.WithSharedBudget(store))
//	handler, err := smartcar.NewWebhookHandler(token, smartcar.WithDedupeStore(store))
//
// A [Store] is a [telematics.SharedBudget] and a [telematics.DedupeStore]. Every
// method is one round trip to Redis (Redis 5 or later), bounded by the Store's timeout
// (a second, WithTimeout) and by the caller's context. Set ContextTimeoutEnabled on the
// go-redis client: without it go-redis applies neither to a server that stopped
// answering, and waits for its own read timeout (5 s) instead.
//
// # The budget
//
// The budget of a credential is one Redis hash, named after the provider and the
// client ID (never the secret), that expires a second after the window it describes.
// Each script reads the Redis server's clock (TIME): the processes never compare
// their own clocks, so skew between machines does not matter; a reset the provider
// reports is handed over as the time left until it, measured just before the call.
//
//   - Reserve takes one request of the current window, or says how long until it
//     ends. When no window is known (the first request, or the window ended), one
//     request probes: it alone is sent, the others wait (a few milliseconds at a time,
//     at most the probe lease) until its answer tells the provider's count and reset,
//     which then make the window. A window nobody has seen may thus cost at most one
//     refused request, the probe's, if something outside spent it.
//   - Observe records every answer's budget headers: a lower count than the store's
//     wins (someone else spends the budget too), and a spent budget with a later reset
//     makes every process wait for it. An answer without headers after a probe makes a
//     window of the provider's published budget (the BudgetKey's Limit per Window).
//   - Release gives back a grant whose request was never sent.
//
// The client waits for what Reserve asks within its maximum wait (WithMaxWait); a client
// that never waits (WithMaxWait(0)) fails at once with a *telematics.RateLimitError
// instead, also for the few milliseconds of another client's probe.
//
// The provider's reset is known to a second (MyCarTracks sends whole seconds), so a
// window may end up to a second later than the provider's: on a 15-minute window a
// negligible cost, and never a refused request.
//
// # When Redis fails
//
// A budget call that fails, or takes longer than the SDK's short bound, does not hold
// the request: the client paces locally as it does without a shared budget (its
// client-side limiter, if any, and the provider's budget headers, which it honours
// anyway), logs one warning for the outage (no secret in it), asks Redis again every
// second or so, and logs once more when Redis answers again. During an outage the
// processes no longer coordinate, so they may collide on refused requests, which they
// wait out and retry as any rate-limit rejection: slower, never lost. A Redis that
// restarts empty costs one probe.
//
// The dedupe store fails the other way round: when Claim cannot reach Redis, or Redis
// takes longer than the Store's timeout to answer, the webhook receiver delivers the
// event (it cannot tell whether it is a duplicate), so
// delivery stays at least once, and consumers should tolerate the rare duplicate that
// an outage lets through. Claim remembers an event id for a retention (DefaultRetention,
// seven days, when the receiver gives none) with SET NX PX; Forget deletes it so that
// the provider's retry of an event whose delivery failed is delivered.
package redisbudget
