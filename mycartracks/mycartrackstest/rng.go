package mycartrackstest

// rng is SplitMix64: a tiny generator whose sequence is fixed by its seed on every Go
// version and platform, so the simulated fleet never changes under an integrator's golden
// files (math/rand makes no such promise for its helper methods).
type rng struct{ state uint64 }

func newRNG(parts ...uint64) *rng { return &rng{state: mix(parts...)} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return finalize(r.state)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

func finalize(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// mix hashes a sequence of numbers into one, for per-item generators that do not depend
// on how many other items exist.
func mix(parts ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc909)
	for _, p := range parts {
		h = finalize(h ^ (p + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)))
	}
	return h
}
