//go:build !race

package memtest

// Race is whether the race detector is on (see race.go).
const Race = false
