package main

import "testing"

// wrkOutput is wrk 4.1's summary with --latency, as Debian's prints it.
const wrkOutput = `Running 5s test @ http://127.0.0.1:18081/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    14.60ms   10.34ms 115.20ms   78.27%
    Req/Sec     1.75k   285.34     2.38k    71.00%
  Latency Distribution
     50%   12.45ms
     75%   18.02ms
     90%   26.71ms
     99%   55.38ms
  17452 requests in 5.01s, 20.14MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:   3483.74
Transfer/sec:      4.02MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{requests: 17452, non2xx: 7, errors: 5, rate: 3483.74, p50: "12.45ms", p99: "55.38ms"}
	if r != want {
		t.Errorf("parseWrk = %+v; want %+v", r, want)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:9 Connection refused"); err == nil {
		t.Error("parseWrk(no summary) = nil error; want one")
	}
}
