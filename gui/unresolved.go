package gui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// Unresolved redemptions: an order sent whose outcome is unknown (no answer, or a
// retry the server refused after an unknown first send), or left pending by a desk that
// stopped mid-request, on any day. It stays on the Unresolved list, and the header says
// so, until a person settles it: Retry (the same order id), "It was charged" or "It was
// not charged", each after the window has shown the evidence. The journal keeps the
// settlement as a line of its own.

// evidenceWait bounds the re-read of the member's account shown before a settlement.
const evidenceWait = 15 * time.Second

// evidence is what the member's account shows now.
type evidence struct {
	fetched bool
	rewards service.Rewards
	// couponUsed says, per coupon id of the order, whether it is now used; a coupon
	// not among the member's coupons is missing.
	couponUsed map[string]bool
}

// fetchEvidence re-reads the member's points and coupons (a network call: not on the
// UI goroutine). Nothing fetched when rl is nil or the call fails.
func fetchEvidence(rl RewardsLookup, r redemption, ticketOf func(service.Coupon) string) evidence {
	if rl == nil {
		return evidence{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), evidenceWait)
	defer cancel()
	rw, err := rl.LookupRewards(ctx, r.shopID, r.mobile)
	if err != nil {
		return evidence{}
	}
	ev := evidence{fetched: true, rewards: rw, couponUsed: map[string]bool{}}
	for _, c := range rw.Coupons {
		id := ticketOf(c)
		if slices.Contains(r.tickets, id) {
			ev.couponUsed[id] = c.Used
		}
	}
	return ev
}

// balanceText is the balance now, "—" when it could not be read.
func (ev evidence) balanceText() string {
	if !ev.fetched {
		return "—"
	}
	return groupDigits(ev.rewards.Points())
}

// describe says what the account shows now about r, and what that means.
func (ev evidence) describe(r redemption) string {
	if !ev.fetched {
		return tr("redeem.evidence_none")
	}
	var lines []string
	if r.points > 0 {
		if r.before >= 0 {
			lines = append(lines, tr("redeem.evidence_points_before", map[string]any{"Now": ev.balanceText(),
				"Before": groupDigits(r.before), "N": groupDigits(r.points)}))
		} else {
			lines = append(lines, tr("redeem.evidence_points", map[string]any{"Now": ev.balanceText(), "N": groupDigits(r.points)}))
		}
	}
	for _, id := range r.tickets {
		used, found := ev.couponUsed[id]
		switch {
		case !found:
			lines = append(lines, tr("redeem.evidence_coupon_missing", map[string]any{"ID": id}))
		case used:
			lines = append(lines, tr("redeem.evidence_coupon_used", map[string]any{"ID": id}))
		default:
			lines = append(lines, tr("redeem.evidence_coupon_unused", map[string]any{"ID": id}))
		}
	}
	lines = append(lines, tr("redeem.evidence_advice"))
	return strings.Join(lines, "\n")
}

// applyEvidence makes every figure on screen the re-read one: the member card's points
// and the Rewards view's, when that member is still on screen; it reports whether it
// redrew.
func (d *desk) applyEvidence(mobile string, ev evidence) bool {
	if !ev.fetched || d.model.state != stateFound || d.model.mobile != mobile {
		return false
	}
	m := d.model
	rw := ev.rewards
	m.rewards.data, m.rewards.err = &rw, nil
	if c := m.member.Card; c != nil && rw.Card != nil {
		card := *c
		card.Points = rw.Card.Points
		m.member.Card = &card
	}
	d.setState(m)
	return true
}

// rewardsLookup is the connection's rewards reader, nil when it has none.
func (d *desk) rewardsLookup() RewardsLookup {
	rl, _ := d.conn.lookup.(RewardsLookup)
	return rl
}

// unresolvedTwin finds an unresolved order that holds exactly redemption r (shop,
// member, points and coupons).
func (d *desk) unresolvedTwin(r redemption) (journal.Entry, bool) {
	log := d.conn.log
	if log == nil || len(d.unresolved) == 0 {
		return journal.Entry{}, false
	}
	key := log.MobileKey(r.mobile)
	for _, e := range d.unresolved {
		if e.ShopID == r.shopID && e.MobileKey == key && e.Points == r.points && slices.Equal(e.TicketIDs, r.tickets) {
			return e, true
		}
	}
	return journal.Entry{}, false
}

// onMember reports whether unresolved order e is the member on screen's.
func (d *desk) onMember(e journal.Entry) bool {
	return d.conn.log != nil && d.model.state == stateFound && e.MobileKey == d.conn.log.MobileKey(d.model.mobile)
}

// openUnresolved shows unresolved order e of the member on screen with why (intro):
// the evidence first, then Retry / It was charged / It was not charged.
func (d *desk) openUnresolved(e journal.Entry, intro string) {
	d.touch()
	if d.sending != nil || !d.onMember(e) {
		return
	}
	r := redemption{shopID: e.ShopID, mobile: d.model.mobile, what: entryWhat(e), points: e.Points,
		tickets: e.TicketIDs, before: -1, orderID: e.OrderID}
	d.ui.confirm.settle(r, d.conn.shopNameOf(e.ShopID), intro)
	rl, ticketOf := d.rewardsLookup(), d.opts.TicketIDOf
	d.spawn(func() {
		ev := fetchEvidence(rl, r, ticketOf)
		d.onUI(func() {
			d.applyEvidence(r.mobile, ev)
			d.ui.confirm.showEvidence(r.orderID, ev.describe(r))
		})
	})
}

// onSettleTapped opens an unresolved order from the Rewards view's list.
func (d *desk) onSettleTapped(e journal.Entry) {
	d.openUnresolved(e, tr("redeem.settle_intro", map[string]any{"Order": e.OrderID, "When": e.Time.Local().Format("2006-01-02 15:04")}))
}

// resolveOrder records a person's settlement of r's order (off the UI goroutine: the
// journal's lock and fsync), then shows it.
func (d *desk) resolveOrder(r redemption, charged bool) {
	d.touch()
	log := d.conn.log
	if log == nil {
		return
	}
	resolution := journal.ResolutionNotCharged
	if charged {
		resolution = journal.ResolutionCharged
	}
	d.ui.confirm.saving()
	now := d.now()
	d.sends.Add(1)
	d.spawn(func() {
		defer d.sends.Done()
		_, err := log.Resolve(r.orderID, resolution)
		lists := readRedemptions(log, now)
		d.onUI(func() {
			d.applyRedemptions(lists)
			if err != nil {
				d.log.Warn("redeem resolution not recorded", "order_id", r.orderID, "err", err.Error())
				d.ui.confirm.finish(r, tr("redeem.resolve_failed", map[string]any{"Reason": service.Printable(err.Error())}), widget.DangerImportance, false)
				d.closeIfAsked()
				return
			}
			d.log.Info("redeem resolved", "order_id", r.orderID, "resolution", resolution)
			key := "redeem.resolved_not_charged"
			if charged {
				key = "redeem.resolved_charged"
			}
			d.ui.confirm.finish(r, tr(key, map[string]any{"Order": r.orderID}), widget.SuccessImportance, false)
			if !d.closeIfAsked() {
				d.scheduleIdleClear()
			}
		})
	})
}

// focusAfterPanel gives the focus back to the Rewards view's control named returnTo,
// if the view still has it, else to its first control; without the Rewards view, to the
// number entry.
func (d *desk) focusAfterPanel(returnTo string) {
	v := d.ui.panels.rewards
	if !d.model.rewards.open || v == nil || d.model.state != stateFound || !v.box.Visible() {
		d.focusEntry()
		return
	}
	if f := v.control(returnTo); f != nil && (returnTo != "points" || v.pointsRow.Visible()) {
		d.win.Canvas().Focus(f)
		return
	}
	if v.pointsRow.Visible() {
		d.win.Canvas().Focus(v.points)
		return
	}
	d.win.Canvas().Focus(v.back)
}

// entryWhat is what an order was, for people: its label, else its points or coupons.
func entryWhat(e journal.Entry) string {
	if e.What != "" {
		return service.Printable(e.What)
	}
	if len(e.TicketIDs) > 0 {
		return tr("rewards.coupons_n", map[string]any{"N": len(e.TicketIDs)})
	}
	return tr("rewards.points_n", map[string]any{"N": groupDigits(e.Points)})
}
