package scenario

import (
	"reflect"
	"strings"
	"testing"

	"github.com/oranbench/oranbench/mockbackend"
)

// The backend section and the mock's config file spell a setting the same
// way: the same block of YAML configures both alike.
func TestTheBackendAndTheMocksConfigFileShareTheirSpelling(t *testing.T) {
	const faults = `{errorRates: {503: 0.01}, rateLimit: 0.02, retryAfter: 2s, closeMidResponse: 0.01, failFirst: 1}`
	const capacity = `{maxInFlight: 4, queueDepth: 8, queueTimeout: 50ms}`
	const netFaults = `{resetPeer: {rate: 0.01, after: 200ms}, slowClose: {rate: 0.1, after: 1s}}`
	p := mustParse(t, `apiVersion: oranbench/v1
kind: Scenario
name: spelling
backend:
  tls: true
  faults: `+faults+`
  capacity: `+capacity+`
  netFaults: `+netFaults+`
  maxStoreBytes: 1048576
  maxWatches: 10
  h2MaxStreams: 50
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 2}
arms: [default]
duration: 100ms
`)
	got, err := p.MockConfig()
	if err != nil {
		t.Fatal(err)
	}
	want, err := mockbackend.DecodeConfig([]byte(`tls: true
default:
  faults: `+faults+`
  capacity: `+capacity+`
netFaults: `+netFaults+`
maxStoreBytes: 1048576
maxWatches: 10
h2MaxStreams: 50
`), "mock.yaml", mockbackend.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the scenario's backend gave\n%+v\nthe mock's config file\n%+v", got, want)
	}
}

// The mock's verdict on a backend setting names the field as the scenario
// writes it, with its line and value (it printed `backend: "": rtt: ...`).
func TestAMockBoundNamesTheBackendFieldAndValue(t *testing.T) {
	for _, tc := range []struct{ backend, want string }{
		{"rtt: 2m", `x.yaml:5: backend.rtt: "2m0s": is out of range; valid: a duration from 0 to 1m0s`},
		{"faults: {retryAfter: 2h}", `x.yaml:5: backend.faults.retryAfter: "2h0m0s": is out of range`},
		{"maxWatches: 2000000", `x.yaml:5: backend.maxWatches: "2000000": is out of range; valid: 1 to 1000000`},
	} {
		_, err := Parse("x.yaml", []byte(`apiVersion: oranbench/v1
kind: Scenario
name: x
backend:
  `+tc.backend+`
mix: [{route: a1.types.list}]
load: {model: closed, concurrency: 2}
arms: [default]
duration: 100ms
`), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %s", tc.backend, err, tc.want)
		}
	}
}
