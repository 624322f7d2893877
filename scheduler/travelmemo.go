package scheduler

// travelMemo remembers the travel minutes between the missions of one dispatch group, by
// mode: the dispatch asks for the same pairs many times (every unit for every due visit,
// sectors, the pilot and the corrected run), and each answer is a great-circle distance
// with its trigonometry. Missions outside the group (kept visits of units a force change
// moved) are computed each time. Groups too large for a dense table are not memoised.
type travelMemo struct {
	f     func(mode Mode, a, b int) int
	slot  []int32 // by mission index: its row in the table, −1 outside the group
	n     int
	table map[Mode][]int32 // n×n per mode, −1 where not yet computed
}

// maxMemoMissions bounds a memo's table to maxMemoMissions² entries per mode (9 MB).
const maxMemoMissions = 1500

// newTravelMemo returns a memo of f over the mission indices ids (duplicates allowed).
func newTravelMemo(f func(mode Mode, a, b int) int, ids []int) *travelMemo {
	hi := -1
	for _, id := range ids {
		hi = max(hi, id)
	}
	m := &travelMemo{f: f, slot: make([]int32, hi+1)}
	for i := range m.slot {
		m.slot[i] = -1
	}
	for _, id := range ids {
		if m.slot[id] < 0 {
			m.slot[id] = int32(m.n)
			m.n++
		}
	}
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
	if a < 0 || b < 0 || a >= len(m.slot) || b >= len(m.slot) || m.slot[a] < 0 || m.slot[b] < 0 {
		return m.f(mode, a, b)
	}
	sa, sb := m.slot[a], m.slot[b]
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
