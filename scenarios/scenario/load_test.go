package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/targets/transport"
)

func TestTheSeedScenarioIsBuiltIn(t *testing.T) {
	s, err := Load("seed-20-concurrent", transport.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if s.spec.Load.Model != "closed" || s.spec.Load.Concurrency != 20 || !s.spec.Backend.TLSOn() {
		t.Fatalf("seed scenario: model %s, concurrency %d, tls %v", s.spec.Load.Model, s.spec.Load.Concurrency, s.spec.Backend.TLSOn())
	}
	if len(s.arms) < 2 || s.arms[0] != "default" || s.arms[1] != "tuned" {
		t.Fatalf("arms = %v, want default then tuned", s.arms)
	}
	if _, _, reps := s.Effective(true); reps < 3 {
		t.Fatalf("quick repetitions = %d, want >= 3", reps)
	}
}

func TestAnUnknownNameListsTheValidOnes(t *testing.T) {
	_, err := Load("no-such-scenario", nil)
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "seed-20-concurrent") {
		t.Fatalf("err = %v, want ErrUnknown listing seed-20-concurrent", err)
	}
}
