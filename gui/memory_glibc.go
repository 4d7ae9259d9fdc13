//go:build linux && cgo

package gui

/*
#include <malloc.h>

// ocard_return_free_c_heap gives the free pages inside glibc's malloc arenas back to the
// system. Not glibc (musl): nothing to do, malloc_trim does not exist there.
static void ocard_return_free_c_heap(void) {
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
*/
import "C"

// returnFreeCHeap gives the C heap's free pages back. On Linux the window's textures live
// in Mesa's memory, allocated with malloc on the UI thread; Fyne frees a text's texture a
// minute after it was last drawn, but glibc keeps the freed chunks inside its arena (only
// a free top of the heap is returned by itself). A/B: what 300 lookups left on the empty
// screen fell from +12.5 to +5.2 MiB (docs/bench/findings.md, issue 24, P5).
func returnFreeCHeap() { C.ocard_return_free_c_heap() }
