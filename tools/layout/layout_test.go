package layout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sources parses every non-test Go file of the module (the repository root is two levels
// up) and calls fn with each.
func sources(t *testing.T, fn func(path string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	root := filepath.Join("..", "..")
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		n++
		fn(strings.TrimPrefix(p, root+string(filepath.Separator)), fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("read %d Go files; want the whole module (is the root %s?)", n, root)
	}
}

func TestFileLength(t *testing.T) {
	sources(t, func(p string, fset *token.FileSet, f *ast.File) {
		if n := fset.File(f.Pos()).LineCount(); n > MaxFileLines {
			t.Errorf("%s: %d lines; split it (at most %d in a non-test file)", p, n, MaxFileLines)
		}
	})
}

func TestFunctionLength(t *testing.T) {
	sources(t, func(p string, fset *token.FileSet, f *ast.File) {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			start, end := fset.Position(fd.Pos()).Line, fset.Position(fd.Body.End()).Line
			if n := end - start + 1; n > MaxFuncLines {
				t.Errorf("%s:%d: %s is %d lines; at most %d", p, start, fd.Name.Name, n, MaxFuncLines)
			}
		}
	})
}

func TestNoHTTPTestInProduction(t *testing.T) {
	sources(t, func(p string, _ *token.FileSet, f *ast.File) {
		for _, im := range f.Imports {
			if path, _ := strconv.Unquote(im.Path.Value); path == "net/http/httptest" {
				t.Errorf("%s imports net/http/httptest; call the service layer, not an in-process HTTP round trip", p)
			}
		}
	})
}
