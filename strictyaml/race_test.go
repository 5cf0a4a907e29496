//go:build race

package strictyaml

// raceOn: the race detector is on, under which sync.Pool drops items at
// random and allocation counts mean nothing (generator's tests use
// memtest.SkipUnderRace; a foundation may not import it).
const raceOn = true
