package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// expiringList is the points about to expire, one row per date; those within
// nearExpiryWindow are marked.
type expiringList struct {
	list *fyne.Container
	none *widget.Label
	rows []*expiringRow
	now  func() time.Time
}

func newExpiringList() *expiringList {
	return &expiringList{list: container.NewVBox(), now: time.Now}
}

// expiringRow is one line of the list; rows are reused, not rebuilt.
type expiringRow struct {
	box             *fyne.Container
	icon            *widget.Icon
	date, soon, pts *widget.Label
}

func newExpiringRow() *expiringRow {
	r := &expiringRow{icon: widget.NewIcon(theme.WarningIcon()), date: widget.NewLabel(""),
		soon: widget.NewLabel(""),
		pts:  widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})}
	r.soon.Importance = widget.DangerImportance
	r.box = container.NewBorder(nil, nil, container.NewHBox(r.icon, r.date, r.soon), r.pts)
	return r
}

// refresh shows c's expiring points (none for a nil card).
func (l *expiringList) refresh(c *service.PointCard) {
	if l.none == nil {
		l.none = widget.NewLabel(tr("member.expiring_none"))
		l.none.Importance = widget.LowImportance
		l.list.Add(l.none)
	}
	var entries []service.ExpiringPoints
	if c != nil {
		entries = c.Expiring
	}
	for len(l.rows) < len(entries) {
		r := newExpiringRow()
		l.rows = append(l.rows, r)
		l.list.Add(r.box)
	}
	showIf(l.none, len(entries) == 0)
	now := l.now()
	for i, r := range l.rows {
		if i >= len(entries) {
			r.date.SetText("") // no expiry data stays behind in hidden rows
			r.pts.SetText("")
			r.box.Hide()
			continue
		}
		e := entries[i]
		soon := !e.Date.IsZero() && e.Date.Sub(now) <= nearExpiryWindow
		importance := widget.MediumImportance
		if soon {
			importance = widget.DangerImportance
		}
		showIf(r.icon, soon)
		r.soon.Importance = importance
		r.soon.SetText(howSoon(e.Date, now))
		showIf(r.soon, !e.Date.IsZero())
		r.date.Importance, r.pts.Importance = importance, importance
		r.date.SetText(service.Printable(e.DateText))
		r.pts.SetText(tr("member.expiring_points", map[string]any{"N": groupDigits(e.Points)}))
		r.box.Show()
	}
}

// howSoon says in calendar days how far date is from now: "in 27 days", "tomorrow".
func howSoon(date, now time.Time) string {
	y, m, d := date.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	y, m, d = now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	days := int(day.Sub(today).Round(24*time.Hour) / (24 * time.Hour))
	switch {
	case days < 0:
		return tr("member.expired")
	case days == 0:
		return tr("member.expires_today")
	case days == 1:
		return tr("member.expires_tomorrow")
	}
	return tr("member.expires_in", map[string]any{"N": days})
}
