package results

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// MergeRaw combines the results of shards that ran at the same time, each
// offering its share of one load (oranbench run --shard i/N), into the raw
// figures of the whole load: counters and rates add up, histograms merge
// without loss (per repetition and per arm), repetitions, sweep points and
// notes are joined. It derives nothing: Ratios, Stats and Claims are left
// empty, and each scenario's and point's Thresholds are the first shard's
// as it evaluated them, carrying the criteria that analysis.MergeShards
// evaluates again on the merged figures.
//
// Every input must be a shard of the same N, all N must be there once, and
// all must have run the same scenarios with the same arms.
func MergeRaw(shards []*Results) (*Results, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("merge: no results given")
	}
	if err := checkShards(shards); err != nil {
		return nil, err
	}
	first := shards[0]
	out := &Results{
		SchemaVersion: SchemaVersion,
		Tool:          first.Tool,
		StartedAt:     first.StartedAt,
		FinishedAt:    first.FinishedAt,
		Machine:       first.Machine,
		Quick:         first.Quick,
		Leakcheck:     first.Leakcheck,
	}
	for _, r := range shards {
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		if r.FinishedAt.After(out.FinishedAt) {
			out.FinishedAt = r.FinishedAt
		}
		out.Interrupted = out.Interrupted || r.Interrupted
		out.MergedFrom = append(out.MergedFrom, *r.Shard)
	}
	sort.Slice(out.MergedFrom, func(i, j int) bool { return out.MergedFrom[i].Index < out.MergedFrom[j].Index })
	for si := range first.Scenarios {
		parts := make([]Scenario, len(shards))
		for k, r := range shards {
			parts[k] = r.Scenarios[si]
		}
		s, err := mergeScenario(parts)
		if err != nil {
			return nil, err
		}
		out.Scenarios = append(out.Scenarios, s)
	}
	return out, nil
}

func checkShards(shards []*Results) error {
	n := 0
	seen := map[int]bool{}
	for k, r := range shards {
		if r.Shard == nil {
			return fmt.Errorf("merge: input %d is not a shard (run it with --shard i/N)", k+1)
		}
		if n == 0 {
			n = r.Shard.Count
		}
		if r.Shard.Count != n {
			return fmt.Errorf("merge: shard %s and shard %s belong to runs of different sizes", shards[0].Shard, r.Shard)
		}
		if seen[r.Shard.Index] {
			return fmt.Errorf("merge: shard %s given twice", r.Shard)
		}
		seen[r.Shard.Index] = true
	}
	var missing []string
	for i := range n {
		if !seen[i] {
			missing = append(missing, Shard{Index: i, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("merge: shard(s) %s missing; merge all %d shards of the run", strings.Join(missing, ", "), n)
	}
	base := shards[0]
	for _, r := range shards[1:] {
		if len(r.Scenarios) != len(base.Scenarios) {
			return fmt.Errorf("merge: shard %s ran %d scenarios, shard %s ran %d", base.Shard, len(base.Scenarios), r.Shard, len(r.Scenarios))
		}
		for i, s := range r.Scenarios {
			b := base.Scenarios[i]
			if s.Name != b.Name {
				return fmt.Errorf("merge: scenario %d is %q in shard %s but %q in shard %s", i+1, b.Name, base.Shard, s.Name, r.Shard)
			}
			if s.Failed() || b.Failed() {
				// A scenario that failed in one shard fails in the merge.
				continue
			}
			if armNames(s) != armNames(b) {
				return fmt.Errorf("merge: scenario %s: arms %s in shard %s but %s in shard %s", s.Name, armNames(b), base.Shard, armNames(s), r.Shard)
			}
			if (s.Sweep == nil) != (b.Sweep == nil) || (s.Sweep != nil && len(s.Sweep.Points) != len(b.Sweep.Points)) {
				return fmt.Errorf("merge: scenario %s: shards %s and %s completed different sweep points", s.Name, base.Shard, r.Shard)
			}
		}
	}
	return nil
}

func armNames(s Scenario) string {
	var names []string
	for _, a := range s.Arms {
		names = append(names, a.Name)
	}
	if s.Sweep != nil && len(s.Sweep.Points) > 0 {
		return armNames(s.Sweep.Points[0].Result)
	}
	return strings.Join(names, ",")
}

func mergeScenario(parts []Scenario) (Scenario, error) {
	b := parts[0]
	for k, p := range parts {
		if p.Failed() {
			return Scenario{Name: b.Name, Description: b.Description, Origin: b.Origin, Error: fmt.Sprintf("input %d: %s", k+1, p.Error)}, nil
		}
	}
	n := len(parts)
	out := Scenario{Name: b.Name, Description: b.Description, Origin: b.Origin, Conditions: b.Conditions, Setup: b.Setup, Thresholds: b.Thresholds, ClaimArms: b.ClaimArms}
	out.Conditions.Concurrency, out.Conditions.RatePerSec = 0, 0
	for _, p := range parts {
		out.Fixtures = AddFixtures(out.Fixtures, p.Fixtures)
		out.Conditions.Concurrency += p.Conditions.Concurrency
		out.Conditions.RatePerSec += p.Conditions.RatePerSec
		// Each shard's generator has its own ceiling; together they offer
		// the sum.
		out.GeneratorCeiling += p.GeneratorCeiling
	}
	if b.Conditions.Shape != "" {
		out.Conditions.Shape = fmt.Sprintf("%d shards, each %s", n, b.Conditions.Shape)
	}
	if b.Soak != nil {
		// Each shard sampled its own process: its phases stay its own.
		sk := *b.Soak
		sk.Phases = nil
		for k, p := range parts {
			if p.Soak == nil {
				continue
			}
			sk.Partial = sk.Partial || p.Soak.Partial
			for _, ph := range p.Soak.Phases {
				ph.Name = fmt.Sprintf("shard %d: %s", k, ph.Name)
				sk.Phases = append(sk.Phases, ph)
			}
		}
		sk.Layout += fmt.Sprintf(" Merged from %d shards, each a process of its own: a phase's series are its shard's.", n)
		out.Soak = &sk
		out.Notes = mergeNotes(parts, n)
		return out, nil
	}
	if b.Sweep != nil {
		out.Sweep = &Sweep{Params: b.Sweep.Params}
		for pi := range b.Sweep.Points {
			sub := make([]Scenario, n)
			values := make([][]string, n)
			for k, p := range parts {
				sub[k] = p.Sweep.Points[pi].Result
				values[k] = p.Sweep.Points[pi].Values
			}
			r, err := mergeScenario(sub)
			if err != nil {
				return out, err
			}
			out.Sweep.Points = append(out.Sweep.Points, SweepPoint{Values: mergeSweepValues(b.Sweep.Params, values), Result: r})
		}
		out.Notes = mergeNotes(parts, n)
		return out, nil
	}
	for ai, ba := range b.Arms {
		arms := make([]Arm, n)
		for k, p := range parts {
			arms[k] = p.Arms[ai]
		}
		a, err := mergeArm(ba, arms)
		if err != nil {
			return out, fmt.Errorf("merge: scenario %s: %w", b.Name, err)
		}
		out.Arms = append(out.Arms, a)
	}
	out.Notes = mergeNotes(parts, n)
	return out, nil
}

// mergeSweepValues adds up the shards' shares of swept concurrency and
// rate; other parameters are the same in every shard.
func mergeSweepValues(params []string, values [][]string) []string {
	out := append([]string(nil), values[0]...)
	for i, p := range params {
		if (p != "concurrency" && p != "rate") || i >= len(out) {
			continue
		}
		sum, suffix, ok := 0.0, "", true
		for _, v := range values {
			if i >= len(v) {
				ok = false
				break
			}
			num := strings.TrimSuffix(v[i], "/s")
			if num != v[i] {
				suffix = "/s"
			}
			x, err := strconv.ParseFloat(num, 64)
			if err != nil {
				ok = false
				break
			}
			sum += x
		}
		if ok {
			out[i] = strconv.FormatFloat(sum, 'g', -1, 64) + suffix
		}
	}
	return out
}

func mergeNotes(parts []Scenario, n int) []string {
	notes := []string{fmt.Sprintf("Merged from %d shards that ran at the same time: counts and rates are sums over the shards; percentiles come from their merged histograms.", n)}
	if pools := PoolsText(parts); pools != "" {
		notes = append(notes, pools)
	}
	for _, p := range parts {
		for _, note := range p.Notes {
			if !strings.HasPrefix(note, "Merged from") && !strings.HasPrefix(note, "Client pools:") && !slices.Contains(notes, note) {
				notes = append(notes, note)
			}
		}
	}
	return notes
}

// mergeArm merges one arm's shards, repetition by repetition.
func mergeArm(b Arm, arms []Arm) (Arm, error) {
	out := Arm{Name: b.Name, Profile: b.Profile, Description: b.Description, Settings: b.Settings}
	for _, r := range b.Reps {
		reps := []Rep{r}
		for _, a := range arms[1:] {
			for _, o := range a.Reps {
				if o.Index == r.Index {
					reps = append(reps, o)
				}
			}
		}
		if len(reps) != len(arms) {
			continue // a shard was interrupted before this repetition
		}
		m, err := mergeReps(reps)
		if err != nil {
			return out, fmt.Errorf("arm %s: rep %d: %w", b.Name, r.Index+1, err)
		}
		out.Reps = append(out.Reps, m)
	}
	var err error
	var service, response *hdrhistogram.Histogram
	if service, out.ServiceHDR, err = mergeHDRs(arms, func(a Arm) string { return a.ServiceHDR }); err != nil {
		return out, fmt.Errorf("arm %s: %w", b.Name, err)
	}
	if response, out.ResponseHDR, err = mergeHDRs(arms, func(a Arm) string { return a.ResponseHDR }); err != nil {
		return out, fmt.Errorf("arm %s: %w", b.Name, err)
	}
	out.Total = ArmTotal(out.Reps, service, response)
	return out, nil
}

// mergeHDRs merges the encoded histograms get picks from each item; all
// empty gives nil and "".
func mergeHDRs[T any](items []T, get func(T) string) (*hdrhistogram.Histogram, string, error) {
	var h *hdrhistogram.Histogram
	for _, it := range items {
		enc := get(it)
		if enc == "" {
			continue
		}
		d, err := DecodeHDR(enc)
		if err != nil {
			return nil, "", err
		}
		if h == nil {
			h = d
			continue
		}
		if dropped := h.Merge(d); dropped > 0 {
			return nil, "", fmt.Errorf("merging histograms dropped %d values out of range", dropped)
		}
	}
	if h == nil {
		return nil, "", nil
	}
	enc, err := EncodeHDR(h)
	return h, enc, err
}

// mergeReps merges the shards' runs of one repetition, which ran at the
// same time: rates add up, the wall time is the longest.
func mergeReps(reps []Rep) (Rep, error) {
	out := Rep{Index: reps[0].Index, Position: reps[0].Position}
	sums := make([]Summary, len(reps))
	for i, r := range reps {
		sums[i] = r.Summary
	}
	out.Summary = AddCounts(sums)
	for _, r := range reps {
		out.ReqPerSec += r.ReqPerSec
		out.SuccessPerSec += r.SuccessPerSec
		out.Wall = max(out.Wall, r.Wall)
		out.CPUPct = max(out.CPUPct, r.CPUPct)
	}
	service, enc, err := mergeHDRs(reps, func(r Rep) string { return r.ServiceHDR })
	if err != nil {
		return out, err
	}
	out.ServiceHDR = enc
	response, enc, err := mergeHDRs(reps, func(r Rep) string { return r.ResponseHDR })
	if err != nil {
		return out, err
	}
	out.ResponseHDR = enc
	if service != nil && service.TotalCount() == out.Requests {
		out.Latency = HDRPercentiles(service)
	} else {
		// Histograms missing (older files): the worst shard's percentiles
		// bound the merged ones from above.
		out.Latency = maxPercentiles(sums, func(s Summary) *Percentiles { return &s.Latency })
	}
	if response != nil && response.TotalCount() > 0 {
		p := HDRPercentiles(response)
		out.Response = &p
	} else if r := maxPercentiles(sums, func(s Summary) *Percentiles { return s.Response }); r != (Percentiles{}) {
		out.Response = &r
	}
	if l := maxPercentiles(sums, func(s Summary) *Percentiles { return s.Lag }); l != (Percentiles{}) {
		out.Lag = &l
	}
	out.Open = mergeOpen(reps)
	out.Search = mergeSearch(reps)
	out.Series = mergeSeries(reps)
	return out, nil
}

// AddCounts sums what adds up across summaries (requests, codes, errors,
// bytes, connections) and recomputes the percentages and means from the
// sums. Rates, wall time and percentiles are left to the caller. The server's
// counts are kept only when every summary has them.
func AddCounts(sums []Summary) Summary {
	t := Summary{Codes: map[string]int64{}, Errors: map[string]int64{}}
	var waitSum, ttfbSum time.Duration
	var waitN, timeWait int64
	var waits *hdrhistogram.Histogram
	timeWaitKnown := len(sums) > 0
	t.Server.Known = len(sums) > 0
	for _, s := range sums {
		t.Requests += s.Requests
		t.Successes += s.Successes
		t.BytesIn += s.BytesIn
		t.BytesOut += s.BytesOut
		t.OtherErrors += s.OtherErrors
		t.Cancelled += s.Cancelled
		t.Interrupted = t.Interrupted || s.Interrupted
		for k, v := range s.Codes {
			t.Codes[k] += v
		}
		for k, v := range s.Errors {
			t.Errors[k] += v
		}
		c := &t.Client
		c.Dials += s.Client.Dials
		c.DialErrors += s.Client.DialErrors
		c.Reused += s.Client.Reused
		c.New += s.Client.New
		c.WasIdle += s.Client.WasIdle
		c.TLSHandshakes += s.Client.TLSHandshakes
		c.TLSResumed += s.Client.TLSResumed
		c.TLSErrors += s.Client.TLSErrors
		c.IdleReturned += s.Client.IdleReturned
		c.IdleRejected += s.Client.IdleRejected
		c.ConnWaitMax = max(c.ConnWaitMax, s.Client.ConnWaitMax)
		c.ConnWaitP99 = max(c.ConnWaitP99, s.Client.ConnWaitP99)
		if h, err := DecodeHDR(s.Client.ConnWaitHDR); s.Client.ConnWaitHDR != "" && err == nil {
			if waits == nil {
				waits = h
			} else {
				waits.Merge(h)
			}
		}
		c.Protocols = addCountMaps(c.Protocols, s.Client.Protocols)
		if s.Client.TLS != nil {
			c.TLS = s.Client.TLS
		}
		if s.Client.TimeWait != nil {
			timeWait += *s.Client.TimeWait
		} else {
			timeWaitKnown = false
		}
		n := s.Client.Reused + s.Client.New
		waitSum += s.Client.ConnWaitMean * time.Duration(n)
		ttfbSum += s.Client.TTFBMean * time.Duration(n)
		waitN += n
		t.Server.Known = t.Server.Known && s.Server.Known
		t.Server.Accepted += s.Server.Accepted
		t.Server.TLSHandshakes += s.Server.TLSHandshakes
		t.Server.TLSResumed += s.Server.TLSResumed
		t.Server.Requests += s.Server.Requests
		t.Server.Protocols = addCountMaps(t.Server.Protocols, s.Server.Protocols)
		t.Server.ConnsPeak = max(t.Server.ConnsPeak, s.Server.ConnsPeak)
		t.Server.InflightRejectedReadOnly += s.Server.InflightRejectedReadOnly
		t.Server.InflightRejectedMutating += s.Server.InflightRejectedMutating
	}
	if waits != nil && waits.TotalCount() > 0 {
		// The merged distribution replaces the worst part's p99.
		t.Client.ConnWaitP99 = time.Duration(waits.ValueAtQuantile(99)) * time.Microsecond
		t.Client.ConnWaitHDR, _ = EncodeHDR(waits)
	}
	if timeWaitKnown {
		t.Client.TimeWait = &timeWait
	}
	if !t.Server.Known {
		t.Server = ServerConns{}
	}
	if len(t.Errors) == 0 {
		t.Errors = map[string]int64{}
	}
	if t.Requests > 0 {
		t.SuccessPct = 100 * float64(t.Successes) / float64(t.Requests)
	}
	if n := t.Client.Reused + t.Client.New; n > 0 {
		t.Client.ReusePct = 100 * float64(t.Client.Reused) / float64(n)
	}
	if waitN > 0 {
		t.Client.ConnWaitMean = waitSum / time.Duration(waitN)
		t.Client.TTFBMean = ttfbSum / time.Duration(waitN)
	}
	return t
}

// addCountMaps adds b's counts into a (made when nil) and returns it.
func addCountMaps(a, b map[string]int64) map[string]int64 {
	for k, n := range b {
		if a == nil {
			a = make(map[string]int64, len(b))
		}
		a[k] += n
	}
	return a
}

// ArmTotal folds an arm's repetitions into its total: counts add up (see
// AddCounts), percentiles come from the merged service and response
// histograms, rates are the median of the repetitions (a rate is per
// repetition; summing would double it) and the wall times add up. Without a
// merged lag histogram the lag is the worst repetition's.
func ArmTotal(reps []Rep, service, response *hdrhistogram.Histogram) Summary {
	sums := make([]Summary, len(reps))
	var rates, succ, cpus []float64
	for i, r := range reps {
		sums[i] = r.Summary
		rates = append(rates, r.ReqPerSec)
		succ = append(succ, r.SuccessPerSec)
		cpus = append(cpus, r.CPUPct)
	}
	t := AddCounts(sums)
	for _, r := range reps {
		t.Wall += r.Wall
	}
	t.ReqPerSec, t.SuccessPerSec, t.CPUPct = Median(rates), Median(succ), Median(cpus)
	if service != nil {
		t.Latency = HDRPercentiles(service)
	}
	if response != nil && response.TotalCount() > 0 {
		p := HDRPercentiles(response)
		t.Response = &p
		if l := maxPercentiles(sums, func(s Summary) *Percentiles { return s.Lag }); l != (Percentiles{}) {
			t.Lag = &l
		}
	}
	loads := make([]*OpenLoad, len(reps))
	for i, r := range reps {
		loads[i] = r.Open
	}
	t.Open = CombineOpenLoads(loads, false)
	return t
}

func maxPercentiles(sums []Summary, get func(Summary) *Percentiles) Percentiles {
	var out Percentiles
	var meanSum float64
	var n int64
	for _, s := range sums {
		p := get(s)
		if p == nil {
			continue
		}
		out.P50, out.P90, out.P95 = max(out.P50, p.P50), max(out.P90, p.P90), max(out.P95, p.P95)
		out.P99, out.P999, out.Max = max(out.P99, p.P99), max(out.P999, p.P999), max(out.Max, p.Max)
		meanSum += float64(p.Mean) * float64(s.Requests)
		n += s.Requests
	}
	if n > 0 {
		out.Mean = time.Duration(meanSum / float64(n))
	}
	return out
}

func mergeOpen(reps []Rep) *OpenLoad {
	loads := make([]*OpenLoad, len(reps))
	for i, r := range reps {
		loads[i] = r.Open
	}
	return CombineOpenLoads(loads, true)
}

// CombineOpenLoads folds the open-model accounting of several runs into one:
// hit counts add up, the slowest lag counts, the generator was saturated
// when any run was (each reason kept once). Runs side by side (concurrent:
// shards) add their rates; runs one after another (repetitions) average
// them. Nil entries are skipped; the result is nil when all are.
func CombineOpenLoads(loads []*OpenLoad, concurrent bool) *OpenLoad {
	var out *OpenLoad
	n := 0
	for _, o := range loads {
		if o == nil {
			continue
		}
		n++
		if out == nil {
			out = &OpenLoad{Shape: o.Shape, LateAfter: o.LateAfter}
		}
		out.RequestedRate += o.RequestedRate
		out.AchievedRate += o.AchievedRate
		out.RequestedHits += o.RequestedHits
		out.SentHits += o.SentHits
		out.LateHits += o.LateHits
		out.LagP99 = max(out.LagP99, o.LagP99)
		if o.Saturated {
			out.Saturated = true
			if !strings.Contains(out.Reason, o.Reason) {
				out.Reason = strings.TrimPrefix(out.Reason+"; "+o.Reason, "; ")
			}
		}
	}
	if out == nil {
		return nil
	}
	if !concurrent {
		out.RequestedRate /= float64(n)
		out.AchievedRate /= float64(n)
	}
	if out.RequestedHits > 0 {
		out.AchievedPct = min(100, 100*float64(out.SentHits)/float64(out.RequestedHits))
	}
	return out
}

// mergeSearch adds up the rates each shard sustained; the probes listed are
// the first shard's.
func mergeSearch(reps []Rep) *SearchRun {
	if reps[0].Search == nil {
		return nil
	}
	out := *reps[0].Search
	out.MaxRate = 0
	for _, r := range reps {
		if r.Search == nil {
			continue
		}
		out.MaxRate += r.Search.MaxRate
		out.Capped = out.Capped || r.Search.Capped
		out.Floor = out.Floor || r.Search.Floor
	}
	return &out
}

// mergeSeries adds the shards' timelines interval by interval. Requests and
// errors add up exactly; p50 is the request-weighted mean of the shards'
// and p99 and max the largest: close enough for a plot.
func mergeSeries(reps []Rep) []Interval {
	var out []Interval
	p50w := []float64{}
	for _, r := range reps {
		for i, iv := range r.Series {
			for len(out) <= i {
				out = append(out, Interval{Start: iv.Start, Step: iv.Step})
				p50w = append(p50w, 0)
			}
			o := &out[i]
			o.Requests += iv.Requests
			o.Errors += iv.Errors
			o.P99, o.Max = max(o.P99, iv.P99), max(o.Max, iv.Max)
			p50w[i] += float64(iv.P50) * float64(iv.Requests)
		}
	}
	for i := range out {
		if out[i].Requests > 0 {
			out[i].P50 = time.Duration(p50w[i] / float64(out[i].Requests))
		}
	}
	return out
}

// PoolsText says how many client pools a merged result measured and what
// each carried: every shard ran its own transport, so per-host pool limits
// (idle pool, MaxConnsPerHost) applied to each share, not to the whole load.
func PoolsText(parts []Scenario) string {
	var shares []string
	for _, p := range parts {
		c := p.Conditions
		switch {
		case c.Model == ModelClosed && c.Concurrency > 0:
			shares = append(shares, strconv.Itoa(c.Concurrency))
		case c.RatePerSec > 0:
			shares = append(shares, strconv.FormatFloat(c.RatePerSec, 'g', 4, 64)+"/s")
		}
	}
	if len(shares) == 0 {
		return ""
	}
	what := "concurrency"
	if parts[0].Conditions.Model != ModelClosed {
		what = "rate"
	}
	return fmt.Sprintf("Client pools: %d, one per shard, each carrying %s %s; per-host pool limits applied to each pool, so pool-sensitive figures can differ from one generator carrying the whole load (see deploy/README.md).",
		len(parts), what, strings.Join(shares, " + "))
}

// AddFixtures adds what one shard or sweep point created and cleaned up to
// a's counts (a nil a: a copy of b).
func AddFixtures(a, b *Fixtures) *Fixtures {
	if b == nil {
		return a
	}
	if a == nil {
		c := *b
		c.Unlabelled = append([]string(nil), b.Unlabelled...)
		return &c
	}
	a.Created += b.Created
	a.Deleted += b.Deleted
	a.Leftover += b.Leftover
	if a.Error == "" {
		a.Error = b.Error
	}
	return a
}
