package analysis

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/oranbench/oranbench/reports/results"
)

// family is a kind of production condition the recommendation speaks for.
type family struct {
	name  string
	match func(results.Conditions) bool
}

// families are the condition families of the recommendation, in report
// order, for a tuned transport that keeps pool idle connections per host. A
// run belongs to the first family it matches. HTTP/1.1 runs without RTT
// split at the pool, where tuned starts to churn; with pool 0 (unknown) they
// form one family.
func families(pool int) []family {
	h1 := func(c results.Conditions) bool {
		return c.Model == results.ModelClosed && !c.HTTP2 && c.RTT == 0 && c.Concurrency > 0
	}
	fs := []family{{name: "HTTP/1.1 backend, no RTT", match: h1}}
	if pool > 0 {
		fs = []family{
			{name: fmt.Sprintf("HTTP/1.1 backend, at most %d requests in flight (the pool), no RTT", pool), match: func(c results.Conditions) bool {
				return h1(c) && c.Concurrency <= pool
			}},
			{name: fmt.Sprintf("HTTP/1.1 backend, more than %d requests in flight, no RTT", pool), match: func(c results.Conditions) bool {
				return h1(c) && c.Concurrency > pool
			}},
		}
	}
	return append(fs,
		family{name: "HTTP/2 backend (TLS)", match: func(c results.Conditions) bool { return c.HTTP2 && c.TLS }},
		family{name: "emulated network round trip (RTT > 0)", match: func(c results.Conditions) bool { return c.RTT > 0 }},
	)
}

// ObservedConditions are a run's conditions with HTTP/2 and TLS as its
// arms saw them rather than as configured (an external backend's are not
// configured at all): HTTP/2 on when any arm's responses came on HTTP/2.0,
// so the backend offers it, off when responses were counted and none did;
// TLS on when any arm recorded a handshake. Results that counted no
// protocol keep the configured values.
func ObservedConditions(s results.Scenario) results.Conditions {
	c := s.Conditions
	counted, h2, tls := false, false, false
	for _, a := range s.Arms {
		for p, n := range a.Total.Client.Protocols {
			counted = counted || n > 0
			h2 = h2 || (n > 0 && p == results.ProtoHTTP2)
		}
		tls = tls || a.Total.Client.TLS != nil
	}
	if counted {
		c.HTTP2 = h2
	}
	c.TLS = c.TLS || tls
	return c
}

// tunedSettingsOf returns the settings of the first arm of rs built from
// the tuned profile that records them; nil when none does.
func tunedSettingsOf(rs []Run) map[string]string {
	for _, u := range rs {
		for _, a := range u.Scenario.Arms {
			if a.Profile == results.ProfileTuned && a.Settings != nil {
				return a.Settings
			}
		}
	}
	return nil
}

// poolSize is the idle connections per host a transport's recorded settings
// keep: MaxIdleConnsPerHost, where 0 means net/http's default of 2; 0 when
// the settings do not record it.
func poolSize(settings map[string]string) int {
	n, err := strconv.Atoi(settings["MaxIdleConnsPerHost"])
	switch {
	case err != nil || n < 0:
		return 0
	case n == 0:
		return http.DefaultMaxIdleConnsPerHost
	}
	return n
}

// armOutcome is how one arm did in one run against the run's best arm.
type armOutcome struct {
	arm *results.Arm
	// value is the arm's median of the run's metric.
	value float64
	// best: this is the best arm; tied: not significantly different from it.
	best, tied bool
}

// runOutcome ranks the arms of one run on the metric that decides it:
// req/s for closed loops and storms, the sustained rate for searches, p50 at
// the same offered load for open models. Reference arms (client-go's) are
// not ranked: they are not changes to tuned; margins compare with them.
type runOutcome struct {
	Run
	metric      string
	lowerBetter bool
	arms        []armOutcome
}

func outcome(u Run) (runOutcome, bool) {
	o := runOutcome{Run: u, metric: u.Scenario.Conditions.Model.DecidingMetric()}
	o.lowerBetter = results.IsLatencyMetric(o.metric)
	bestAt := -1
	for i := range u.Scenario.Arms {
		a := &u.Scenario.Arms[i]
		if a.Profile == results.ProfileClientGo {
			continue
		}
		xs := Samples(*a, o.metric)
		if len(xs) == 0 {
			continue
		}
		o.arms = append(o.arms, armOutcome{arm: a, value: results.Median(xs)})
		j := len(o.arms) - 1
		if bestAt < 0 || o.better(o.arms[j].value, o.arms[bestAt].value) {
			bestAt = j
		}
	}
	if len(o.arms) < 2 {
		return o, false
	}
	best := o.arms[bestAt].arm
	o.arms[bestAt].best = true
	for i := range o.arms {
		if i == bestAt {
			continue
		}
		if c, ok := CompareArms(*o.arms[i].arm, *best, o.metric); ok && !c.Significant {
			o.arms[i].tied = true
		}
	}
	return o, true
}

func (o runOutcome) better(a, b float64) bool {
	if o.lowerBetter {
		return a < b
	}
	return a > b
}

func (o runOutcome) find(name string) *armOutcome {
	for i := range o.arms {
		if o.arms[i].arm.Name == name {
			return &o.arms[i]
		}
	}
	return nil
}

func (o runOutcome) metricName() string {
	switch o.metric {
	case results.MetricP50:
		return "p50 at the same offered load"
	case results.MetricMaxRate:
		return "sustained rate"
	}
	return "req/s"
}

// settingsDiff lists the settings in which a differs from ref, in a fixed
// order, e.g. ["MaxConnsPerHost 50"].
func settingsDiff(a, ref map[string]string) []string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		if a[k] != ref[k] {
			out = append(out, k+" "+a[k])
		}
	}
	return out
}

// familyResult is the recommendation for one family.
type familyResult struct {
	family
	outcomes []runOutcome
	// winner is the arm (by name) that was best or tied in the largest share
	// of the runs it ran in, preferring the smallest change to tuned.
	winner string
	wins   map[string]int
	ran    map[string]int
}

func recommend(r *results.Results) ([]familyResult, map[string]string) {
	rs := RunsOf(r, DefaultRoles)
	tunedSettings := tunedSettingsOf(rs)
	fams := families(poolSize(tunedSettings))
	byFamily := make([]familyResult, len(fams))
	for i, f := range fams {
		byFamily[i] = familyResult{family: f, wins: map[string]int{}, ran: map[string]int{}}
	}
	settings := map[string]map[string]string{}
	for _, u := range rs {
		for _, a := range u.Scenario.Arms {
			if _, ok := settings[a.Name]; !ok && a.Settings != nil {
				settings[a.Name] = a.Settings
			}
		}
		o, ok := outcome(u)
		if !ok {
			continue
		}
		for i := range byFamily {
			if !byFamily[i].match(ObservedConditions(u.Scenario)) {
				continue
			}
			fr := &byFamily[i]
			fr.outcomes = append(fr.outcomes, o)
			for _, a := range o.arms {
				fr.ran[a.arm.Name]++
				if a.best || a.tied {
					fr.wins[a.arm.Name]++
				}
			}
			break
		}
	}
	for i := range byFamily {
		fr := &byFamily[i]
		var names []string
		for n := range fr.ran {
			names = append(names, n)
		}
		sort.Strings(names)
		share := func(n string) float64 { return float64(fr.wins[n]) / float64(fr.ran[n]) }
		diffs := func(n string) int { return len(settingsDiff(settings[n], tunedSettings)) }
		sort.SliceStable(names, func(a, b int) bool {
			x, y := names[a], names[b]
			if share(x) != share(y) {
				return share(x) > share(y)
			}
			if fr.wins[x] != fr.wins[y] {
				return fr.wins[x] > fr.wins[y]
			}
			return diffs(x) < diffs(y)
		})
		if len(names) > 0 {
			fr.winner = names[0]
		}
	}
	return byFamily, tunedSettings
}

// Recommendation is what the run's measurements recommend shipping: per
// family of conditions the arm that won and by how much, and the union of
// the winners' changes to tuned.
type Recommendation struct {
	// Families are in report order, each family whether or not a run
	// belongs to it. HTTP/1.1 runs without RTT split at the pool that the
	// run's tuned arm recorded (its MaxIdleConnsPerHost), into runs within
	// it and above it; one family when no tuned arm recorded it.
	Families []Family
	// Changes are the winners' settings that differ from tuned's, each once,
	// in the order the families first want them.
	Changes []Change
	// Conflicts names the settings Changes gives different values.
	Conflicts []string
	// Combination is the arm of this run whose settings are tuned's with
	// exactly Changes; "" when no arm had them all, or nothing changes.
	Combination string
	// InlineConfig writes Changes as a scenario arm's config mapping, for an
	// arm that measures the combination.
	InlineConfig string
}

// Family is the recommendation for one family of conditions.
type Family struct {
	// Name describes the conditions, e.g. "HTTP/2 backend (TLS)".
	Name string
	// Runs are the labels of the runs (scenarios or sweep points) of the
	// family; none when nothing was measured under its conditions.
	Runs []string
	// Winner is the arm (by name) that was best or tied in the largest share
	// of the runs it ran in, preferring the smallest change to tuned. Arms of
	// results.ProfileClientGo are references, not changes to tuned: they are neither
	// ranked nor counted, and Margins say how Winner did against them. Wins
	// and Ran count, per arm, the runs it won and the runs it took part in.
	Winner    string
	Wins, Ran map[string]int
	// Margins say by how much Winner beat tuned, default and client-go.
	Margins []Margin
	// Ship is Winner's settings as changes to tuned, e.g. "MaxConnsPerHost 50".
	Ship []string
	// Lost lists the runs where Winner was neither best nor tied with it.
	Lost []Loss
}

// Margin compares the family's winner with one reference arm on one
// decisive metric, once per run where both ran.
type Margin struct {
	// Metric names the decisive metric, e.g. "req/s".
	Metric      string
	Against     string
	Comparisons []results.Comparison
}

// Loss is a run that the family's winner lost to Best.
type Loss struct {
	Run, Best, Metric string
	Comparison        results.Comparison
}

// Change is one setting to change in tuned and the families that want it.
type Change struct {
	Setting  string
	Families []string
}

// Recommend derives the recommendation from the runs of r: per family of
// conditions, every run ranks its arms on the metric that decides it; an
// arm wins a run when it is the best or not significantly different from
// the best.
func Recommend(r *results.Results) Recommendation {
	fams, tunedSettings := recommend(r)
	settingsOf := map[string]map[string]string{}
	for _, u := range RunsOf(r, DefaultRoles) {
		for _, a := range u.Scenario.Arms {
			if _, ok := settingsOf[a.Name]; !ok {
				settingsOf[a.Name] = a.Settings
			}
		}
	}
	var rec Recommendation
	changes := map[string]int{} // setting -> index in rec.Changes
	for _, f := range fams {
		fam := Family{Name: f.name, Winner: f.winner, Wins: f.wins, Ran: f.ran}
		for _, o := range f.outcomes {
			fam.Runs = append(fam.Runs, o.Label)
		}
		if len(f.outcomes) > 0 {
			fam.Margins = f.margins()
			fam.Ship = settingsDiff(settingsOf[f.winner], tunedSettings)
			fam.Lost = f.lost()
		}
		for _, d := range fam.Ship {
			i, ok := changes[d]
			if !ok {
				i = len(rec.Changes)
				changes[d] = i
				rec.Changes = append(rec.Changes, Change{Setting: d})
			}
			rec.Changes[i].Families = append(rec.Changes[i].Families, f.name)
		}
		rec.Families = append(rec.Families, fam)
	}
	if len(rec.Changes) > 0 {
		order := make([]string, len(rec.Changes))
		for i, c := range rec.Changes {
			order[i] = c.Setting
		}
		rec.Conflicts = conflicts(order)
		rec.Combination = armWith(settingsOf, tunedSettings, order)
		rec.InlineConfig = inlineConfig(order)
	}
	return rec
}

// margins compares the family's winner with tuned, default and client-go,
// per decisive metric, in the order the runs first give each comparison.
func (f familyResult) margins() []Margin {
	var out []Margin
	idx := map[[2]string]int{}
	for _, o := range f.outcomes {
		w := o.find(f.winner)
		if w == nil {
			continue
		}
		for _, ref := range []string{results.ProfileTuned, results.ProfileDefault, results.ProfileClientGo} {
			a := o.Arm(ref)
			if a == nil || a.Name == f.winner {
				continue
			}
			if c, ok := CompareArms(*w.arm, *a, o.metric); ok {
				k := [2]string{o.metricName(), a.Name}
				i, seen := idx[k]
				if !seen {
					i = len(out)
					idx[k] = i
					out = append(out, Margin{Metric: k[0], Against: k[1]})
				}
				out[i].Comparisons = append(out[i].Comparisons, c)
			}
		}
	}
	return out
}

// conflicts lists settings that appear with two values among changes.
func conflicts(changes []string) []string {
	seen := map[string]string{}
	var out []string
	for _, c := range changes {
		k, v, _ := strings.Cut(c, " ")
		if prev, ok := seen[k]; ok && prev != v && !slices.Contains(out, k) {
			out = append(out, k)
		}
		seen[k] = v
	}
	return out
}

// armWith names an arm whose settings are tuned's with exactly changes.
func armWith(settings map[string]map[string]string, tuned map[string]string, changes []string) string {
	want := slices.Clone(changes)
	sort.Strings(want)
	names := make([]string, 0, len(settings))
	for n := range settings {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got := settingsDiff(settings[n], tuned)
		sort.Strings(got)
		if slices.Equal(got, want) {
			return n
		}
	}
	return ""
}

// inlineConfig writes changes as a scenario arm's config mapping.
func inlineConfig(changes []string) string {
	var parts []string
	for _, c := range changes {
		k, v, _ := strings.Cut(c, " ")
		switch k {
		case "TLSSessionCache":
			if v == "true" {
				parts = append(parts, "TLSSessionCacheSize: 256")
			}
			continue
		case "ClientTimeout", "IdleConnTimeout":
			if d, err := time.ParseDuration(v); err == nil {
				v = d.String()
			}
		}
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, ", ")
}

// lost lists the runs where the family's winner was neither the best nor
// tied with it: the conditions under which the recommendation does not hold.
func (f familyResult) lost() []Loss {
	var out []Loss
	for _, o := range f.outcomes {
		w := o.find(f.winner)
		if w == nil || w.best || w.tied {
			continue
		}
		var best *armOutcome
		for i := range o.arms {
			if o.arms[i].best {
				best = &o.arms[i]
			}
		}
		if best == nil {
			continue
		}
		c, ok := CompareArms(*w.arm, *best.arm, o.metric)
		if !ok {
			continue
		}
		out = append(out, Loss{Run: o.Label, Best: best.arm.Name, Metric: o.metricName(), Comparison: c})
	}
	return out
}
