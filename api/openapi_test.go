package api

import (
	"context"
	"regexp"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/labstack/echo/v4"
)

var echoParam = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPIDescribesEveryRoute checks that /openapi.yaml is a valid document, that it
// describes every route the server has, and that every operation it describes is routed.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiSpec)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	described := []string{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	routed := []string{}
	for _, r := range New(Config{}).echo.Routes() {
		if r.Method != echo.RouteNotFound {
			routed = append(routed, r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	sort.Strings(described)
	sort.Strings(routed)
	if diff := cmp.Diff(described, routed); diff != "" {
		t.Errorf("OpenAPI operations (-described +routed):\n%s", diff)
	}
}
