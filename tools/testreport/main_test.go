package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	in := strings.Join([]string{
		`# vigil/broken`,
		`{"Action":"build-output","ImportPath":"vigil/broken","Output":"broken.go:3: undefined: x\n"}`,
		`{"Action":"build-fail","ImportPath":"vigil/broken"}`,
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: got 1; want 2\n"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"--- FAIL: TestA (0.00s)\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:4: needs redis-server\n"}`,
		`{"Action":"output","Package":"p","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"=== RUN   TestC\n"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:4: chatty but fine\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestC"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}`,
		`{"Action":"fail","Package":"p"}`,
		`{"Action":"output","Package":"q","Output":"PASS\n"}`,
		`{"Action":"output","Package":"q","Output":"ok  \tq\t0.01s\n"}`,
		`{"Action":"pass","Package":"q"}`,
		`{"Action":"output","Package":"r","Output":"?   \tr\t[no test files]\n"}`,
		`{"Action":"skip","Package":"r"}`,
	}, "\n")
	var out strings.Builder
	failed, err := report(strings.NewReader(in), &out)
	if err != nil || !failed {
		t.Fatalf("report = %v, %v; want failed", failed, err)
	}
	got := out.String()
	for _, want := range []string{"# vigil/broken\n", "undefined: x", "a_test.go:9: got 1; want 2", "FAIL\tp\t0.01s", "ok  \tq\t0.01s", "?   \tr\t[no test files]",
		"== skipped tests: 1\nSKIP p TestB: b_test.go:4: needs redis-server\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "chatty") || strings.Contains(got, "PASS\n") {
		t.Errorf("report holds a passing test's output:\n%s", got)
	}
	if failed, _ := report(strings.NewReader(`{"Action":"pass","Package":"q"}`), &strings.Builder{}); failed {
		t.Errorf("report of a passing run = failed")
	}
}
