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
	back         *deskButton
	// keys names every control of the lists by what it acts on ("gift:ID", …), and
	// byKey finds today's control of that name: a redemption's panel gives the focus back
	// to the control the cashier was at, also after the lists were redrawn meanwhile.
	keys  map[fyne.Focusable]string
	byKey map[string]*deskButton
}

func newRewardsView(d *desk) *rewardsView {
	v := &rewardsView{d: d, title: widget.NewLabel(""), status: widget.NewLabel(""), lists: container.NewVBox()}
	v.title.SizeName = theme.SizeNameSubHeadingText
	v.status.Wrapping = fyne.TextWrapWord
	back := newDeskButton(tr("rewards.back"), theme.NavigateBackIcon(), d.onCloseRewards, d.router)
	v.back = back
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
	if v.d.onRedeemPoints(n) {
		v.points.SetText("")
	}
}

// button is a control of the lists named key (what it acts on).
func (v *rewardsView) button(key, label string, tapped func()) *deskButton {
	b := newDeskButton(label, nil, tapped, v.d.router)
	v.keys[b], v.byKey[key] = key, b
	return b
}

// keyOf names control f of the view ("" when it is not one of the lists' controls).
func (v *rewardsView) keyOf(f fyne.Focusable) string {
	switch f {
	case nil:
		return ""
	case fyne.Focusable(v.points):
		return "points"
	case fyne.Focusable(v.pointsButton):
		return "points-button"
	case fyne.Focusable(v.back):
		return "back"
	}
	return v.keys[f]
}

// control is the view's control named key now, nil when it has none.
func (v *rewardsView) control(key string) fyne.Focusable {
	switch key {
	case "points":
		return v.points
	case "points-button":
		return v.pointsButton
	case "back":
		return v.back
	}
	if b, ok := v.byKey[key]; ok {
		return b
	}
	return nil
}

// refresh draws the rewards of m for the shop; redeemOn shows the redeem buttons.
func (v *rewardsView) refresh(m *deskModel, c connection, unresolved, today []journal.Entry) {
	rm, shopID, redeemOn := m.rewards, c.shopID, c.redeemer != nil
	v.keys, v.byKey = map[fyne.Focusable]string{}, map[string]*deskButton{}
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
	case c.demo && c.log != nil:
		v.status.SetText(tr("rewards.demo_journal", map[string]any{"Path": c.log.Path()}))
	default:
		v.status.SetText("")
	}
	showIf(v.pointsRow, redeemOn && rm.data != nil)
	v.lists.RemoveAll()
	var key string
	if c.log != nil {
		key = c.log.MobileKey(m.mobile)
	}
	if redeemOn && len(unresolved) > 0 {
		v.lists.Add(card(v.unresolvedList(unresolved, key)))
	}
	if rm.data != nil {
		v.lists.Add(card(v.giftList(rm.data.Gifts, points, shopID, redeemOn)))
		v.lists.Add(card(v.couponList(rm.data.Coupons, redeemOn)))
	}
	if redeemOn {
		v.lists.Add(card(todayList(today, key)))
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
				action = v.button("gift:"+gift.ID, tr("rewards.redeem"), func() { v.d.onRedeemGift(gift) })
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
				action = v.button("coupon:"+coupon.Serial+coupon.POSCode, tr("rewards.redeem"), func() { v.d.onRedeemCoupon(coupon) })
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

// unresolvedList is every unresolved redemption, any day, oldest first: the member on
// screen's can be settled here (Settle…), the others once their member is looked up.
func (v *rewardsView) unresolvedList(unresolved []journal.Entry, key string) fyne.CanvasObject {
	title := widget.NewLabel(tr("rewards.unresolved", map[string]any{"N": len(unresolved)}))
	title.Importance = widget.WarningImportance
	box := container.NewVBox(title)
	for _, e := range memberFirst(unresolved, key) {
		var action fyne.CanvasObject
		if e.MobileKey == key {
			entry := e
			action = v.button("settle:"+entry.OrderID, tr("rewards.settle"), func() { v.d.onSettleTapped(entry) })
		} else {
			action = subtle(tr("rewards.settle_elsewhere"))
		}
		line := widget.NewLabel(e.Time.Local().Format("01/02 15:04") + "  " + e.Mobile + "  " + entryWhat(e) + "  " + e.OrderID)
		box.Add(container.NewBorder(nil, nil, nil, action, line))
	}
	return box
}

// todayList is this desk's redemptions today, the member on screen's first, newest
// first: what each was and what became of it.
func todayList(today []journal.Entry, key string) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabel(tr("rewards.today")))
	if len(today) == 0 {
		box.Add(subtle(tr("rewards.today_none")))
	}
	for _, e := range memberFirst(today, key) {
		state := widget.NewLabel("")
		switch {
		case e.State == journal.Done:
			state.SetText(tr("journal.done"))
			state.Importance = widget.SuccessImportance
		case e.State == journal.Failed:
			state.SetText(tr("journal.failed"))
			state.Importance = widget.DangerImportance
		case e.State == journal.Resolved && e.Resolution == journal.ResolutionCharged:
			state.SetText(tr("journal.resolved_charged"))
		case e.State == journal.Resolved:
			state.SetText(tr("journal.resolved_not_charged"))
		default:
			state.SetText(tr("journal.unknown"))
			state.Importance = widget.WarningImportance
		}
		line := widget.NewLabel(e.Time.Local().Format("15:04") + "  " + e.Mobile + "  " + entryWhat(e) + "  " + e.OrderID)
		box.Add(container.NewBorder(nil, nil, nil, state, line))
	}
	return box
}

// memberFirst puts the entries of the member with key first, keeping the order.
func memberFirst(entries []journal.Entry, key string) []journal.Entry {
	out := make([]journal.Entry, 0, len(entries))
	for _, e := range entries {
		if key != "" && e.MobileKey == key {
			out = append(out, e)
		}
	}
	for _, e := range entries {
		if key == "" || e.MobileKey != key {
			out = append(out, e)
		}
	}
	return out
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
