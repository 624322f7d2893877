package scheduler

import (
	"os"
	"strconv"
)

func DebugDelay() [12]int { return debugDelay }

func init() {
	f := func(name string, p *float64) {
		if v := os.Getenv(name); v != "" {
			x, _ := strconv.ParseFloat(v, 64)
			*p = x
		}
	}
	f("PU", &planUtilisation)

	f("GFD", &gapFloorDivisor)
	f("FMV", &floorMinValue)
	f("LFF", &lowFloorFactor)
	f("CM", &capMultiple)
}
