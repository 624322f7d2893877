package scheduler

// travelMemo remembers the travel minutes between the missions of one dispatch group, by
// mode: the dispatch asks for the same pairs many times (every unit for every due visit,
// sectors, the pilot and the corrected run), and each answer is a great-circle distance
// with its trigonometry. Missions outside the group (kept visits of units a force change
// moved) are computed each time. Groups too large for a dense table are not memoised.
type travelMemo struct {
	f     func(mode Mode, a, b int) int
	slot  map[int]int32
	n     int
	table map[Mode][]int32 // n×n per mode, −1 where not yet computed
}

// maxMemoMissions bounds a memo's table to maxMemoMissions² entries per mode (9 MB).
const maxMemoMissions = 1500

// newTravelMemo returns a memo of f over the mission indices ids (duplicates allowed).
func newTravelMemo(f func(mode Mode, a, b int) int, ids []int) *travelMemo {
	m := &travelMemo{f: f, slot: make(map[int]int32, len(ids))}
	for _, id := range ids {
		if _, ok := m.slot[id]; !ok {
			m.slot[id] = int32(len(m.slot))
		}
	}
	m.n = len(m.slot)
	if m.n > maxMemoMissions {
		m.slot = nil
	}
	m.table = map[Mode][]int32{}
	return m
}

// minutes returns f(mode, a, b), computed once per pair and mode.
func (m *travelMemo) minutes(mode Mode, a, b int) int {
	if a == b {
		return 0
	}
	sa, ok1 := m.slot[a]
	sb, ok2 := m.slot[b]
	if !ok1 || !ok2 {
		return m.f(mode, a, b)
	}
	t := m.table[mode]
	if t == nil {
		t = make([]int32, m.n*m.n)
		for i := range t {
			t[i] = -1
		}
		m.table[mode] = t
	}
	k := int(sa)*m.n + int(sb)
	if v := t[k]; v >= 0 {
		return int(v)
	}
	v := m.f(mode, a, b)
	t[k] = int32(v)
	return v
}
