package scenarios

import "runtime"

func numCPU() int { return runtime.NumCPU() }
