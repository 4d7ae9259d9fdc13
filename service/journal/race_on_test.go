//go:build race

package journal

// raceOn: the race detector slows the randomized test about sixfold.
const raceOn = true
