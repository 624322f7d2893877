package geo

import ("testing"; "fmt")

func TestDebugPlan(t *testing.T) {
	for _, c := range []struct{ sites []Site; u int }{{dcSites(t), 30}, {randomSites(8, 300), 25}, {randomSites(9, 500), 40}} {
		o, _ := normalize(ZoneOptions{Units: c.u, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}})
		p := &partitioner{opt: o, sites: c.sites}
		p.cellsAndLoads()
		p.grains()
		idx := make([]int, len(p.grain))
		total := 0.0
		mx := 0.0
		for i, g := range p.grain { idx[i] = i; total += g.load; mx = max(mx, g.load) }
		best := p.bisect(idx, o.Units, nil, total/float64(o.Units))
		p.groups, p.units, p.regions = best.groups, best.units, best.regions
		p.connect()
		moved := 0
		for z, gs := range p.groups { for _, i := range gs { for _, s := range p.grain[i].sites { if p.owner[p.siteCell(s)] != z { moved++ } } } }
		t.Logf("grains %d mean %.0f maxgrain %.0f planned worst %.3f moved sites %d", len(p.grain), total/float64(o.Units), mx, best.worst, moved)
	}
}

func init() { debugf = func(f string, a ...any) { println(fmt.Sprintf(f, a...)) } }
