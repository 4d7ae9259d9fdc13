package gui

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// rewardsView is the Rewards view of the member on screen (F2): the gift catalogue
// sorted by cost and marked against the member's points and this shop, the member's
// coupons by state, points to redeem, and this desk's redemptions today. The redeem
// buttons show only when this desk may redeem.
type rewardsView struct {
	d      *desk
	box    *fyne.Container
	title  *widget.Label
	status *widget.Label
	lists  *fyne.Container // gifts, coupons, today: rebuilt at each refresh

	points       *routedEntry
	pointsButton *deskButton
	pointsRow    *fyne.Container
}

func newRewardsView(d *desk) *rewardsView {
	v := &rewardsView{d: d, title: widget.NewLabel(""), status: widget.NewLabel(""), lists: container.NewVBox()}
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.status.Wrapping = fyne.TextWrapWord
	back := newDeskButton(tr("rewards.back"), theme.NavigateBackIcon(), d.onCloseRewards, d.router)
	v.points = newRoutedEntry(d.router)
	v.points.SetPlaceHolder(example("100"))
	v.points.OnSubmitted = func(string) { v.onPoints() }
	v.pointsButton = newDeskButton(tr("rewards.redeem_points"), nil, v.onPoints, d.router)
	v.pointsRow = container.NewHBox(widget.NewLabel(tr("rewards.points_label")),
		container.New(&sizedLayout{width: 140}, v.points), v.pointsButton)
	head := container.NewBorder(nil, nil, nil, back, v.title)
	v.box = container.NewBorder(container.NewVBox(head, v.status), nil, nil, nil,
		container.NewVBox(card(v.pointsRow), v.lists))
	return v
}

func (v *rewardsView) onPoints() {
	n, err := strconv.ParseInt(strings.TrimSpace(v.points.Text), 10, 64)
	if err != nil || n <= 0 {
		v.status.Importance = widget.DangerImportance
		v.status.SetText(tr("rewards.points_invalid"))
		return
	}
	v.points.SetText("")
	v.d.onRedeemPoints(n)
}

// refresh draws the rewards of m for the shop; redeemOn shows the redeem buttons.
func (v *rewardsView) refresh(m *deskModel, shopID string, redeemOn bool, today []journal.Entry) {
	rm := m.rewards
	name := service.Printable(orDash(m.member.Name))
	points := int64(0)
	if m.member.Card != nil {
		points = m.member.Card.Points
	}
	if rm.data != nil {
		points = rm.data.Points()
	}
	v.title.SetText(tr("rewards.title", map[string]any{"Name": name, "Points": groupDigits(points)}))
	v.status.Importance = widget.MediumImportance
	switch {
	case rm.loading:
		v.status.SetText(tr("rewards.loading"))
	case rm.err != nil:
		v.status.Importance = widget.DangerImportance
		v.status.SetText(tr("rewards.failed", map[string]any{"Reason": failureText(rm.err)}))
	case !redeemOn:
		v.status.SetText(tr("rewards.redeem_off"))
	default:
		v.status.SetText("")
	}
	showIf(v.pointsRow, redeemOn && rm.data != nil)
	v.lists.RemoveAll()
	if rm.data != nil {
		v.lists.Add(card(v.giftList(rm.data.Gifts, points, shopID, redeemOn)))
		v.lists.Add(card(v.couponList(rm.data.Coupons, redeemOn)))
	}
	if redeemOn {
		v.lists.Add(card(todayList(today)))
	}
}

func (v *rewardsView) giftList(gifts []service.Gift, points int64, shopID string, redeemOn bool) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabel(tr("rewards.gifts")))
	choices := service.GiftChoices(gifts, points, shopID)
	if len(choices) == 0 {
		box.Add(subtle(tr("rewards.no_gifts")))
	}
	for _, c := range choices {
		state := widget.NewLabel("")
		var action fyne.CanvasObject = layout.NewSpacer()
		switch {
		case !c.AvailableHere:
			state.SetText(tr("rewards.not_here"))
			state.Importance = widget.LowImportance
		case !c.Affordable:
			state.SetText(tr("rewards.needs_more", map[string]any{"N": groupDigits(c.Shortfall)}))
			state.Importance = widget.WarningImportance
		default:
			state.SetText(tr("rewards.affordable"))
			state.Importance = widget.SuccessImportance
			if redeemOn {
				gift := c.Gift
				action = newDeskButton(tr("rewards.redeem"), nil, func() { v.d.onRedeemGift(gift) }, v.d.router)
			}
		}
		cost := widget.NewLabel(tr("rewards.cost", map[string]any{"N": groupDigits(c.RequirePoints)}))
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(cost, state, action), widget.NewLabel(service.Printable(c.Title))))
	}
	return box
}

func (v *rewardsView) couponList(coupons []service.Coupon, redeemOn bool) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabel(tr("rewards.coupons")))
	groups := service.ClassifyCoupons(coupons, v.d.now())
	if len(coupons) == 0 {
		box.Add(subtle(tr("rewards.no_coupons")))
	}
	add := func(title string, cs []service.Coupon, usable bool) {
		if len(cs) == 0 {
			return
		}
		box.Add(subtle(title))
		for _, c := range cs {
			dates := widget.NewLabel(tr("rewards.valid", map[string]any{"From": dateOnly(c.StartText), "To": dateOnly(c.EndText)}))
			dates.Importance = widget.LowImportance
			var action fyne.CanvasObject = layout.NewSpacer()
			if usable && redeemOn {
				coupon := c
				action = newDeskButton(tr("rewards.redeem"), nil, func() { v.d.onRedeemCoupon(coupon) }, v.d.router)
			}
			box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(dates, action), widget.NewLabel(service.Printable(c.Title))))
		}
	}
	add(tr("rewards.usable"), groups.Usable, true)
	add(tr("rewards.not_yet"), groups.NotYet, false)
	add(tr("rewards.used"), groups.Used, false)
	add(tr("rewards.expired"), groups.Expired, false)
	return box
}

// todayList is this desk's redemptions today, newest first.
func todayList(today []journal.Entry) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabel(tr("rewards.today")))
	if len(today) == 0 {
		box.Add(subtle(tr("rewards.today_none")))
	}
	for _, e := range today {
		what := tr("rewards.points_n", map[string]any{"N": groupDigits(e.Points)})
		if len(e.TicketIDs) > 0 {
			what = tr("rewards.coupons_n", map[string]any{"N": len(e.TicketIDs)})
		}
		state := widget.NewLabel("")
		switch journal.Shown(e.State) {
		case journal.Done:
			state.SetText(tr("journal.done"))
			state.Importance = widget.SuccessImportance
		case journal.Failed:
			state.SetText(tr("journal.failed"))
			state.Importance = widget.DangerImportance
		default:
			state.SetText(tr("journal.unknown"))
			state.Importance = widget.WarningImportance
		}
		line := widget.NewLabel(e.Time.Local().Format("15:04") + "  " + e.Mobile + "  " + what + "  " + e.OrderID)
		box.Add(container.NewBorder(nil, nil, nil, state, line))
	}
	return box
}

func subtle(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// dateOnly keeps the date of "YYYY-MM-DD HH:MM:SS"; "" reads as "—".
func dateOnly(s string) string {
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t.Format("2006/01/02")
	}
	return service.Printable(orDash(s))
}
