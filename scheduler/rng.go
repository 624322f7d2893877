package scheduler

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/rand/v2"
	"strings"
)

// NewRand returns the ChaCha8 generator of one planning unit of work (DESIGN.md §3): its
// seed is HMAC-SHA256(plan key, region | date | zone | shift | version). Callers pass the
// generator down; nothing in Vigil draws from the global source.
func NewRand(planKey []byte, region string, date Date, zone, shift, version string) *rand.Rand {
	mac := hmac.New(sha256.New, planKey)
	mac.Write([]byte(strings.Join([]string{region, date.String(), zone, shift, version}, "|")))
	var seed [32]byte
	copy(seed[:], mac.Sum(nil))
	return rand.New(rand.NewChaCha8(seed))
}
