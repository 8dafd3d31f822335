// Package conformance holds tests that hold both providers to one house: the same
// failure gives an error of the same structure in mycartracks and smartcar, and the
// same invalid option, per-call option, identifier or page position gets the same
// verdict. It has no code of its own. It sits beside the providers, not under
// internal/, because its tests import them and nothing under internal/ imports a
// provider.
package conformance
