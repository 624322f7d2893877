package scheduler

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// Known-answer vectors for the key derivations (DESIGN.md §3, issue 19), for the master key
// 00 01 02 … 1f. They were computed once, outside Go, with python3's hmac and hashlib
// (HKDF-SHA256 of RFC 5869 written out; an empty salt is 32 zero bytes):
//
//	def hkdf(ikm, info, L=32):
//	    prk = hmac.new(b'\0'*32, ikm, hashlib.sha256).digest()
//	    t, okm, i = b'', b'', 1
//	    while len(okm) < L:
//	        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); okm += t; i += 1
//	    return okm[:L]
//	m = bytes(range(32))
//	hkdf(m, b'vigil/v1/plan-key').hex()    # kvPlanKey
//	hkdf(m, b'vigil/v1/token-key').hex()   # kvTokenKey
//	hmac.new(bytes.fromhex(kvPlanKey), b'wfo|2026-12-01|z-8a2a1072b59ffff|day|v1',
//	         hashlib.sha256).hexdigest()  # kvSeed
//
// A change to a label, the hash, the salt, the seed's fields or their separator changes
// every plan ever made (and every token): these constants must then change on purpose.
const (
	kvPlanKey  = "f7cfc6ba7145e840ac7ed0ade90e3e644d8e3398fecbd35a97fdde6c9cfab9ad"
	kvTokenKey = "919e6a1a7fba785b5ee2457266c34e17566fca64fe66bfd2f84bd7b243f1226f"
	kvSeed     = "beb349d247732ce660328a82457d7b081d73f8a465254f8003e384363261d0ee"
)

func kvMaster() []byte {
	m := make([]byte, MasterKeySize)
	for i := range m {
		m[i] = byte(i)
	}
	return m
}

func TestKeyDerivationVectors(t *testing.T) {
	m := kvMaster()
	if got := hex.EncodeToString(PlanKey(m)); got != kvPlanKey {
		t.Errorf("PlanKey(00…1f) = %s; want %s", got, kvPlanKey)
	}
	if got := hex.EncodeToString(TokenKey(m)); got != kvTokenKey {
		t.Errorf("TokenKey(00…1f) = %s; want %s", got, kvTokenKey)
	}
	parsed, err := ParseMasterKey(hex.EncodeToString(m))
	if err != nil || hex.EncodeToString(PlanKey(parsed)) != kvPlanKey {
		t.Errorf("PlanKey(ParseMasterKey(\"0001…1f\")) differs from the vector (err %v)", err)
	}
}

// TestNewRandVector checks that NewRand seeds ChaCha8 with HMAC-SHA256(plan key,
// "region|date|zone|shift|version"): its first draws equal those of ChaCha8 seeded with
// the python-computed kvSeed, and, with the same stdlib HMAC, not those of a seed of the
// fields in another order.
func TestNewRandVector(t *testing.T) {
	pk, _ := hex.DecodeString(kvPlanKey)
	seed, _ := hex.DecodeString(kvSeed)
	want := rand.New(rand.NewChaCha8([32]byte(seed)))
	got := NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "day", "v1")
	for i := 0; i < 4; i++ {
		if g, w := got.Uint64(), want.Uint64(); g != w {
			t.Fatalf("NewRand draw %d = %#x; want %#x (ChaCha8 of the vector seed)", i, g, w)
		}
	}
	mac := hmac.New(sha256.New, pk)
	mac.Write([]byte("wfo|2026-12-01|day|z-8a2a1072b59ffff|v1"))
	swapped := rand.New(rand.NewChaCha8([32]byte(mac.Sum(nil))))
	if NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "day", "v1").Uint64() == swapped.Uint64() {
		t.Errorf("NewRand ignores the order of zone and shift")
	}
	// Another date, zone, shift or version is another stream.
	base := NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "day", "v1").Uint64()
	for _, r := range []*rand.Rand{
		NewRand(pk, "wfo", Date{2026, 12, 2}, "z-8a2a1072b59ffff", "day", "v1"),
		NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b5bffff", "day", "v1"),
		NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "night", "v1"),
		NewRand(pk, "wfo", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "day", "v2"),
		NewRand(pk, "bos", Date{2026, 12, 1}, "z-8a2a1072b59ffff", "day", "v1"),
	} {
		if r.Uint64() == base {
			t.Errorf("two units of work share a random stream")
		}
	}
}
