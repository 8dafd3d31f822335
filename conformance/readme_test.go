package conformance_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// snippet is one ```go block of README.md.
type snippet struct {
	line    int    // of the opening fence
	heading string // the nearest heading above it
	section string // the nearest level-2 heading above it
	code    string
}

func readmeSnippets(t *testing.T) []snippet {
	f, err := os.Open("../README.md")
	require.NoError(t, err)
	defer f.Close()
	var out []snippet
	var cur *snippet
	heading, section := "", ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(l, "#"):
			heading = l
			if strings.HasPrefix(l, "## ") {
				section = l
			}
		case cur == nil && strings.TrimSpace(l) == "```go":
			cur = &snippet{line: n, heading: heading, section: section}
		case cur != nil && strings.TrimSpace(l) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += l + "\n"
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// endMark is where a fragment's function ends.
const endMark = "//end\n"

// imports are the packages a README snippet may use without importing them.
var imports = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "log": "log", "time": "time", "os": "os",
	"iter": "iter", "http": "net/http", "url": "net/url", "exec": "os/exec", "json": "encoding/json",
	"slog": "log/slog", "io": "io", "strings": "strings", "testing": "testing",
	"telematics":      "github.com/fleetkit/fleetkit-go/telematics",
	"export":          "github.com/fleetkit/fleetkit-go/telematics/export",
	"clocktest":       "github.com/fleetkit/fleetkit-go/telematics/clocktest",
	"mycartracks":     "github.com/fleetkit/fleetkit-go/mycartracks",
	"mycartrackstest": "github.com/fleetkit/fleetkit-go/mycartracks/mycartrackstest",
	"smartcar":        "github.com/fleetkit/fleetkit-go/smartcar",
	"smartcartest":    "github.com/fleetkit/fleetkit-go/smartcar/smartcartest",
	"sandbox":         "github.com/fleetkit/fleetkit-go/sandbox",
	"redisbudget":     "github.com/fleetkit/fleetkit-go/redisbudget",
	"redis":           "github.com/redis/go-redis/v9",
}

// givens are the values a fragment may use without declaring them (the README's prose
// introduces them), as the parameters of the function the fragment becomes. client is
// the Smartcar client under a heading that names Smartcar, the MyCarTracks one elsewhere.
const givens = `ctx context.Context, clientID, clientSecret, vehicleID, userID, webhookID string,
	from, to, at time.Time, fleet telematics.Fleet, params mycartracks.JobParams,
	conn smartcar.Connection, owner smartcar.RequestOption,
	tracks iter.Seq2[telematics.Track, error], trackpoints func(context.Context, string) iter.Seq2[telematics.Position, error]`

// source turns a snippet into a Go file of package name: a fragment becomes the body of
// a function (in a block of its own, so that it may redeclare a given), a snippet with
// declarations stays as it is. Every variable a fragment declares is marked used right
// after its declaration: a README shows calls whose results the reader uses as they
// please.
func source(s snippet, name string) (string, error) {
	client := "*mycartracks.Client"
	if strings.Contains(s.heading, "Smartcar") || strings.Contains(s.section, "Smartcar") {
		client = "*smartcar.Client"
	}
	body := s.code
	fileLevel := false
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "func ") || strings.HasPrefix(l, "type ") {
			fileLevel = true
		}
	}
	var src string
	if fileLevel {
		src = "package " + name + "\n\n" + body
	} else {
		src = fmt.Sprintf("package %s\n\nfunc snippet(%s, client %s) error {\n{\n%s}\n%s}\n", name, givens, client, body, endMark)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	// A fragment that does not end in a return (or an endless loop) returns nil.
	end := "return nil\n"
	if !fileLevel {
		block := f.Decls[0].(*ast.FuncDecl).Body.List[0].(*ast.BlockStmt)
		if n := len(block.List); n > 0 {
			switch last := block.List[n-1].(type) {
			case *ast.ReturnStmt:
				end = ""
			case *ast.ForStmt:
				if last.Cond == nil {
					end = ""
				}
			}
		}
	}
	src = strings.Replace(src, endMark, end, 1)
	if f, err = parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution); err != nil {
		return "", err
	}
	// Mark the variables each block of a function body declares at its top level.
	type insert struct {
		at   int
		text string
	}
	var inserts []insert
	mark := func(list []ast.Stmt) {
		for _, st := range list {
			var names []string
			switch st := st.(type) {
			case *ast.AssignStmt:
				if st.Tok == token.DEFINE {
					for _, e := range st.Lhs {
						if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
							names = append(names, id.Name)
						}
					}
				}
			case *ast.DeclStmt:
				if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
					for _, sp := range gd.Specs {
						for _, id := range sp.(*ast.ValueSpec).Names {
							names = append(names, id.Name)
						}
					}
				}
			}
			if len(names) > 0 {
				blanks := strings.Repeat("_, ", len(names)-1) + "_"
				inserts = append(inserts, insert{fset.Position(st.End()).Offset, "; " + blanks + " = " + strings.Join(names, ", ")})
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok && fd.Body != nil {
			mark(fd.Body.List)
			for _, st := range fd.Body.List {
				if b, ok := st.(*ast.BlockStmt); ok {
					mark(b.List)
				}
			}
		}
		return true
	})
	sort.Slice(inserts, func(i, j int) bool { return inserts[i].at > inserts[j].at })
	for _, in := range inserts {
		src = src[:in.at] + in.text + src[in.at:]
	}
	// Import the packages the file names, but not one whose name the snippet gives a
	// variable (exec, err := client.Commands.Unlock(...)).
	used, declared := map[string]bool{}, map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && imports[id.Name] != "" {
				used[id.Name] = true
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		}
		return true
	})
	for name := range declared {
		delete(used, name)
	}
	var imp []string
	for p := range used {
		imp = append(imp, fmt.Sprintf("%q", imports[p]))
	}
	slices.Sort(imp)
	pkgLine := "package " + name + "\n"
	return strings.Replace(src, pkgLine, pkgLine+"\nimport (\n"+strings.Join(imp, "\n")+"\n)\n", 1), nil
}

// uncheckedAs finds errors.As calls whose result is dropped: the target stays nil when
// the error is not of its type, and using it then panics.
func uncheckedAs(src string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if es, ok := n.(*ast.ExprStmt); ok {
			if call, ok := es.X.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "As" {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "errors" {
						out = append(out, fset.Position(es.Pos()).String())
					}
				}
			}
		}
		return true
	})
	return out
}

// TestREADMESnippetsCompile extracts every Go snippet of README.md, makes each a package
// (see source) and builds and vets them all with the go command, so that the README
// shows only code that compiles against the current API. An errors.As whose result is
// ignored is refused too: its target is nil when the error is of another type.
func TestREADMESnippetsCompile(t *testing.T) {
	snippets := readmeSnippets(t)
	require.Greater(t, len(snippets), 10, "the README's Go snippets")
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	// A directory of the module whose name starts with "_": the go command builds it when
	// named, and ./... never includes it.
	dir, err := os.MkdirTemp(root, "_readme_snippets_")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	var pkgs []string
	where := map[string]snippet{}
	for i, s := range snippets {
		name := fmt.Sprintf("snippet%02d", i+1)
		src, err := source(s, name)
		if err != nil {
			t.Errorf("README.md:%d (%s): does not parse: %v\n%s", s.line, s.heading, err, s.code)
			continue
		}
		for _, pos := range uncheckedAs(src) {
			t.Errorf("README.md:%d (%s): the result of errors.As is not checked (%s): its target is nil when it fails", s.line, s.heading, pos)
		}
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "snippet.go"), []byte(src), 0o644))
		pkgs = append(pkgs, "./"+filepath.Base(dir)+"/"+name)
		where[name] = s
	}
	cmd := exec.Command("go", append([]string{"vet"}, pkgs...)...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		// Name the README lines of the snippets that failed.
		for name, s := range where {
			if strings.Contains(out.String(), name+"/") || strings.Contains(out.String(), name+"\n") {
				t.Errorf("README.md:%d (%s) does not compile or vet:\n%s", s.line, s.heading, s.code)
			}
		}
		t.Fatalf("go vet of the README's snippets: %v\n%s", err, out.String())
	}
}
