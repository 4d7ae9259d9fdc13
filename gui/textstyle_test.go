package gui

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// TestEveryTextIsRegular fails when any text in any window state, hidden or not, asks
// Fyne for a text style other than regular. Each further style makes Fyne load and
// parse the bundled font, its emoji font and a system fallback again (about 10 MiB,
// textstyle.go), and a hidden text is measured all the same. Text with its own font
// source (the carrier code) is loaded on its own and is allowed any style.
func TestEveryTextIsRegular(t *testing.T) {
	// Fyne's own bold button labels back, as in a fresh process, so that this fails when
	// building the window stops calling useOneTextStyle, whichever test ran first.
	saved := widget.RichTextStyleStrong
	widget.RichTextStyleStrong.TextStyle = fyne.TextStyle{Bold: true}
	oneTextStyle = sync.Once{}
	t.Cleanup(func() { widget.RichTextStyleStrong, oneTextStyle = saved, sync.Once{} })
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Demo: true, Backend: &fakeBackend{}, Settings: provisioned(),
				DemoNumbers: []DemoNumber{{Mobile: "0903123123", Label: "Member"}}})
			h.lookup.set("0903123123", reply{member: sampleMember()})
			h.lookup.set("0900000002", reply{err: &service.Error{Kind: service.KindServer, Op: "lookup", StatusCode: 500}})
			check := func(state string) {
				t.Helper()
				c := h.d.win.Canvas()
				for _, o := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
					for _, bad := range styledTexts(o) {
						t.Errorf("%s: %s", state, bad)
					}
				}
			}
			check("idle")
			h.submit("0903123123")
			h.waitState(stateFound)
			check("found")
			h.submit("0999 888 777")
			h.waitState(stateNotMember)
			check("not a member")
			h.submit("12345")
			h.waitState(stateInvalid)
			check("invalid")
			h.submit("0900000002")
			h.waitState(stateError)
			check("error")
			h.d.onAbout()
			if len(h.d.win.Canvas().Overlays().List()) == 0 {
				t.Fatal("About showed nothing")
			}
			check("about")
			h.d.win.Canvas().Overlays().Top().Hide()
			h.d.onOpenSettings()
			check("settings")
		})
	}
}

// TestStyledTextsFindsHiddenAndNested proves the walk in TestEveryTextIsRegular sees
// hidden text, a card's own title and text inside containers: a walk that found
// nothing would pass any window.
func TestStyledTextsFindsHiddenAndNested(t *testing.T) {
	test.NewTempApp(t)
	hiddenLabel := widget.NewLabelWithStyle("hidden", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	hiddenLabel.Hide()
	italic := canvas.NewText("italic", nil)
	italic.TextStyle.Italic = true
	own := canvas.NewText("own font", nil)
	own.TextStyle.Monospace = true
	own.FontSource = theme.DefaultTextMonospaceFont()
	w := test.NewTempWindow(t, widget.NewCard("", "", container.NewVBox(hiddenLabel, container.NewPadded(italic), own)))
	got := styledTexts(w.Canvas().Content())
	// The card's empty bold title, the hidden label and the italic text; not "own font".
	if len(got) != 3 {
		t.Fatalf("found %d styled texts, want 3: %q", len(got), got)
	}
}

// TestButtonLabelIsRegular: Fyne draws a button's label in its strong style, bold
// unless useOneTextStyle has made it regular.
func TestButtonLabelIsRegular(t *testing.T) {
	test.NewTempApp(t)
	useOneTextStyle()
	w := test.NewTempWindow(t, container.NewVBox(widget.NewButton("search", nil), newPanel(widget.NewLabel("in a panel"))))
	if bad := styledTexts(w.Canvas().Content()); len(bad) != 0 {
		t.Fatalf("styled texts: %q", bad)
	}
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), ">search</text>") {
		t.Fatal("the button's label was not rendered")
	}
}

// styledTexts lists every canvas.Text under o whose style is not regular and which has
// no font source of its own.
func styledTexts(o fyne.CanvasObject) []string {
	var bad []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *canvas.Text:
			if v.FontSource == nil && v.TextStyle != (fyne.TextStyle{}) {
				bad = append(bad, fmt.Sprintf("%q has style %+v", v.Text, v.TextStyle))
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return bad
}
