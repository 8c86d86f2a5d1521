package results_test

import (
	"encoding/base64"
	"testing"

	"github.com/oranbench/oranbench/reports/internal/synth"
	"github.com/oranbench/oranbench/reports/results"
)

func TestDecodeHDRAcceptsPlainAndDoubleBase64(t *testing.T) {
	h := synth.LatencyHist(100)
	plain, err := results.EncodeHDR(h)
	if err != nil {
		t.Fatal(err)
	}
	double := base64Std(plain)
	for name, s := range map[string]string{"plain": plain, "double": double} {
		d, err := results.DecodeHDR(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.TotalCount() != h.TotalCount() || d.Max() != h.Max() {
			t.Fatalf("%s: decoded %d values (max %d), want %d (max %d)", name, d.TotalCount(), d.Max(), h.TotalCount(), h.Max())
		}
	}
	if _, err := results.DecodeHDR("not a histogram"); err == nil {
		t.Fatal("garbage decoded without error")
	}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
