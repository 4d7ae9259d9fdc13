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
			max := fyne.NewSize(0, 0)
			record := func() {
				m := h.d.win.Content().MinSize()
				max = fyne.NewSize(fyne.Max(max.Width, m.Width), fyne.Max(max.Height, m.Height))
			}
			record() // idle with the demo numbers
			long := sampleMember()
			long.Name = "歐陽詠琪・司馬長風・諸葛青雲・東方不敗"
			long.Card.Points = 9876543210
			h.lookup.set("0903123123", reply{member: long})
			h.submit("0903123123")
			h.waitState(stateFound)
			record()
			if max.Width > 1024 || max.Height > 768 {
				t.Fatalf("minimum size %v does not fit 1024×768", max)
			}
			h.d.win.Resize(h.d.win.Content().MinSize())
			test.AssertImageMatches(t, "found_min_"+l+".png", h.d.win.Canvas().Capture())
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
