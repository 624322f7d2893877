package geo

import "testing"

func TestDebugDC(t *testing.T) {
	sites := dcSites(t)
	opt := ZoneOptions{Units: 24, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}}
	o, _ := normalize(opt)
	p := &partitioner{opt: o, sites: sites}
	p.cellsAndLoads()
	p.grains()
	tot := 0.0
	for _, l := range p.load { tot += l }
	t.Logf("total %.0f mean/unit %.0f grains %d", tot, tot/24, len(p.grain))
	mx := 0.0
	for _, g := range p.grain { mx = max(mx, g.load) }
	t.Logf("max grain %.0f", mx)
	p.balance()
	for z, gs := range p.groups {
		l := 0.0
		for _, i := range gs { l += p.grain[i].load }
		t.Logf("zone %d units %d grains %d load/unit %.0f", z, p.units[z], len(gs), l/float64(p.units[z]))
	}
}

func TestDebugDC2(t *testing.T) {
	sites := dcSites(t)
	opt := ZoneOptions{Units: 24, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}}
	o, _ := normalize(opt)
	p := &partitioner{opt: o, sites: sites}
	p.cellsAndLoads()
	p.grains()
	p.balance()
	p.buildGraph()
	p.connect()
	moved := 0
	for z, gs := range p.groups {
		for _, i := range gs { if p.owner[p.grain[i].cell] != z { moved++ } }
	}
	t.Logf("moved grains %d", moved)
	for _, z := range p.zones() { t.Logf("%s %d %.0f %d", z.ID, z.Units, z.WorkloadMinutes, len(z.Sites)) }
}
