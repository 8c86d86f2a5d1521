package main

import (
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/oranbench/oranbench/scenarios"
)

// runHooks combines the per-run observers into scenarios.Options.OnRun.
func runHooks(hooks ...func(scenarios.RunInfo) scenarios.ResultFunc) func(scenarios.RunInfo) scenarios.ResultFunc {
	return func(info scenarios.RunInfo) scenarios.ResultFunc {
		var fns []scenarios.ResultFunc
		for _, h := range hooks {
			if h == nil {
				continue
			}
			if fn := h(info); fn != nil {
				fns = append(fns, fn)
			}
		}
		switch len(fns) {
		case 0:
			return nil
		case 1:
			return fns[0]
		}
		return func(r *vegeta.Result) {
			for _, fn := range fns {
				fn(r)
			}
		}
	}
}
