package gui

import "fyne.io/fyne/v2"

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
