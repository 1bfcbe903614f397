//go:build !race

package demo_test

// raceEnabled is set when the tests run under the race detector; see
// race_test.go.
const raceEnabled = false

// raceMonths is unused without the race detector.
const raceMonths = 12
