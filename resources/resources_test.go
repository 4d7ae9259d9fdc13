package resources

import (
	"bytes"
	"image"
	_ "image/png"
	"io/fs"
	"testing"
)

// TestIconAtGivesTheSizeAsked: each ready size decodes to that size, and a size in
// between gets the next larger one, so the window only ever scales down a little.
func TestIconAtGivesTheSizeAsked(t *testing.T) {
	cases := map[int]int{1: 16, 16: 16, 17: 22, 32: 32, 33: 48, 96: 128, 128: 128, 200: 256, 512: 512, 4096: 512}
	for px, want := range cases {
		img, _, err := image.Decode(bytes.NewReader(IconAt(px).Content()))
		if err != nil {
			t.Fatalf("IconAt(%d): %v", px, err)
		}
		if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
			t.Errorf("IconAt(%d) is %v, want %d×%d", px, b, want, want)
		}
	}
}

// TestIconSizesListsEveryCommittedSize: a size added by .ci/package/icons but not to
// IconSizes would never be used.
func TestIconSizesListsEveryCommittedSize(t *testing.T) {
	dirs, err := fs.Glob(hicolor, "icons/hicolor/*/apps/tw.ocard.desk.png")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(IconSizes) {
		t.Errorf("%d icon sizes are committed, IconSizes lists %d: %q", len(dirs), len(IconSizes), dirs)
	}
}
