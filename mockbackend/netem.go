package mockbackend

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// netem is the in-process Toxiproxy in front of the HTTP server.
type netem struct {
	proxy *toxiproxy.Proxy
	addr  string
}

// needsProxy reports whether c asks for network emulation.
func (c Config) needsProxy() bool {
	f := c.NetFaults
	return c.RTT > 0 || c.Bandwidth > 0 || f.ResetPeer.Rate > 0 || f.Timeout.Rate > 0 || f.SlowClose.Rate > 0
}

// toxic is the JSON Toxiproxy's AddToxicJson takes.
type toxic struct {
	Name       string           `json:"name"`
	Type       string           `json:"type"`
	Stream     string           `json:"stream"`
	Toxicity   float64          `json:"toxicity"`
	Attributes map[string]int64 `json:"attributes"`
}

func ms(d time.Duration) int64 { return int64(d.Round(time.Millisecond) / time.Millisecond) }

// toxics translates c into Toxiproxy toxics. RTT is split over the two
// directions (upstream gets the smaller half when the microsecond count is
// odd), and so is jitter, so a request/response exchange costs RTT ± Jitter.
func (c Config) toxics() []toxic {
	var out []toxic
	if c.RTT > 0 {
		rtt, jit := c.RTT.Microseconds(), c.Jitter.Microseconds()
		seed := int64(c.Seed)
		out = append(out,
			toxic{Name: "rtt_up", Type: rttToxicType, Stream: "upstream", Toxicity: 1, Attributes: map[string]int64{"latency_us": rtt / 2, "jitter_us": jit / 2, "seed": seed}},
			toxic{Name: "rtt_down", Type: rttToxicType, Stream: "downstream", Toxicity: 1, Attributes: map[string]int64{"latency_us": rtt - rtt/2, "jitter_us": jit - jit/2, "seed": seed + 1}},
		)
	}
	if c.Bandwidth > 0 {
		kbps := (int64(c.Bandwidth) + 999) / 1000 // Toxiproxy's unit is KB/s
		for _, st := range []string{"upstream", "downstream"} {
			out = append(out, toxic{Name: "bandwidth_" + st, Type: "bandwidth", Stream: st, Toxicity: 1, Attributes: map[string]int64{"rate": kbps}})
		}
	}
	f := c.NetFaults
	if f.ResetPeer.Rate > 0 {
		out = append(out, toxic{Name: "reset_peer", Type: "reset_peer", Stream: "upstream", Toxicity: f.ResetPeer.Rate, Attributes: map[string]int64{"timeout": ms(f.ResetPeer.After)}})
	}
	if f.Timeout.Rate > 0 {
		out = append(out, toxic{Name: "timeout", Type: "timeout", Stream: "upstream", Toxicity: f.Timeout.Rate, Attributes: map[string]int64{"timeout": ms(f.Timeout.After)}})
	}
	if f.SlowClose.Rate > 0 {
		out = append(out, toxic{Name: "slow_close", Type: "slow_close", Stream: "downstream", Toxicity: f.SlowClose.Rate, Attributes: map[string]int64{"delay": ms(f.SlowClose.After)}})
	}
	return out
}

// startNetem starts a Toxiproxy proxy on listen forwarding to upstream, with
// c's toxics. Its logs are discarded: the harness reports through Stats.
func startNetem(c Config, listen, upstream string) (*netem, error) {
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(api, "mockbackend", listen, upstream)
	if err := p.Start(); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", listen, err)
	}
	for _, t := range c.toxics() {
		b, _ := json.Marshal(t)
		if _, err := p.Toxics.AddToxicJson(strings.NewReader(string(b))); err != nil {
			p.Stop()
			return nil, fmt.Errorf("toxiproxy: add %s toxic: %w", t.Name, err)
		}
	}
	return &netem{proxy: p, addr: p.Listen}, nil
}

// stop closes the proxy's listener and every proxied connection.
func (n *netem) stop() { n.proxy.Stop() }
