package scheduler_test

import (
	"encoding/json"
	"os"
	"testing"
)

func TestZZDump(t *testing.T) {
	in := wfoInputs(t)
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/wfo_inputs.json", b, 0o644)
}
