//go:build ci || wasm || js || test_web_driver || android || ios || mobile

package gui

// screenWorkArea is not known off the desktop driver: the window keeps its size.
func screenWorkArea() (width, height int, ok bool) { return 0, 0, false }
