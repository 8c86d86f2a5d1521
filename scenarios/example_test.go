package scenarios_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/oranbench/oranbench/scenarios"
	"github.com/oranbench/oranbench/targets/transport"
)

// Run a YAML scenario from Go against the embedded mock, with an arm built by
// a factory of your own: transport.FromFunc takes any func that returns an
// http.RoundTripper.
func Example() {
	var through atomic.Int64
	reg := transport.NewRegistry()
	err := reg.Register(transport.FromFunc("mine", "our operator's factory", func(tlsConf *tls.Config) http.RoundTripper {
		tr := transport.TunedProfile().NewTransport(tlsConf) // or your own factory
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			through.Add(1)
			return tr.RoundTrip(r)
		})
	}))
	if err != nil {
		panic(err)
	}
	s, err := scenarios.Parse("mine.yaml", []byte(`apiVersion: oranbench/v1
kind: Scenario
name: mine-vs-default
backend: {tls: true}
mix: [{route: a1.policy.get}]
load: {model: closed, concurrency: 4}
arms: [default, mine]
claims: {baseline: default, candidate: mine}
duration: 200ms
repetitions: 1
`), reg)
	if err != nil {
		panic(err)
	}
	res, err := scenarios.Run(context.Background(), s, scenarios.Options{})
	if err != nil {
		panic(err)
	}
	for _, a := range res.Arms {
		fmt.Printf("%s: measured %v\n", a.Name, a.Total.Successes > 0)
	}
	fmt.Println("requests went through mine:", through.Load() >= res.Arms[1].Total.Requests)
	// Output:
	// default: measured true
	// mine: measured true
	// requests went through mine: true
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
