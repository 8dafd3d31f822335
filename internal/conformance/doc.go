// Package conformance holds tests that hold both providers to one shape: the same
// failure gives an error of the same structure in mycartracks and smartcar. It has no
// code of its own; its tests import the providers, which no other package under internal
// does.
package conformance
