// Command genfixtures regenerates Vigil's shipped fixture files (fixtures/offices.csv,
// fixtures/missions/*.csv, fixtures/force.yaml) from the source data in ../shared/data.
//
// It is a reproducibility aid only: the generated files are committed and Vigil never
// needs the source data at run time. See fixtures/SOURCES.md for every rule applied here.
//
//	go run ./tools/genfixtures -data /work/shared/data -out fixtures
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"vigil/geo"
	"vigil/scheduler"
)

func main() {
	data := flag.String("data", "/work/shared/data", "directory holding the source data")
	out := flag.String("out", "fixtures", "fixtures directory to write")
	flag.Parse()
	if err := run(*data, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genfixtures:", err)
		os.Exit(1)
	}
}

// maxRegionKm is how far from its nearest office a mission may stand and still join that
// office's region (../shared/data/SOURCES.md, "Using file 2").
const maxRegionKm = 100

// threatSalt keys the illustrative threat-level hash.
const threatSalt = "vigil-illustrative-threat/v1|"

// Threat-level cumulative shares: 45 % level 1, 30 % level 2, 15 % level 3, 7 % level 4,
// 3 % level 5.
var threatCumulative = [5]float64{0.45, 0.75, 0.90, 0.97, 1}

// missionType maps Wikidata's mission_type to Vigil's kind, a name pattern and an id prefix.
type missionType struct {
	kind, name, prefix string
}

var missionTypes = map[string]missionType{
	"embassy":                     {"embassy", "Embassy of %s", "emb"},
	"de facto embassy":            {"embassy", "De facto Embassy of %s", "dfe"},
	"apostolic nunciature":        {"embassy", "Apostolic Nunciature of %s", "nun"},
	"consulate general":           {"consulate", "Consulate General of %s", "cg"},
	"Consulate General of Sweden": {"consulate", "Consulate General of %s", "cg"},
	"consulate":                   {"consulate", "Consulate of %s", "con"},
	"consulates of Sweden":        {"consulate", "Consulate of %s", "con"},
	"de facto consulate":          {"consulate", "De facto Consulate of %s", "dfc"},
	"honorary consulate":          {"consulate", "Honorary Consulate of %s", "hc"},
	"consular office":             {"consulate", "Consular Office of %s", "co"},
	"Interests Section":           {"mission", "Interests Section of %s", "is"},
	"Apostolic delegation":        {"mission", "Apostolic Delegation of %s", "ad"},
	"liaison office":              {"office", "Liaison Office of %s", "lo"},
	"Quebec Government Office":    {"office", "%s Government Office", "go"},
}

type office struct {
	id       string
	lat, lon float64
	state    string
	tz       string
}

type mission struct {
	scheduler.Mission
	hash [32]byte
}

func run(dataDir, outDir string, log io.Writer) error {
	officeBytes, err := os.ReadFile(filepath.Join(dataDir, "dss_offices.csv"))
	if err != nil {
		return err
	}
	offices, err := readOffices(officeBytes)
	if err != nil {
		return err
	}
	wfo, err := dcMissions(filepath.Join(dataDir, "dc_embassies_opendatadc.csv"))
	if err != nil {
		return err
	}
	others, err := wikidataMissions(filepath.Join(dataDir, "us_diplomatic_missions_wikidata.csv"), offices)
	if err != nil {
		return err
	}
	byRegion := map[string][]mission{"wfo": wfo}
	for _, m := range others {
		byRegion[m.Region] = append(byRegion[m.Region], m)
	}
	seen := map[string]string{}
	var regions []string
	for r, ms := range byRegion {
		regions = append(regions, r)
		sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
		for i := range ms {
			if prev, ok := seen[ms[i].ID]; ok {
				return fmt.Errorf("id %s in regions %s and %s", ms[i].ID, prev, r)
			}
			seen[ms[i].ID] = r
			assignThreat(&ms[i])
		}
	}
	sort.Strings(regions)
	// Exercise the per-mission fixed-post override: the two level-4 missions of wfo with the
	// smallest hash carry one fixed post.
	var l4 []*mission
	for i := range wfo {
		if wfo[i].Threat == 4 {
			l4 = append(l4, &wfo[i])
		}
	}
	sort.Slice(l4, func(i, j int) bool { return bytes.Compare(l4[i].hash[:], l4[j].hash[:]) < 0 })
	for _, m := range l4[:min(2, len(l4))] {
		one := 1
		m.FixedPosts = &one
	}

	if err := os.MkdirAll(filepath.Join(outDir, "missions"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "offices.csv"), officeBytes, 0o644); err != nil {
		return err
	}
	var force strings.Builder
	force.WriteString(forceHeader)
	for _, r := range regions {
		ms := byRegion[r]
		if err := writeMissions(filepath.Join(outDir, "missions", r+".csv"), ms); err != nil {
			return err
		}
		f, h := sizeForce(r, ms)
		writeRegionForce(&force, f, r == "wfo")
		var levels [6]int
		for _, m := range ms {
			levels[m.Threat]++
		}
		fmt.Fprintf(log, "%s: %d missions, levels %v; %s\n", r, len(ms), levels[1:], h)
	}
	return os.WriteFile(filepath.Join(outDir, "force.yaml"), []byte(force.String()), 0o644)
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCSV(f)
}

func parseCSV(r io.Reader) ([]map[string]string, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("empty CSV")
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func readOffices(b []byte) ([]office, error) {
	rows, err := parseCSV(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out []office
	for _, r := range rows {
		o := office{id: r["id"], state: r["state"], tz: r["tz"]}
		if o.lat, err = strconv.ParseFloat(r["lat"], 64); err != nil {
			return nil, err
		}
		if o.lon, err = strconv.ParseFloat(r["lon"], 64); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func dcMissions(path string) ([]mission, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	var out []mission
	for _, r := range rows {
		lat, lon, err := latLon(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", path, r["country"], err)
		}
		out = append(out, mission{Mission: scheduler.Mission{
			ID: "emb-" + slug(r["country"]), Name: r["name"], Kind: "embassy", Country: r["country"],
			Address: r["address"], City: "Washington", State: "DC", Lat: lat, Lon: lon, Region: "wfo",
		}})
	}
	return out, nil
}

func wikidataMissions(path string, offices []office) ([]mission, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	var out []mission
	ids := map[string]int{}
	for _, r := range rows {
		if strings.Contains(r["city"], "Washington") || r["lat"] == "" || r["lon"] == "" {
			continue // DC rows duplicate file 1; rows without coordinates cannot be placed
		}
		lat, lon, err := latLon(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", path, r["wikidata_qid"], err)
		}
		best, bestKm := office{}, math.Inf(1)
		for _, o := range offices {
			if d := geo.Haversine(geo.Point{Lat: lat, Lon: lon}, geo.Point{Lat: o.lat, Lon: o.lon}) / 1000; d < bestKm {
				best, bestKm = o, d
			}
		}
		if bestKm > maxRegionKm || best.id == "wfo" {
			continue // no region here, or Washington, which takes file 1 only
		}
		t, ok := missionTypes[r["mission_type"]]
		if !ok {
			return nil, fmt.Errorf("%s: %s: unmapped mission_type %q", path, r["wikidata_qid"], r["mission_type"])
		}
		country := r["sending_country"]
		id := t.prefix + "-" + slug(country) + "-" + best.id
		if len(id) > 64 {
			id = strings.TrimRight(id[:64], "-")
		}
		ids[id]++
		if n := ids[id]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		out = append(out, mission{Mission: scheduler.Mission{
			ID: id, Name: fmt.Sprintf(t.name, withArticle(country)), Kind: t.kind, Country: country,
			City: r["city"], State: best.state, Lat: lat, Lon: lon, Region: best.id,
		}})
	}
	return out, nil
}

func latLon(r map[string]string) (float64, float64, error) {
	lat, err := strconv.ParseFloat(r["lat"], 64)
	if err != nil {
		return 0, 0, err
	}
	lon, err := strconv.ParseFloat(r["lon"], 64)
	if err != nil {
		return 0, 0, err
	}
	round := func(x float64) float64 { return math.Round(x*1e7) / 1e7 }
	return round(lat), round(lon), nil
}

// withArticle puts "the" before country names that take it in English.
func withArticle(country string) string {
	for _, p := range []string{"United ", "People's ", "Republic ", "Philippines", "Netherlands", "Holy See"} {
		if strings.HasPrefix(country, p) {
			return "the " + country
		}
	}
	return country
}

// slug turns a country name into lowercase ASCII [a-z0-9-]: accents transliterated, "&"
// spelt "and", a trailing "(The)" dropped, every other run of punctuation a single hyphen.
func slug(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), " (The)")
	s = strings.ReplaceAll(s, "&", " and ")
	s = strings.ReplaceAll(s, "'", "")
	s = strings.ReplaceAll(s, "’", "")
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return b.String()
}

// assignThreat sets the illustrative threat level: the first 8 bytes of SHA-256(salt | id)
// read as a fraction u in [0, 1), and the level the first whose cumulative share exceeds u.
func assignThreat(m *mission) {
	m.hash = sha256.Sum256([]byte(threatSalt + m.ID))
	u := float64(binary.BigEndian.Uint64(m.hash[:8])>>11) / (1 << 53)
	for i, c := range threatCumulative {
		if u < c {
			m.Threat = i + 1
			return
		}
	}
	m.Threat = 5
}

func writeMissions(path string, ms []mission) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"id", "name", "kind", "country", "address", "city", "state", "lat", "lon", "threat", "fixed_posts", "region"})
	for _, m := range ms {
		fp := ""
		if m.FixedPosts != nil {
			fp = strconv.Itoa(*m.FixedPosts)
		}
		w.Write([]string{m.ID, m.Name, m.Kind, m.Country, m.Address, m.City, m.State,
			strconv.FormatFloat(m.Lat, 'f', -1, 64), strconv.FormatFloat(m.Lon, 'f', -1, 64),
			strconv.Itoa(m.Threat), fp, m.Region})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// sizeForce returns the smallest force whose capacity reaches 3× the minimum visits (at
// least one vehicle unit), with officers at about 4.5 per position and never below
// scheduler.OfficersNeeded. wfo is sized to 3.8× the check's capacity model: the planner
// plans at a lower utilisation than the check counts, and this is the size at which its
// plans hold about 3× the minimum visits and meet every §4 target (measured over three
// keys on 56 days; DESIGN.md §3).
func sizeForce(region string, ms []mission) (scheduler.RegionForce, scheduler.Headroom) {
	f := scheduler.NewRegionForce(region)
	if region == "wfo" {
		f.Units[scheduler.Foot] = 4
		f.Capabilities["canine"] = 2
	}
	in := scheduler.Inputs{Force: f}
	for _, m := range ms {
		in.Missions = append(in.Missions, m.Mission)
	}
	for v := 1; ; v++ {
		f.Units[scheduler.Vehicle] = v
		in.Force = f
		h, _ := scheduler.CheckRegion(in, scheduler.TravelModel(f))
		target := 3.0
		if region == "wfo" {
			target = 3.8
		}
		if h.Ratio() < target {
			continue
		}
		pos := scheduler.Positions(f, h.Posts)
		f.Officers = max(scheduler.OfficersNeeded(f, h.Posts), int(math.Ceil(4.5*float64(pos))))
		in.Force = f
		h, err := scheduler.CheckRegion(in, scheduler.TravelModel(f))
		if err != nil {
			panic(err) // sized to pass; a failure is a bug here
		}
		return f, h
	}
}

const forceHeader = `# Vigil's shipped force file (DESIGN.md §5), generated by tools/genfixtures.
#
# ILLUSTRATIVE: the missions' threat levels and fixed posts in fixtures/missions/ come from a
# hash of each mission id, not from any assessment (no public data exists; see
# fixtures/SOURCES.md). Units are sized so each region can afford about 3× its missions'
# minimum visits (DESIGN.md §3); officers at about 4.5 per position staffed around the clock.
# Run 'vigil check' after changing either file.
regions:
`

func writeRegionForce(b *strings.Builder, f scheduler.RegionForce, full bool) {
	fmt.Fprintf(b, "  %s:\n", f.Region)
	if full {
		b.WriteString("    shifts:                        # the default\n")
		for _, s := range f.Shifts {
			fmt.Fprintf(b, "      - {name: %s, start: \"%s\"}\n", s.Name, s.Start)
		}
	}
	fmt.Fprintf(b, "    units: {vehicle: %d, foot: %d}\n", f.Units[scheduler.Vehicle], f.Units[scheduler.Foot])
	if full {
		fmt.Fprintf(b, "    crew: {vehicle: %d, foot: %d}\n", f.Crew[scheduler.Vehicle], f.Crew[scheduler.Foot])
		var caps []string
		for c, n := range f.Capabilities {
			caps = append(caps, fmt.Sprintf("%s: %d", c, n))
		}
		sort.Strings(caps)
		fmt.Fprintf(b, "    capabilities: {%s}\n", strings.Join(caps, ", "))
	}
	fmt.Fprintf(b, "    officers: %d\n", f.Officers)
	if full {
		fmt.Fprintf(b, "    post_block_minutes: %d\n", f.PostBlockMinutes)
		fmt.Fprintf(b, "    release_before_minutes: %d\n", f.ReleaseBeforeMinutes)
		fmt.Fprintf(b, "    h3_resolution: %d\n", f.H3Resolution)
		fmt.Fprintf(b, "    speeds_kmh: {vehicle: %g, foot: %g}\n", f.SpeedsKmh[scheduler.Vehicle], f.SpeedsKmh[scheduler.Foot])
		fmt.Fprintf(b, "    circuity: %g\n", f.Circuity)
	}
}
