package geo

import "testing"

func TestMain(m *testing.M) {
	c := m.Run()
	println("escapes", escapes, "phase1fail", phase1fail)
	if c != 0 { panic(c) }
}
