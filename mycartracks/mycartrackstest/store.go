package mycartrackstest

// store holds what clients can write: jobs, geofences and map sharing links.
type store struct{}

func newStore(*fleet) *store { return &store{} }
