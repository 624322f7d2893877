package scheduler

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// MasterKeySize is the size of the master key in bytes (64 hex digits).
const MasterKeySize = 32

// HKDF labels: each derived key has its own, so a leaked token key says nothing of plans.
const (
	planKeyLabel  = "vigil/v1/plan-key"
	tokenKeyLabel = "vigil/v1/token-key"
)

// ParseMasterKey parses a master key written as 64 hex digits (surrounding space allowed).
// The error never echoes the input: it may be a secret.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*MasterKeySize {
		return nil, fmt.Errorf("master key must be %d hex digits, got %d characters", 2*MasterKeySize, len(s))
	}
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("master key is not hexadecimal")
	}
	return k, nil
}

// PlanKey derives the plan key from the master key with HKDF-SHA256.
func PlanKey(master []byte) []byte { return derive(master, planKeyLabel) }

// TokenKey derives the token-signing key from the master key with HKDF-SHA256.
func TokenKey(master []byte) []byte { return derive(master, tokenKeyLabel) }

func derive(master []byte, label string) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, label, 32)
	if err != nil { // only for absurd lengths
		panic(err)
	}
	return k
}
