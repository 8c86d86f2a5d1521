//go:build !race

package scenarios

const raceSlack = 0
