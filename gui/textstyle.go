package gui

import (
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The desk draws all of its text in one style: regular. The bundled font has a single
// weight, so Fyne's "bold" looks exactly like regular here, yet Fyne loads every text
// style separately and parses, per style, our 3.4 MB font, its own Latin face, its
// colour emoji font and a system fallback face. A second style cost about 10 MiB of
// heap and a share of the startup time, and the carrier code's monospace style another
// 12 MiB when the first member showed (docs/bench/findings.md, P4 and P5).
// TestEveryTextIsRegular walks every window state and fails on any other style.

var oneTextStyle sync.Once

// useOneTextStyle makes Fyne's strong rich-text style (the label of every widget.Button)
// regular. It changes a package variable of Fyne's, so it is done once, before any
// button is made; with our one-weight font nothing on screen changes.
func useOneTextStyle() {
	oneTextStyle.Do(func() {
		widget.RichTextStyleStrong.TextStyle = fyne.TextStyle{}
	})
}

// panel draws content on a raised card that follows the light or dark theme. It is
// a widget.Card without a title: the card's (empty) title is still measured, in bold.
type panel struct {
	widget.Card
}

func newPanel(content fyne.CanvasObject) *panel {
	p := &panel{}
	p.Content = content
	p.ExtendBaseWidget(p)
	return p
}

// CreateRenderer makes the card's own title text regular before anything measures it.
func (p *panel) CreateRenderer() fyne.WidgetRenderer {
	r := p.Card.CreateRenderer()
	for _, o := range r.Objects() {
		if t, ok := o.(*canvas.Text); ok {
			t.TextStyle = fyne.TextStyle{}
		}
	}
	return r
}

// codeText shows a carrier code in Fyne's monospace font, so 0 and O and 1 and I
// differ at a glance. The font comes in as a font source: Fyne then parses that one
// small face, not a whole monospace style with emoji and system fallbacks. A carrier
// code is ASCII only (service.ParseCarrier), so it needs no fallback.
type codeText struct {
	widget.BaseWidget
	text string
}

func newCodeText() *codeText {
	c := &codeText{}
	c.ExtendBaseWidget(c)
	return c
}

// SetText shows s.
func (c *codeText) SetText(s string) {
	if c.text == s {
		return
	}
	c.text = s
	c.Refresh()
}

// Text is what is shown.
func (c *codeText) Text() string { return c.text }

func (c *codeText) CreateRenderer() fyne.WidgetRenderer {
	t := canvas.NewText("", color.Black)
	t.FontSource = theme.DefaultTextMonospaceFont()
	t.Alignment = fyne.TextAlignCenter
	r := &codeTextRenderer{code: c, text: t}
	r.Refresh()
	return r
}

type codeTextRenderer struct {
	code *codeText
	text *canvas.Text
}

// pad is the space around the text: a widget.Label's, so codeText lines up with one.
func (r *codeTextRenderer) pad() float32 {
	return r.code.Theme().Size(theme.SizeNameInnerPadding)
}

func (r *codeTextRenderer) Layout(size fyne.Size) {
	p := r.pad()
	r.text.Move(fyne.NewPos(p, p))
	r.text.Resize(size.SubtractWidthHeight(2*p, 2*p))
}

func (r *codeTextRenderer) MinSize() fyne.Size {
	p := r.pad()
	return r.text.MinSize().AddWidthHeight(2*p, 2*p)
}

func (r *codeTextRenderer) Refresh() {
	th := r.code.Theme()
	r.text.Text = r.code.text
	r.text.TextSize = th.Size(theme.SizeNameHeadingText)
	r.text.Color = th.Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	r.text.Refresh()
}

func (r *codeTextRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.text} }

func (r *codeTextRenderer) Destroy() {}
