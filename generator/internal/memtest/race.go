//go:build race

package memtest

// Race is whether the race detector is on. Under it, sync.Pool drops
// items at random and the instrumented code allocates more, so that what
// a test counts is not what the build allocates.
const Race = true
