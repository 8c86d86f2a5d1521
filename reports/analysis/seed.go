package analysis

import (
	"fmt"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// Seed is the claims of the seed's results document: what it says the
// tuned transport factory buys, and the stability it promises. Each
// claim's text and figures are here; its rule is a function of the seed_*.go
// files over the general runs API (Runs, Run, Pair). The set is a Go literal
// rather than an embedded YAML or JSON file because each claim's figures are
// the arguments of its rule: a file could only name the rule as a string,
// checked at run time, while the compiler checks the literal.
var Seed = &Set{
	Name:        "Seed claims",
	About:       fmt.Sprintf("Each claim of the seed's results document, measured. Ratios are medians across repetitions with a distribution-free interval, which covers the spread between this run's interleaved repetitions (not between runs on different days or machines); `~` marks a difference that is not significant (Mann-Whitney U, α = %.2f).", Alpha),
	Roles:       DefaultRoles,
	BuiltinOnly: true,
	Claims: []Claim{
		{Text: "4x more req/s (conservative estimate)", Rule: ratioAtLeast(4), PoolBound: true},
		{Text: "10x more req/s (optimistic estimate)", Rule: ratioAtLeast(10), PoolBound: true},
		{Text: "6–8x real-world (network latency and backend processing included)", Rule: realWorldAtLeast(6), PoolBound: true},
		{Text: "50–100 req/s before → 200–500 req/s after", Rule: absoluteWithin(seedFactory.Scenario, 50, 100, 200, 500), PoolBound: true},
		{Text: "~100 ms TLS handshake saved per request", Rule: savingWithin(true, 100*time.Millisecond, 50*time.Millisecond, 200*time.Millisecond), PoolBound: true},
		{Text: "~10 ms connection overhead saved per request", Rule: savingWithin(false, 10*time.Millisecond, 5*time.Millisecond, 20*time.Millisecond), PoolBound: true},
		{Text: `"reused connection 10x faster" (~100 ms → ~10 ms)`, Rule: reuseFasterAtLeast(10), PoolBound: true},
		{Text: `"25x more connections per host (50 vs 2)": the default transport is limited to 2 connections`, Rule: idleCapNotActive(seedFactory.DefaultIdle), PoolBound: true},
		// The conditions production runs in: concurrency beyond the pool,
		// TLS sessions, connection waits, HTTP/2, and client-go's transport
		// as the baseline for Porch.
		{Text: "Up to 50 concurrent requests with no queuing (and above 50?)", Rule: RuleFunc(poolClaim), PoolBound: true},
		{Text: "Stress test with 1000 concurrent requests (the seed's plan): still 4x", Rule: stressAtLeast(1000, 4), PoolBound: true},
		{Text: "TLS session reuse (handshake only once)", Rule: RuleFunc(sessionClaim), PoolBound: true},
		{Text: "Connection wait (queue) ~50 ms → ~0 ms", Rule: connWaitNear(25*time.Millisecond, 100*time.Millisecond, time.Millisecond), PoolBound: true},
		{Text: "New connection ~110 ms (the same before and after)", Rule: newConnNear(110*time.Millisecond, 55*time.Millisecond, 220*time.Millisecond), PoolBound: true},
		{Text: "HTTP/2 where the backend offers it (not a claim of the seed: a consequence of its factory's code)", Rule: RuleFunc(http2Claim), PoolBound: true},
		{Text: "Against Porch, the operator's tuned factory beats client-go's transport, which every Kubernetes client already uses (not a claim of the seed)", Rule: RuleFunc(clientGoClaim), PoolBound: true},
		// The watcher's leak check (oranbench leakcheck).
		{Text: "goroutine leaks: 0", Rule: RuleFunc(noLeaks)},
		{Text: "watcher shutdown < 100 ms", Rule: shutdownUnder(100 * time.Millisecond)},
		// The soaks (oranbench soak).
		{Text: "memory growth 0 MB/hour", Rule: zeroGrowth(results.SoakHeap)},
		{Text: "goroutine leak rate 0/hour", Rule: zeroGrowth(results.SoakGoroutines)},
		{Text: "no memory leaks under sustained load", Rule: zeroGrowth(results.SoakHeap, results.SoakGoroutines, results.SoakFDs)},
		{Text: "24-hour stability", Rule: RuleFunc(stabilityClaim)},
	},
}

// seedFactory is what the seed's document states about the arms its claims
// compare, and the profiles of the fixes the rules look for.
var seedFactory = struct {
	// Scenario is the seed's own measurement, preferred where it ran.
	Scenario string
	// PoolSize is the tuned factory's MaxIdleConnsPerHost: the seed's "50
	// connections per host". DefaultIdle is net/http's default, 2.
	PoolSize, DefaultIdle int
	// Capped, Resume and H2 are tuned with MaxConnsPerHost = PoolSize, with
	// a TLS session cache, and with ForceAttemptHTTP2; ClientGo is
	// client-go's transport, the reference for Porch traffic.
	Capped, Resume, H2, ClientGo string
}{
	Scenario:    "seed-20-concurrent",
	PoolSize:    50,
	DefaultIdle: 2,
	Capped:      results.ProfileTunedCapped,
	Resume:      results.ProfileTunedResume,
	H2:          results.ProfileTunedH2,
	ClientGo:    results.ProfileClientGo,
}

// seedLeaks are the seed's figures for what its old client leaked, per
// soak series, in the series' unit per hour: a soak whose resolution is
// coarser than these could not have told them from 0.
var seedLeaks = map[string]float64{
	results.SoakRSS:        SeedMemoryLeakMBPerHour,
	results.SoakHeap:       SeedMemoryLeakMBPerHour,
	results.SoakGoroutines: SeedGoroutineLeakPerHour,
}

// Claims gives the verdict on every claim of the seed's results document
// from what r measured: Seed.Judge(r).
func Claims(r *results.Results) []results.Claim { return Seed.Judge(r) }
