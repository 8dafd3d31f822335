package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeSection returns the README's section on the command: from its heading to the
// next second-level one.
func readmeSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n## The `fleetkit` command")
	require.True(t, ok, "the README has a section on the command")
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	return section
}

// codeBlocks returns the code blocks of lang in text.
func codeBlocks(text, lang string) []string {
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)\n```"+lang+"\n(.*?)\n```").FindAllStringSubmatch(text, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// parses checks that args name a command and flags that the command tree knows, without
// running it.
func parses(t *testing.T, args []string) {
	t.Helper()
	root := newApp(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}).rootCommand()
	cmd, rest, err := root.Find(protectNegativeLatLon(args))
	require.NoError(t, err, "%q", args)
	assert.NotEqual(t, root, cmd, "%q names a command", args)
	assert.NoError(t, cmd.ParseFlags(rest), "%q", args)
}

// TestREADMECommandLines: every fleetkit command line of the README's shell examples
// names a command and flags that exist.
func TestREADMECommandLines(t *testing.T) {
	lines := 0
	for _, block := range codeBlocks(readmeSection(t), "sh") {
		for _, line := range strings.Split(block, "\n") {
			line, _, _ = strings.Cut(line, "#")
			line, _, _ = strings.Cut(line, "|")
			line, _, _ = strings.Cut(line, ">")
			fields := strings.Fields(line)
			if len(fields) < 2 || fields[0] != "fleetkit" {
				continue
			}
			lines++
			parses(t, fields[1:])
		}
	}
	assert.GreaterOrEqual(t, lines, 6, "the examples were found")
}

// TestREADMEMCPConfig: the MCP client configuration of the README is valid JSON whose
// command line starts the MCP server.
func TestREADMEMCPConfig(t *testing.T) {
	blocks := codeBlocks(readmeSection(t), "json")
	require.Len(t, blocks, 1)
	var config struct {
		MCPServers map[string]struct {
			Command string            `json:"command"`
			Args    []string          `json:"args"`
			Env     map[string]string `json:"env"`
		} `json:"mcpServers"`
	}
	require.NoError(t, json.Unmarshal([]byte(blocks[0]), &config))
	server, ok := config.MCPServers["fleetkit"]
	require.True(t, ok)
	assert.Equal(t, "fleetkit", server.Command)
	assert.Contains(t, server.Args, "mcp")
	parses(t, server.Args)
	for name := range server.Env {
		assert.Regexp(t, `^(MYCARTRACKS|SMARTCAR)_[A-Z_]+$`, name)
	}
}
