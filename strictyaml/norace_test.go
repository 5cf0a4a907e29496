//go:build !race

package strictyaml

const raceOn = false
