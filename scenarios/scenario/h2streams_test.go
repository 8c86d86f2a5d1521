package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/oranbench/oranbench/mockbackend"
	"github.com/oranbench/oranbench/targets/transport"
)

func TestH2MaxStreamsReachesTheMockAndTheConditions(t *testing.T) {
	cases := []struct {
		name        string
		backend     string
		wantMock    int // in the mock's Config (0: its default applies)
		wantReport  int // in the results' conditions
		wantErrPart []string
	}{
		{"HTTP/2 reports the mock's default of 100", "  tls: true\n  http2: true\n", 0, mockbackend.DefaultH2MaxStreams, nil},
		{"a set limit reaches the mock and the report", "  tls: true\n  http2: true\n  h2MaxStreams: 250\n", 250, 250, nil},
		{"HTTP/1.1 reports no stream limit", "  tls: true\n  h2MaxStreams: 250\n", 250, 0, nil},
		{"a negative limit is refused", "  tls: true\n  http2: true\n  h2MaxStreams: -1\n", 0, 0,
			[]string{"bad.yaml", "backend.h2MaxStreams", `"-1"`, "1 to 1048576"}},
		{"an external target has no such setting", "  target: https://127.0.0.1:8443\n  h2MaxStreams: 50\n", 0, 0,
			[]string{"bad.yaml", "backend.h2MaxStreams", "only the in-process mock"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(base, "  tls: true\n", tc.backend, 1)
			p, err := Parse("bad.yaml", []byte(doc), transport.NewRegistry())
			if tc.wantErrPart != nil {
				if err == nil {
					t.Fatal("want an error")
				}
				for _, part := range tc.wantErrPart {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q lacks %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mc, err := p.MockConfig()
			if err != nil || mc.H2MaxStreams != tc.wantMock {
				t.Fatalf("mock config h2 streams %d, %v; want %d", mc.H2MaxStreams, err, tc.wantMock)
			}
			if got := p.Conditions(time.Second, 0, 1).H2MaxStreams; got != tc.wantReport {
				t.Fatalf("conditions h2 streams %d, want %d", got, tc.wantReport)
			}
		})
	}
}
