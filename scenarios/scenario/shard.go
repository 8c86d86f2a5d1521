package scenario

import (
	"fmt"
)

// Shard returns a Plan like p that offers share i (0-based) of n of its load,
// so that n generators together offer the whole: the closed model's
// concurrency and a burst's size are split as evenly as whole numbers allow
// (the first shards take the remainder), rates are divided by n, and so are
// sweeps over concurrency or rate. Durations, arms and the mix are
// unchanged. A share that would be empty is an error naming the field.
func (p *Plan) Shard(i, n int) (*Plan, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("shard %d/%d: want i/N with 0 <= i < N", i, n)
	}
	c := p.spec.clone()
	if n == 1 {
		return p.with(c), nil
	}
	sh := share{i: i, n: n, scenario: p.spec.Name}
	split, rate := sh.count, sh.rate
	if err := p.Model().shard(&c.Load, sh); err != nil {
		return nil, err
	}
	var err error
	shardSweep := func(field string, sw *Sweep) (*Sweep, error) {
		if sw == nil {
			return nil, nil
		}
		out := *sw
		out.Concurrency = make([]int, len(sw.Concurrency))
		for k, v := range sw.Concurrency {
			if out.Concurrency[k], err = split(fmt.Sprintf("%s.concurrency[%d]", field, k), v); err != nil {
				return nil, err
			}
		}
		out.Rate = make([]float64, len(sw.Rate))
		for k, v := range sw.Rate {
			out.Rate[k] = rate(v)
		}
		if len(out.Concurrency) == 0 {
			out.Concurrency = nil
		}
		if len(out.Rate) == 0 {
			out.Rate = nil
		}
		return &out, nil
	}
	if c.Sweep, err = shardSweep("sweep", p.spec.Sweep); err != nil {
		return nil, err
	}
	if p.spec.Quick != nil {
		q := *p.spec.Quick
		if q.Sweep, err = shardSweep("quick.sweep", p.spec.Quick.Sweep); err != nil {
			return nil, err
		}
		if q.Intents > 0 {
			if q.Intents, err = split("quick.intents", q.Intents); err != nil {
				return nil, err
			}
		}
		c.Quick = &q
	}
	return p.with(c), nil
}
