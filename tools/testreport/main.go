// Command testreport reads `go test -json` on standard input and writes what a person
// needs from it: each package's result line, the whole output of every failed test and of
// every build failure, then every skipped test with its reason, so that a skip cannot pass
// unseen in CI (issue 19). It exits 1 if a test or a build failed.
//
//	go test -json ./... 2>&1 | go run ./tools/testreport
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type skip struct{ pkg, test, reason string }

func main() {
	failed, err := report(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// report copies the summary of the events read from r to w and reports whether anything failed.
func report(r io.Reader, w io.Writer) (bool, error) {
	out := map[string][]string{} // package + test → its output lines
	var skips []skip
	failed := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		var e event
		if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil {
			fmt.Fprintln(w, line) // not an event: vet, make or the toolchain speaking
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Action == "build-fail":
			failed = true
		case e.Test == "" && e.Action == "output":
			if s := strings.TrimSpace(e.Output); s != "PASS" && !strings.HasPrefix(s, "=== ") {
				fmt.Fprint(w, e.Output)
			}
		case e.Test == "" && e.Action == "fail":
			failed = true
		case e.Action == "output":
			out[key] = append(out[key], e.Output)
		case e.Action == "fail":
			failed = true
			for _, l := range out[key] {
				fmt.Fprint(w, l)
			}
			delete(out, key)
		case e.Test == "" && e.Action == "skip":
			// A package without test files: its "?  … [no test files]" line is the result.
			delete(out, key)
		case e.Action == "skip":
			skips = append(skips, skip{e.Package, e.Test, reason(out[key])})
			delete(out, key)
		case e.Action == "pass":
			delete(out, key)
		}
	}
	if err := sc.Err(); err != nil {
		return failed, err
	}
	fmt.Fprintf(w, "== skipped tests: %d\n", len(skips))
	for _, s := range skips {
		fmt.Fprintf(w, "SKIP %s %s: %s\n", s.pkg, s.test, s.reason)
	}
	return failed, nil
}

// reason returns a skipped test's own output without the framework's lines.
func reason(lines []string) string {
	var parts []string
	for _, l := range lines {
		s := strings.TrimSpace(l)
		if s == "" || strings.HasPrefix(s, "=== ") || strings.HasPrefix(s, "--- SKIP") {
			continue
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " | ")
}
