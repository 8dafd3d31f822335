package main

import "runtime/debug"

// version returns the module version the binary was built from ("(devel)" in a
// checkout).
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
