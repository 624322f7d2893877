package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

func TestComplianceStrip(t *testing.T) {
	tests := []struct {
		name  string
		f     scheduler.ComplianceFigures
		parts string // class:width …
	}{
		{"none planned", scheduler.ComplianceFigures{}, ""},
		{"morning", scheduler.ComplianceFigures{Planned: 100, Due: 40, Done: 30, Missed: 5}, "done:300 missed:50 open:50 later:600"},
		{"all done", scheduler.ComplianceFigures{Planned: 3, Due: 3, Done: 3}, "done:1000"},
		{"rounding ends at the edge", scheduler.ComplianceFigures{Planned: 3, Due: 2, Done: 1, Missed: 1}, "done:333 missed:333 later:334"},
	}
	for _, tt := range tests {
		s := complianceStrip(tt.f)
		var got []string
		x := 0
		if s != nil {
			for _, p := range s.Parts {
				if p.X != x {
					t.Errorf("%s: part %s starts at %d; want %d", tt.name, p.Class, p.X, x)
				}
				x += p.W
				got = append(got, p.Class+":"+strconv.Itoa(p.W))
			}
		}
		if g := strings.Join(got, " "); g != tt.parts {
			t.Errorf("%s: complianceStrip(%+v) = %q; want %q", tt.name, tt.f, g, tt.parts)
		}
	}
}

func TestCheckInChoices(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, time.UTC) }
	routes := []scheduler.Route{{Unit: "wfo-f01", Visits: []scheduler.Visit{
		{Mission: "emb-a", Arrive: at(9, 0)}, {Mission: "emb-b", Arrive: at(9, 30)},
		{Mission: "emb-a", Arrive: at(10, 0)}, {Mission: "emb-a", Arrive: at(11, 0)},
	}}}
	names := map[string]string{"emb-a": "A", "emb-b": "B"}
	next := &nextVisit{visitRow: visitRow{Mission: "emb-a"}}
	got := checkInChoices(routes, names, next, at(10, 5))
	// emb-a at 10:00 is still open at 10:05 (15-minute window); emb-b's only visit is closed.
	if len(got) != 2 || got[0].Mission != "emb-a" || !got[0].Arrive.Equal(at(10, 0)) || !got[0].Next ||
		got[1].Mission != "emb-b" || !got[1].Arrive.Equal(at(9, 30)) || got[1].Next {
		t.Errorf("checkInChoices at 10:05 = %+v; want emb-a at 10:00 (next), emb-b at 09:30", got)
	}
	if got := checkInChoices(routes, names, nil, at(12, 0)); !got[0].Arrive.Equal(at(11, 0)) {
		t.Errorf("checkInChoices at 12:00: emb-a at %v; want its last visit, 11:00", got[0].Arrive)
	}
}

func TestGeoURI(t *testing.T) {
	got := string(geoURI(geo.Point{Lat: 38.9, Lon: -77.05}, "Embassy of X & Y"))
	if want := "geo:38.900000,-77.050000?q=38.900000,-77.050000(Embassy+of+X+%26+Y)"; got != want {
		t.Errorf("geoURI = %q; want %q", got, want)
	}
}

// TestStaticGzip: a file stored gzipped goes out as is to a browser that takes gzip, and
// unpacked to one that does not; names outside the folder and unknown kinds are refused.
func TestStaticGzip(t *testing.T) {
	e := echo.New()
	p := New(nil)
	e.GET("/static/*", p.Static)
	get := func(path, enc string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Result()
	}
	r := get("/static/basemap-wfo.json", "gzip, br")
	if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("basemap with gzip: %d %v", r.StatusCode, r.Header)
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(zr)
	r = get("/static/basemap-wfo.json", "")
	plain, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Encoding") != "" || string(plain) != string(zipped) || !strings.Contains(string(plain), `"type":"FeatureCollection"`) {
		t.Errorf("basemap without gzip: encoding %q, %d bytes (gzipped body unpacks to %d)", r.Header.Get("Content-Encoding"), len(plain), len(zipped))
	}
	for _, path := range []string{"/static/leaflet/leaflet.js", "/static/leaflet/LICENSE", "/static/leaflet/images/layers.png", "/static/officer.js"} {
		if r := get(path, "gzip"); r.StatusCode != 200 {
			t.Errorf("GET %s = %d; want 200", path, r.StatusCode)
		}
	}
	for _, path := range []string{"/static/../web.go", "/static/leaflet/leaflet.js.gz", "/static/missing.css", "/static/"} {
		if r := get(path, ""); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, r.StatusCode)
		}
	}
}
