package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestFitsTheCounterScreen checks the layout's minimum size in every state fits a
// 1024×768 screen, and renders the busiest state at that minimum size for review
// (testdata/found_min_*.png): nothing may be cut off there either.
func TestFitsTheCounterScreen(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Demo: true, DemoNumbers: manyDemoNumbers()})
			idle := h.d.win.Content().MinSize() // idle with the demo numbers
			long := sampleMember()
			long.Name = "歐陽詠琪・司馬長風・諸葛青雲・東方不敗"
			long.Card.Points = 9876543210
			h.lookup.set("0903123123", reply{member: long})
			h.submit("0903123123")
			h.waitState(stateFound)
			found := h.d.win.Content().MinSize()
			// The panels scroll: a lookup must never make the window grow (it grew past
			// the screen on scaled displays).
			if found != idle {
				t.Errorf("the window's minimum size changed from %v to %v on a lookup", idle, found)
			}
			// The smallest screen a desk has, 1024×600 logical (or 1366×768 at 125 %).
			if found.Width > 1024 || found.Height > 600 {
				t.Fatalf("minimum size %v does not fit 1024×600", found)
			}
			h.d.win.Resize(fyne.NewSize(1024, 600))
			test.AssertImageMatches(t, "found_1024x600_"+l+".png", h.d.win.Canvas().Capture())
			// The member card's Gifts and coupons button shows whole without scrolling.
			b := h.d.ui.panels.found.card.rewards
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			if end := pos.Add(b.Size()); pos.X < 0 || pos.Y < 0 || end.X > 1024 || end.Y > 600 || b.Size().Width < b.MinSize().Width {
				t.Errorf("at 1024×600 the Gifts and coupons button is at %v–%v (size %v, needs %v)", pos, end, b.Size(), b.MinSize())
			}
		})
	}
}

func manyDemoNumbers() []DemoNumber {
	var out []DemoNumber
	for _, n := range []string{"0903123123", "0903515908", "0912345678", "0911111111", "0922222222", "0933333333",
		"0944444444", "0955555555", "0966666666", "0977777777", "0987654321", "0900000001", "0900000002",
		"0900000003", "0900000004"} {
		out = append(out, DemoNumber{Mobile: n, Label: "x"})
	}
	return out
}
