// Package cli is Ocard Desk's command line: the `lookup` command for IT staff and
// scripts, the standalone `demo-server`, and the parsing of the window's own flags.
// main.go only dispatches to it, so everything here is testable in-process with
// plain io.Writers and a context, and nothing here imports Fyne.
package cli
