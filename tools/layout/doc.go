// Package layout holds the repository's layout rules as a test (ARCHITECTURE.md): no
// non-test Go file over MaxFileLines lines, no function over MaxFuncLines lines, and no
// net/http/httptest outside tests. It has no code of its own.
package layout

// The limits, from the redesign of issue 13: a file a reader can hold in mind, a function
// that fits a screen or two.
const (
	MaxFileLines = 700
	MaxFuncLines = 100
)
