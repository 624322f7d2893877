// Command mutreport reads the JSON reports of gremlins runs (`make mutate`), prints each
// target's mutants per file — killed, lived, timed out, not covered, not viable and the
// score — lists every surviving mutant with its source line, and exits 1 when a target's
// score is below its threshold.
//
// The score is strict: detected (killed or timed out) over every viable mutant, covered or
// not, so a line no selected test reaches counts against it. Gremlins' own "efficacy"
// leaves the uncovered ones out; it is printed too.
//
//	mutreport -root . -in scheduler=/tmp/s.json -in api=/tmp/a.json \
//	    -target 'verifier:85:scheduler/verify.go' \
//	    -target 'access rules:75:api/auth.go,api/handlers.go#inRegion+liveDay'
//
// A file may be limited to some of its functions (#name+name): mutants elsewhere in the
// file are left out of the target.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type report struct {
	Files []struct {
		Name      string     `json:"file_name"`
		Mutations []mutation `json:"mutations"`
	} `json:"files"`
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// fileSel is one file of a target, optionally limited to some functions.
type fileSel struct {
	path  string // relative to the module root
	funcs []string
}

type target struct {
	name      string
	threshold float64
	files     []fileSel
}

func parseTarget(s string) (target, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return target{}, fmt.Errorf("target %q: want name:threshold:file[#func+func],…", s)
	}
	th, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return target{}, fmt.Errorf("target %q: %w", s, err)
	}
	t := target{name: parts[0], threshold: th}
	for _, f := range strings.Split(parts[2], ",") {
		path, funcs, _ := strings.Cut(f, "#")
		sel := fileSel{path: path}
		if funcs != "" {
			sel.funcs = strings.Split(funcs, "+")
		}
		t.files = append(t.files, sel)
	}
	return t, nil
}

// counts are one file's (or target's) mutants by outcome.
type counts struct {
	killed, lived, timedOut, notCovered, notViable int
}

func (c *counts) add(o counts) {
	c.killed += o.killed
	c.lived += o.lived
	c.timedOut += o.timedOut
	c.notCovered += o.notCovered
	c.notViable += o.notViable
}

// score is detected over every viable mutant (covered or not), in percent.
func (c counts) score() float64 {
	n := c.killed + c.timedOut + c.lived + c.notCovered
	if n == 0 {
		return 100
	}
	return 100 * float64(c.killed+c.timedOut) / float64(n)
}

// efficacy is gremlins' figure: detected over covered mutants.
func (c counts) efficacy() float64 {
	n := c.killed + c.timedOut + c.lived
	if n == 0 {
		return 100
	}
	return 100 * float64(c.killed+c.timedOut) / float64(n)
}

// funcLines returns the line ranges of the named functions (methods by their name) of file.
func funcLines(file string, names []string) ([][2]int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		return nil, err
	}
	var out [][2]int
	found := map[string]bool{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !slices.Contains(names, fd.Name.Name) {
			continue
		}
		found[fd.Name.Name] = true
		out = append(out, [2]int{fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
	}
	for _, n := range names {
		if !found[n] {
			return nil, fmt.Errorf("%s has no function %s", file, n)
		}
	}
	return out, nil
}

func sourceLine(file string, n int) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(sc.Text())
		}
	}
	return ""
}

func main() {
	var ins, targets multi
	root := flag.String("root", ".", "the module root")
	flag.Var(&ins, "in", "dir=report.json: a gremlins report of a run in dir (repeatable)")
	flag.Var(&targets, "target", "name:threshold:file[#func+func],… (repeatable)")
	flag.Parse()
	if err := run(os.Stdout, *root, ins, targets); err != nil {
		fmt.Fprintln(os.Stderr, "mutreport:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, root string, ins, targetSpecs []string) error {
	// Every mutation by module-relative file.
	byFile := map[string][]mutation{}
	for _, in := range ins {
		dir, path, ok := strings.Cut(in, "=")
		if !ok {
			return fmt.Errorf("-in %q: want dir=report.json", in)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, f := range r.Files {
			name := filepath.ToSlash(filepath.Join(dir, f.Name))
			byFile[name] = append(byFile[name], f.Mutations...)
		}
	}
	failed := []string{}
	for _, spec := range targetSpecs {
		t, err := parseTarget(spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s (threshold %.0f %%)\n", t.name, t.threshold)
		fmt.Fprintf(w, "  %-44s %6s %5s %5s %7s %7s %6s %8s\n", "file", "killed", "lived", "t/o", "uncov", "unviab", "score", "efficacy")
		var total counts
		var survivors []string
		for _, sel := range t.files {
			muts, ok := byFile[sel.path]
			if !ok {
				return fmt.Errorf("target %s: no report covers %s", t.name, sel.path)
			}
			var ranges [][2]int
			if len(sel.funcs) > 0 {
				if ranges, err = funcLines(filepath.Join(root, sel.path), sel.funcs); err != nil {
					return err
				}
			}
			var c counts
			for _, m := range muts {
				if ranges != nil && !slices.ContainsFunc(ranges, func(r [2]int) bool { return m.Line >= r[0] && m.Line <= r[1] }) {
					continue
				}
				switch m.Status {
				case "KILLED":
					c.killed++
				case "LIVED":
					c.lived++
				case "TIMED OUT":
					c.timedOut++
				case "NOT COVERED":
					c.notCovered++
				case "NOT VIABLE":
					c.notViable++
				default:
					return fmt.Errorf("%s:%d: unknown status %q", sel.path, m.Line, m.Status)
				}
				if m.Status == "LIVED" || m.Status == "NOT COVERED" {
					survivors = append(survivors, fmt.Sprintf("    %-11s %-22s %s:%d:%d  %s", m.Status, m.Type, sel.path, m.Line, m.Column,
						sourceLine(filepath.Join(root, sel.path), m.Line)))
				}
			}
			label := sel.path
			if len(sel.funcs) > 0 {
				label += " (" + strings.Join(sel.funcs, ", ") + ")"
			}
			fmt.Fprintf(w, "  %-44s %6d %5d %5d %7d %7d %5.1f%% %7.1f%%\n", label, c.killed, c.lived, c.timedOut, c.notCovered, c.notViable, c.score(), c.efficacy())
			total.add(c)
		}
		fmt.Fprintf(w, "  %-44s %6d %5d %5d %7d %7d %5.1f%% %7.1f%%\n", "total", total.killed, total.lived, total.timedOut, total.notCovered, total.notViable, total.score(), total.efficacy())
		if len(survivors) > 0 {
			slices.Sort(survivors)
			fmt.Fprintln(w, "  surviving:")
			for _, s := range survivors {
				fmt.Fprintln(w, s)
			}
		}
		if total.score() < t.threshold {
			failed = append(failed, fmt.Sprintf("%s %.1f %% < %.0f %%", t.name, total.score(), t.threshold))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("below threshold: %s", strings.Join(failed, "; "))
	}
	return nil
}
