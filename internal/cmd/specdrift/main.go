// Command specdrift compares the MyCarTracks client with an OpenAPI 3 document: it lists
// every path, method, query parameter and response field the client relies on that the
// document lacks or names differently, with the document's nearest name.
//
//	go run ./internal/cmd/specdrift -spec openapi.json
//
// The provider publishes its document at https://mycartracks.com/services/rest/openapi.json.
// Exit status: 0 when the client and the document agree, 1 on drift, 2 for usage and
// input errors.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/fleetkit/fleetkit-go/internal/specdrift"
	"github.com/fleetkit/fleetkit-go/mycartracks"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Exit statuses.
const (
	exitClean = 0
	exitDrift = 1
	exitUsage = 2
)

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("specdrift", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "path of the OpenAPI 3 document (JSON)")
	base := fs.String("base-url", mycartracks.DefaultBaseURL, "the client's base URL; its path prefixes the client's paths")
	quiet := fs.Bool("q", false, "print drift only, not notes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: specdrift -spec openapi.json [-base-url URL] [-q]")
		fmt.Fprintln(stderr, "Lists what the MyCarTracks client relies on that the OpenAPI document lacks or names differently.")
		fmt.Fprintln(stderr, "Exit status: 0 no drift, 1 drift, 2 usage or input error.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *spec == "" || fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	u, err := url.Parse(*base)
	if err != nil {
		fmt.Fprintf(stderr, "specdrift: bad -base-url: %v\n", err)
		return exitUsage
	}
	f, err := os.Open(*spec)
	if err != nil {
		fmt.Fprintf(stderr, "specdrift: %v\n", err)
		return exitUsage
	}
	defer f.Close()
	doc, err := specdrift.Load(f)
	if err != nil {
		fmt.Fprintf(stderr, "specdrift: %s: %v\n", *spec, err)
		return exitUsage
	}
	reqs := requirements()
	drift := 0
	for _, finding := range doc.Check(reqs, u.Path) {
		if finding.Drift() {
			drift++
		} else if *quiet {
			continue
		}
		fmt.Fprintln(stdout, finding)
	}
	fmt.Fprintf(stdout, "specdrift: %d operations checked against %s: %d drift finding(s)\n", len(reqs), *spec, drift)
	if drift > 0 {
		return exitDrift
	}
	return exitClean
}

// requirements converts the client's endpoint list for the checker.
func requirements() []specdrift.Requirement {
	var out []specdrift.Requirement
	for _, e := range mycartracks.Endpoints() {
		out = append(out, specdrift.Requirement{
			Operation: e.Operation,
			Method:    e.Method,
			Path:      e.Path,
			Query:     names(e.Query),
			List:      e.List,
			Envelope:  names(e.Envelope),
			Fields:    names(e.Fields),
		})
	}
	return out
}

func names(in []mycartracks.Name) []specdrift.Name {
	out := make([]specdrift.Name, 0, len(in))
	for _, n := range in {
		out = append(out, specdrift.Name{Name: n.Name, Aliases: n.Aliases})
	}
	return out
}
