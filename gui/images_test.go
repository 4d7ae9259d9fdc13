package gui

import (
	"bytes"
	"image"
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/ocard-desk/ocard-desk/resources"
)

func TestFitImageScalesDownKeepingTheAspect(t *testing.T) {
	for _, c := range []struct{ w, h, side, wantW, wantH int }{
		{400, 300, 112, 112, 84},
		{300, 400, 112, 84, 112},
		{256, 256, 112, 112, 112},
		{64, 64, 112, 64, 64},   // never scaled up
		{112, 50, 112, 112, 50}, // already fits
		{1000, 1, 100, 100, 1},  // never 0 pixels high
	} {
		img := image.NewNRGBA(image.Rect(0, 0, c.w, c.h))
		got := fitImage(img, c.side).Bounds()
		if got.Dx() != c.wantW || got.Dy() != c.wantH {
			t.Errorf("%d×%d in %d: got %d×%d, want %d×%d", c.w, c.h, c.side, got.Dx(), got.Dy(), c.wantW, c.wantH)
		}
	}
}

// TestAvatarIsShownAtItsScreenSize: a large avatar is scaled once to the size it is
// shown at (Fyne would otherwise scale it again at every refresh), and showing the
// same avatar again reuses that copy.
func TestAvatarIsShownAtItsScreenSize(t *testing.T) {
	big := image.NewNRGBA(image.Rect(0, 0, 400, 400))
	for i := range big.Pix {
		big.Pix[i] = 0xff
	}
	h := newHarness(t, LangEnglish, Options{Avatars: &fakeAvatars{img: big}})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.runNext() // the avatar
	first := h.d.ui.panels.found.card.avatar.Image
	if b := first.Bounds(); b.Dx() != avatarSide || b.Dy() != avatarSide {
		t.Fatalf("avatar shown as %v, want %d×%d", b, avatarSide, avatarSide)
	}
	if got := color.NRGBAModel.Convert(first.At(50, 50)).(color.NRGBA); got.A != 0xff || got.R != 0xff {
		t.Errorf("scaled avatar pixel %v, want opaque white", got)
	}
	if b := h.d.placeholderAvatar().Bounds(); b.Dx() > avatarSide || b.Dy() > avatarSide {
		t.Errorf("placeholder is %v, larger than it is shown", b)
	}
	h.d.ui.entry.clear()
	now := fixedNow
	h.d.now = func() time.Time { now = now.Add(2 * time.Second); return now }
	h.submit("0903123123")
	h.waitState(stateFound)
	h.runNext()
	if h.d.ui.panels.found.card.avatar.Image != first {
		t.Error("the same avatar was scaled again")
	}
}

// TestWindowIconIsSmall: the icon buildDesk hands to SetIcon, resources.IconAt(windowIconSide),
// is a ready-made 128-pixel PNG, not the 512×512 app icon: Fyne decodes it before the
// window maps. (Fyne's test window keeps no icon, so the call itself is not checked.)
func TestWindowIconIsSmall(t *testing.T) {
	res := resources.IconAt(windowIconSide)
	img, _, err := image.Decode(bytes.NewReader(res.Content()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != windowIconSide || b.Dy() != windowIconSide {
		t.Errorf("window icon is %v, want %d×%d", b, windowIconSide, windowIconSide)
	}
}

// TestHeaderIconIsSharpOnA2xScreen: the header's icon carries enough pixels for a 2×
// screen. The scale is 1 while the first frame is built, so an icon made "at the
// canvas's pixels" then was 32 pixels and blurred at 150% and 200%.
func TestHeaderIconIsSharpOnA2xScreen(t *testing.T) {
	h := newHarness(t, LangEnglish, Options{})
	var icons []*canvas.Image
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Image:
			icons = append(icons, v)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(h.d.ui.header.box)
	if len(icons) != 1 {
		t.Fatalf("found %d images in the header, want the icon", len(icons))
	}
	want := 2 * headerIconSide
	if b := icons[0].Image.Bounds(); b.Dx() < want || b.Dy() < want {
		t.Errorf("the header icon is %v, want at least %d×%d pixels", b, want, want)
	}
	if got := icons[0].MinSize(); got != fyne.NewSquareSize(headerIconSide) {
		t.Errorf("the header icon takes %v, want %v×%v", got, headerIconSide, headerIconSide)
	}
}
