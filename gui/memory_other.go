//go:build !linux || !cgo

package gui

// returnFreeCHeap does nothing here: what glibc keeps (memory_glibc.go) was measured on
// Linux only; Windows' and macOS's allocators have no malloc_trim and were not measured.
func returnFreeCHeap() {}
