//go:build !ocard_crashtest

package gui

// crashTest does nothing in a real build: only a build with the ocard_crashtest tag
// (the end-to-end crash test) can be made to panic on purpose.
func crashTest(*desk) {}

// crashTestRun is run itself in a real build.
func crashTestRun(run func()) func() { return run }
