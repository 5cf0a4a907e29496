//go:build race

package chart

// race is true under the race detector, where sync.Pool drops what it is
// given at random, so that allocations cannot be counted.
const race = true
