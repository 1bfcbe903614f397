// Package cputime measures the processor time of this process, which
// benchmarks report beside wall time: unlike wall time, it does not grow
// while other processes hold the cores of a shared machine.
package cputime
