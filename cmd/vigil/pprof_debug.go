//go:build pprof

package main

import (
	"net/http"
	_ "net/http/pprof" // Profiling endpoints on their own listener, only in a -tags pprof build.
	"os"
)

// init serves net/http/pprof on $VIGIL_PPROF (a loopback address) when it is set. The
// file is built only with -tags pprof, for profiling under load; the product has no such
// route.
func init() {
	if addr := os.Getenv("VIGIL_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
