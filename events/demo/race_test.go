//go:build race

package demo_test

// raceEnabled is set when the tests run under the race detector, which
// slows the demo about tenfold: the slowest tests then check a smaller
// world.
const raceEnabled = true

// raceMonths is how much of a year the race detector's world holds.
const raceMonths = 2
