package web

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"vigil/scheduler/simulate"
)

// The form's defaults: a page waits for the run, so they are short (the bounds are
// simulate.PageLimits).
const (
	pageSimDays      = 14
	pageSimTrain     = 7
	pageSimIncidents = 50
)

// pageSimFloors is the frontier's floors by default: 14 days × 7 floors is the most the
// page plans (simulate.PageLimits).
const pageSimFloors = "0,1,2,3,4,5,6"

type simData struct {
	base
	Regions   []string
	Region    string
	From      string
	Days      int
	Train     int
	Vehicle   string
	Foot      string
	Threat    string
	Seed      string
	Incidents int
	Floors    string
	Error     string
	Summary   string
	Report    string
	Charts    []template.HTML
	// Frontier is set for a frontier run: Report then holds its table.
	Frontier bool
	// MaxFrontierDays is the most days × floors of the page's frontier.
	MaxFrontierDays int
}

// SimulatePage is GET /simulate: the scenario form.
func (p *Pages) SimulatePage(c echo.Context) error {
	d, err := p.simForm(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "simulate", d)
}

func (p *Pages) simForm(c echo.Context) (simData, error) {
	d := simData{base: p.base(c, "Simulate a scenario"), Days: pageSimDays, Train: pageSimTrain, Seed: simulate.DefaultSeed,
		Incidents: pageSimIncidents, Floors: pageSimFloors, MaxFrontierDays: simulate.PageLimits.MaxFrontierDays}
	rs, err := p.svc.Regions(c)
	if err != nil {
		return d, err
	}
	for _, r := range rs {
		d.Regions = append(d.Regions, r.ID)
	}
	slices.Sort(d.Regions)
	d.Region = "wfo"
	if !slices.Contains(d.Regions, d.Region) && len(d.Regions) > 0 {
		d.Region = d.Regions[0]
	}
	return d, nil
}

// SimulateRun is POST /simulate: it runs the scenario (bounded by simulate.PageLimits) on
// the region's current missions and force, and shows the report and charts; with the
// form's "frontier" button, the frontier over its floors instead. Simulations use their
// own seed, never the live key.
func (p *Pages) SimulateRun(c echo.Context) error {
	d, err := p.simForm(c)
	if err != nil {
		return err
	}
	d.Region, d.From, d.Vehicle, d.Foot = c.FormValue("region"), c.FormValue("from"), c.FormValue("vehicle"), c.FormValue("foot")
	d.Threat, d.Seed = c.FormValue("threat"), c.FormValue("seed")
	if f := strings.TrimSpace(c.FormValue("floors")); f != "" {
		d.Floors = f
	}
	d.Frontier = c.FormValue("frontier") != ""
	res, err := p.runSimulation(c, &d)
	if err != nil {
		var status int
		status, d.Error = p.status(c, err)
		return render(c, status, "simulate", d)
	}
	if err := simReport(&d, res); err != nil {
		return err
	}
	return render(c, http.StatusOK, "simulate", d)
}

// simReport fills d with res's report, summary and charts, as SVG to inline.
func simReport(d *simData, res *simulate.Result) error {
	var b bytes.Buffer
	var svgs [][]byte
	if d.Frontier {
		if err := simulate.WriteFrontierText(&b, res); err != nil {
			return err
		}
		svg, err := simulate.FrontierChart(res)
		if err != nil {
			return err
		}
		d.Summary, svgs = simulate.FrontierSummary(res), [][]byte{svg}
	} else {
		if err := simulate.WriteText(&b, res); err != nil {
			return err
		}
		charts, err := simulate.Charts(res)
		if err != nil {
			return err
		}
		d.Summary = simulate.Summary(res)
		for _, ch := range charts {
			svgs = append(svgs, ch.SVG)
		}
	}
	d.Report, d.From = b.String(), res.Scenario.From
	for _, svg := range svgs {
		if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
			svg = svg[i:] // drop the XML declaration to inline it
		}
		d.Charts = append(d.Charts, template.HTML(svg))
	}
	return nil
}

// runSimulation reads the form into a scenario draft and runs it.
func (p *Pages) runSimulation(c echo.Context, d *simData) (*simulate.Result, error) {
	var dr simulate.Draft
	var err error
	if dr.Days, err = formInt(c, "days", &d.Days); err != nil {
		return nil, err
	}
	if dr.Train, err = formInt(c, "train", &d.Train); err != nil {
		return nil, err
	}
	if dr.Incidents, err = formInt(c, "incidents", &d.Incidents); err != nil {
		return nil, err
	}
	dr.Seed = d.Seed
	units := strings.Join([]string{pair("vehicle", d.Vehicle), pair("foot", d.Foot)}, ",")
	if dr.Units, err = simulate.ParsePairs(units); err != nil {
		return nil, invalid("units: %v", err)
	}
	if dr.Threat, err = simulate.ParsePairs(d.Threat); err != nil {
		return nil, invalid("threat: %v; want mission=level, e.g. emb-france=5", err)
	}
	if d.Frontier {
		if dr.Frontier, err = simulate.ParseFloors(d.Floors); err != nil {
			return nil, invalid("floors: %v; want visits per max gap, e.g. %s", err, pageSimFloors)
		}
	}
	return p.svc.Simulate(c, d.Region, d.From, dr)
}

// formInt reads an optional whole number field; the form shows it in *shown. An empty
// field keeps the form's default.
func formInt(c echo.Context, name string, shown *int) (*int, error) {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		n := *shown
		return &n, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, invalid("%s %q: want a whole number", name, v)
	}
	*shown = n
	return &n, nil
}

// pair is "name=value" for a non-empty value.
func pair(name, v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return ""
	}
	return name + "=" + v
}
