package main

import (
	"fmt"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/fleetkit/fleetkit-go/internal/specdrift"
	"github.com/fleetkit/fleetkit-go/mycartracks"
)

func (a *app) driftCommand() *cobra.Command {
	var (
		spec, base string
		quiet      bool
	)
	cmd := &cobra.Command{
		Use:   "drift --openapi FILE",
		Short: "Compare the MyCarTracks client with the provider's OpenAPI document",
		Long: `drift lists every path, method, query parameter and response field the MyCarTracks client
relies on that an OpenAPI 3 document (JSON) lacks or names differently, with the document's
nearest name. The provider publishes its document at
https://mycartracks.com/services/rest/openapi.json.

Exit status: 0 when the client and the document agree, 1 on drift, 2 for usage and input
errors.`,
		Example: "  curl -sO https://mycartracks.com/services/rest/openapi.json\n  fleetkit drift --openapi openapi.json -q",
		Args:    noArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return a.drift(spec, base, quiet)
		},
	}
	cmd.Flags().StringVar(&spec, "openapi", "", "path of the OpenAPI 3 document, JSON (required)")
	cmd.Flags().StringVar(&base, "base-url", mycartracks.DefaultBaseURL, "the client's base URL; its path prefixes the client's paths")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print drift only, not notes")
	return cmd
}

// drift checks the document at spec and prints the findings.
func (a *app) drift(spec, base string, quiet bool) error {
	if spec == "" {
		return usagef("--openapi FILE is required")
	}
	u, err := url.Parse(base)
	if err != nil {
		return usagef("bad --base-url: %v", err)
	}
	f, err := os.Open(spec)
	if err != nil {
		return &usageError{err}
	}
	defer f.Close()
	doc, err := specdrift.Load(f)
	if err != nil {
		return usagef("%s: %v", spec, err)
	}
	reqs := requirements()
	drift := 0
	for _, finding := range doc.Check(reqs, u.Path) {
		if finding.Drift() {
			drift++
		} else if quiet {
			continue
		}
		fmt.Fprintln(a.stdout, finding)
	}
	fmt.Fprintf(a.stdout, "drift: %d operations checked against %s: %d drift finding(s)\n", len(reqs), spec, drift)
	if drift > 0 {
		return &driftError{drift}
	}
	return nil
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
