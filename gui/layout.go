package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// card draws content on a raised panel that follows the light or dark theme.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	return newPanel(content)
}

// sizedLayout gives its objects a fixed minimum width and, when height is set, a fixed
// minimum height; otherwise the height follows the content.
type sizedLayout struct{ width, height float32 }

func (l *sizedLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *sizedLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if l.height > 0 {
		return fyne.NewSize(l.width, l.height)
	}
	h := float32(0)
	for _, o := range objs {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(l.width, h)
}

// shareLayout lays its objects out in a row (or a column, when vertical): each gets its
// minimum size plus a share of the space left over, in proportion to its weight. The
// other direction is filled.
type shareLayout struct {
	vertical bool
	weights  []float32 // one per object; missing weights count as 0
}

func (l *shareLayout) along(s fyne.Size) float32 {
	if l.vertical {
		return s.Height
	}
	return s.Width
}

func (l *shareLayout) across(s fyne.Size) float32 {
	if l.vertical {
		return s.Width
	}
	return s.Height
}

func (l *shareLayout) size(along, across float32) fyne.Size {
	if l.vertical {
		return fyne.NewSize(across, along)
	}
	return fyne.NewSize(along, across)
}

func (l *shareLayout) weight(i int) float32 {
	if i < len(l.weights) {
		return l.weights[i]
	}
	return 0
}

func (l *shareLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var used, total float32
	for i, o := range objs {
		if o.Visible() {
			used += l.along(o.MinSize())
			total += l.weight(i)
		}
	}
	extra := max(0, l.along(size)-used)
	pos := float32(0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		n := l.along(o.MinSize())
		if total > 0 {
			n += extra * l.weight(i) / total
		}
		o.Resize(l.size(n, l.across(size)))
		o.Move(fyne.NewPos(0, 0).AddXY(l.size(pos, 0).Width, l.size(pos, 0).Height))
		pos += n
	}
}

func (l *shareLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var along, across float32
	for _, o := range objs {
		if o.Visible() {
			along += l.along(o.MinSize())
			across = max(across, l.across(o.MinSize()))
		}
	}
	return l.size(along, across)
}

// reflowLayout puts two objects side by side, sharing the width beyond their minimums
// by weight, when the width allows; on a narrower window (a small screen, or a large
// scale) it stacks them instead, so that the second (the carrier codes) is never
// pushed off to the side. Its minimum size follows the width it was last given:
// the scroll container around it asks again at the next refresh.
type reflowLayout struct {
	weights [2]float32
	width   float32 // the width of the last Layout; 0 before the first
}

func (l *reflowLayout) sideBySide(objs []fyne.CanvasObject, width float32) bool {
	return width >= objs[0].MinSize().Width+objs[1].MinSize().Width
}

func (l *reflowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if !l.sideBySide(objs, size.Width) {
		extra := max(0, size.Height-a.Height-b.Height)
		objs[0].Move(fyne.NewPos(0, 0))
		objs[0].Resize(fyne.NewSize(size.Width, a.Height))
		objs[1].Move(fyne.NewPos(0, a.Height))
		objs[1].Resize(fyne.NewSize(size.Width, b.Height+extra))
		return
	}
	extra := size.Width - a.Width - b.Width
	wa := a.Width + extra*l.weights[0]/(l.weights[0]+l.weights[1])
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(wa, size.Height))
	objs[1].Move(fyne.NewPos(wa, 0))
	objs[1].Resize(fyne.NewSize(size.Width-wa, size.Height))
}

func (l *reflowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.width > 0 && !l.sideBySide(objs, l.width) {
		return fyne.NewSize(max(a.Width, b.Width), a.Height+b.Height)
	}
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}

// wheelToScroll lies over a scroll container and hands it every mouse-wheel event.
// Fyne gives a wheel event to the innermost scrollable under the pointer, and each
// text field has a scroller of its own (for text wider than the field): over a field,
// the wheel scrolled that field's text sideways and the form not at all. Being last in
// a Stack, it is the innermost scrollable everywhere over the form; it is no Tappable,
// Hoverable or Focusable, so clicks, hovering and typing still reach the fields.
type wheelToScroll struct {
	widget.BaseWidget
	target *container.Scroll
}

func newWheelToScroll(target *container.Scroll) *wheelToScroll {
	w := &wheelToScroll{target: target}
	w.ExtendBaseWidget(w)
	return w
}

// Scrolled scrolls the target.
func (w *wheelToScroll) Scrolled(ev *fyne.ScrollEvent) { w.target.Scrolled(ev) }

// CreateRenderer draws nothing.
func (w *wheelToScroll) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
