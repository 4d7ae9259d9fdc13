package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// recentList is the sidebar of the last numbers looked up, masked, newest first; a tap
// looks one up again.
type recentList struct {
	list    *fyne.Container
	empty   *widget.Label
	buttons [10]*deskButton // maxRecent
	numbers []string        // what the buttons show, unmasked, for onTap
	onTap   func(mobile string)
	router  *inputRouter
}

func newRecentList(router *inputRouter, onTap func(string)) *recentList {
	return &recentList{list: container.NewVBox(), onTap: onTap, router: router}
}

// content is the sidebar: a title over the scrolling list.
func (r *recentList) content() fyne.CanvasObject {
	title := widget.NewLabel(tr("recent.title"))
	recent := container.NewBorder(title, nil, nil, nil, container.NewVScroll(r.list))
	return container.New(&sizedLayout{width: 150}, recent)
}

// refresh shows recent. Its widgets are made once and reused: new widgets on every
// lookup pile up in Fyne's renderer cache at scanning speed.
func (r *recentList) refresh(recent []string) {
	r.numbers = recent
	if r.empty == nil {
		r.empty = widget.NewLabel(tr("recent.empty"))
		r.empty.Importance = widget.LowImportance
		r.list.Add(r.empty)
		for i := range r.buttons {
			b := newDeskButton("", nil, func() {
				if i < len(r.numbers) {
					r.onTap(r.numbers[i])
				}
			}, r.router)
			b.Importance = widget.LowImportance
			b.Alignment = widget.ButtonAlignLeading
			r.buttons[i] = b
			r.list.Add(b)
		}
	}
	if len(recent) == 0 {
		r.empty.Show()
	} else {
		r.empty.Hide()
	}
	for i, b := range r.buttons {
		if i >= len(recent) {
			if b.Text != "" {
				b.SetText("") // hidden is not gone: no number stays behind
			}
			b.Hide()
			continue
		}
		if text := service.MaskMobile(recent[i]); b.Text != text {
			b.SetText(text)
		}
		b.Show()
	}
}
