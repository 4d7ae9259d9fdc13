// Command hello is the baseline for Ocard Desk's startup, memory and size benchmarks
// (docs/BENCHMARKS.md): the smallest Fyne program that does what the desk does at
// start — one window of the same size with a focused Entry — built with the same Fyne
// version and the same flags as the release build (see docs/bench/run.sh).
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("tw.ocard.desk.bench-hello")
	w := a.NewWindow("Hello Bench")
	entry := widget.NewEntry()
	entry.SetPlaceHolder("0912-345-678")
	w.SetContent(entry)
	w.Resize(fyne.NewSize(1024, 720)) // the desk's window size
	w.Canvas().Focus(entry)
	w.ShowAndRun()
}
