package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// A redemption's life at the counter: asked (a confirmation), sent (the panel stays
// until the answer), answered (done, refused, or unknown). Unknown stays unknown until a
// person settles it (unresolved.go): asking for the same thing again opens that order
// instead of making a new one, so a member is never charged twice for one intent.

// maxRedeemPoints is the most points one redemption at the desk may take: a typo of a
// few extra digits is refused before it reaches the confirmation.
const maxRedeemPoints = 100_000

// redemption is one redemption the cashier asked for, from confirmation to outcome.
type redemption struct {
	shopID, mobile string
	what           string // gift or coupon titles, or "N points", for the cashier
	points         int64
	tickets        []string
	before         int64  // the member's points when it was asked for (-1: not known)
	orderID        string // set once sent; a retry of an unknown outcome reuses it
}

// request is r as the Redeemer takes it.
func (r redemption) order() journal.Order {
	return journal.Order{RedeemRequest: service.RedeemRequest{ShopID: r.shopID, OrderID: r.orderID, Mobile: r.mobile,
		TicketIDs: r.tickets, Points: r.points}, What: r.what}
}

// onRedeemGift asks to redeem gift g for its points.
func (d *desk) onRedeemGift(g service.Gift) {
	d.askRedeem(redemption{what: service.Printable(g.Title), points: g.RequirePoints})
}

// onRedeemCoupon asks to redeem coupon c.
func (d *desk) onRedeemCoupon(c service.Coupon) {
	d.askRedeem(redemption{what: service.Printable(c.Title), tickets: []string{d.opts.TicketIDOf(c)}})
}

// onRedeemPoints asks to redeem n typed points, refused above a sane limit and above
// the member's balance: the confirmation never shows a negative balance after.
func (d *desk) onRedeemPoints(n int64) bool {
	switch balance := d.balance(); {
	case n > maxRedeemPoints:
		d.sayInRewards(tr("rewards.points_over_limit", map[string]any{"Max": groupDigits(maxRedeemPoints)}))
		return false
	case n > balance:
		d.sayInRewards(tr("rewards.points_over_balance", map[string]any{"N": groupDigits(balance)}))
		return false
	}
	d.askRedeem(redemption{what: tr("rewards.points_n", map[string]any{"N": groupDigits(n)}), points: n})
	return true
}

// balance is the member's points as the window shows them (the Rewards view's, which
// is re-read after every redemption, else the member card's).
func (d *desk) balance() int64 {
	if d.model.rewards.data != nil {
		return d.model.rewards.data.Points()
	}
	if c := d.model.member.Card; c != nil {
		return c.Points
	}
	return 0
}

func (d *desk) askRedeem(r redemption) {
	d.touch()
	if d.conn.redeemer == nil || d.model.state != stateFound {
		return
	}
	if d.sending != nil {
		d.sayInRewards(tr("redeem.wait_for_answer"))
		return
	}
	r.shopID, r.mobile, r.before = d.conn.shopID, d.model.mobile, d.balance()
	if r.points > r.before {
		d.sayInRewards(tr("rewards.points_over_balance", map[string]any{"N": groupDigits(r.before)}))
		return
	}
	if twin, ok := d.unresolvedTwin(r); ok {
		d.log.Info("redeem asked: the same as an unresolved order", "order_id", twin.OrderID)
		d.openUnresolved(twin, tr("redeem.twin", map[string]any{"Order": twin.OrderID}))
		return
	}
	warning := ""
	if d.unwritten != nil {
		warning = tr("redeem.journal_blocked", map[string]any{"Reason": d.unwrittenErr})
	}
	d.ui.confirm.ask(r, d.conn.shopName(), warning)
	d.log.Info("redeem asked", "points", r.points, "coupons", len(r.tickets))
}

// sayInRewards puts a refusal on the Rewards view's status line.
func (d *desk) sayInRewards(text string) {
	if v := d.ui.panels.rewards; v != nil {
		v.status.Importance = widget.WarningImportance
		v.status.SetText(text)
	}
	d.log.Info("redeem refused at the desk", "reason", text)
}

// sendRedeem sends r: one redemption at a time at this desk, the panel showing until its
// answer comes. Everything that may block (an outcome the journal could not record
// before, the order id, the journal's lock and fsyncs, the request) runs off the UI
// goroutine.
func (d *desk) sendRedeem(r redemption) {
	d.touch()
	redeemer, log := d.conn.redeemer, d.conn.log
	if redeemer == nil || d.sending != nil {
		return
	}
	d.sending = &r
	d.ui.confirm.sending(r)
	d.log.Info("redeem", "order_id", r.orderID, "mobile", service.MaskMobile(r.mobile), "points", r.points, "coupons", len(r.tickets))
	unwritten, rl, ticketOf, now := d.unwritten, d.rewardsLookup(), d.opts.TicketIDOf, d.now()
	d.sends.Add(1)
	d.spawn(func() {
		defer d.sends.Done()
		var res journal.Result
		var err error
		rewritten := false
		if unwritten != nil && log != nil {
			if werr := log.Append(*unwritten); werr != nil {
				err = fmt.Errorf("%w: %w", errJournalBlocked, werr)
			} else {
				rewritten = true
			}
		}
		if err == nil {
			// Not tied to the desk's life: closing the window waits for the answer (exit.go).
			res, err = redeemer.Redeem(context.Background(), r.order())
		}
		if res.OrderID != "" {
			r.orderID = res.OrderID
		}
		var ev evidence
		if err == nil && (res.State == journal.Done || res.State == journal.Unknown) {
			ev = fetchEvidence(rl, r, ticketOf) // the balance now, for the cashier and every figure on screen
		}
		lists := readRedemptions(log, now) // with this one's outcome
		d.onUI(func() {
			d.sending = nil
			if rewritten {
				d.unwritten, d.unwrittenErr = nil, ""
			}
			if res.Unwritten != nil {
				d.unwritten, d.unwrittenErr = res.Unwritten, service.Printable(res.JournalErr.Error())
			}
			// One redraw: the re-read balance's, which shows the new lists too.
			if taken := d.takeRedemptions(lists); !d.applyEvidence(r.mobile, ev) && taken {
				d.redrawRewards()
			}
			d.onRedeemDone(r, res, err, ev)
		})
	})
}

// errJournalBlocked: an outcome the journal could not record before still cannot be.
var errJournalBlocked = errors.New("the journal still cannot record the last redemption's outcome")

// onRedeemDone shows a redemption's outcome, on the panel if it is still open and under
// the entry in any case.
func (d *desk) onRedeemDone(r redemption, res journal.Result, err error, ev evidence) {
	masked := service.MaskMobile(r.mobile)
	var twin *journal.TwinError
	switch {
	case errors.As(err, &twin):
		// Another window or the command line left the same redemption unresolved since
		// this desk last read the journal: that order, not a new one.
		d.log.Info("redeem not sent: the same as an unresolved order", "order_id", twin.Order.OrderID)
		d.openUnresolved(twin.Order, tr("redeem.twin", map[string]any{"Order": twin.Order.OrderID}))
	case err != nil:
		d.log.Warn("redeem not sent", "order_id", r.orderID, "err", err.Error())
		msg := tr("redeem.not_sent", map[string]any{"Reason": service.Printable(err.Error())})
		d.ui.confirm.finish(r, msg, widget.DangerImportance, false)
		d.showWarning(tr("redeem.notice_failed", map[string]any{"What": r.what, "Mobile": masked, "Reason": msg}))
	case res.State == journal.Done:
		d.log.Info("redeem done", "order_id", r.orderID, "replayed", res.Replayed)
		d.ui.confirm.finish(r, d.withJournalProblem(tr("redeem.done", map[string]any{"Now": ev.balanceText()}), res), d.outcomeImportance(widget.SuccessImportance, res), false)
		d.showNotice(tr("redeem.notice_done", map[string]any{"What": r.what, "Mobile": masked}))
	case res.State == journal.Unknown:
		d.log.Warn("redeem outcome unknown", "order_id", r.orderID, "kind", service.KindOf(res.Err).String())
		text := tr("redeem.unknown", map[string]any{"Order": r.orderID})
		if msg := apiMessage(res.Err); msg != "" {
			text = tr("redeem.unknown_answered", map[string]any{"Order": r.orderID, "Message": msg})
		}
		text += "\n" + ev.describe(r)
		d.ui.confirm.finish(r, d.withJournalProblem(text, res), widget.WarningImportance, true)
		d.showWarning(tr("redeem.notice_unknown", map[string]any{"What": r.what, "Mobile": masked, "Order": r.orderID}))
	default:
		d.log.Warn("redeem refused", "order_id", r.orderID, "kind", service.KindOf(res.Err).String())
		refused := refusalText(res.Err)
		d.ui.confirm.finish(r, d.withJournalProblem(refused, res), widget.DangerImportance, false)
		d.showWarning(tr("redeem.notice_refused", map[string]any{"What": r.what, "Mobile": masked, "Reason": refused}))
	}
	if d.closeIfAsked() {
		return
	}
	// The notice names the member (masked): the idle auto-clear must take it away too,
	// even when the screen was cleared while the redemption was on its way.
	d.scheduleIdleClear()
}

// withJournalProblem adds to an outcome that the journal could not record it.
func (d *desk) withJournalProblem(text string, res journal.Result) string {
	if res.JournalErr == nil {
		return text
	}
	d.log.Warn("redeem outcome not journaled", "order_id", res.OrderID, "err", res.JournalErr.Error())
	return text + "\n" + tr("redeem.journal_failed", map[string]any{"Reason": service.Printable(res.JournalErr.Error())})
}

// outcomeImportance is the warning colour when the journal could not record an outcome.
func (d *desk) outcomeImportance(ok widget.Importance, res journal.Result) widget.Importance {
	if res.JournalErr != nil {
		return widget.WarningImportance
	}
	return ok
}

// refusalText says once, in the window's language, that nothing was redeemed, then
// quotes the member system's own message as the system's.
func refusalText(err error) string {
	if msg := apiMessage(err); msg != "" {
		return tr("redeem.refused", map[string]any{"Message": msg})
	}
	return tr("redeem.refused_generic")
}

// apiMessage is the member system's own message in err, "" when it gave none.
func apiMessage(err error) string {
	var se *service.Error
	if errors.As(err, &se) && se.APIMessage != "" {
		return service.Printable(se.APIMessage)
	}
	return ""
}

// redemptions is what the journal says, read off the UI goroutine.
type redemptions struct {
	read       bool
	unresolved []journal.Entry // pending or unknown, any day, oldest first
	today      []journal.Entry // today's orders, newest first, each with its latest state
}

// readRedemptions reads the journal's unresolved orders and today's (file reads).
func readRedemptions(log RedemptionLog, now time.Time) redemptions {
	if log == nil {
		return redemptions{}
	}
	var out redemptions
	if u, err := log.Unresolved(); err == nil {
		out.unresolved, out.read = u, true
	}
	y, mo, day := now.Date()
	if entries, _, err := log.Entries(time.Date(y, mo, day, 0, 0, 0, 0, now.Location())); err == nil {
		out.today = journal.Latest(entries)
		slices.Reverse(out.today)
	}
	return out
}

// applyRedemptions takes a fresh read of the journal: the header's badge and the
// Rewards view's lists follow it.
func (d *desk) applyRedemptions(r redemptions) {
	if d.takeRedemptions(r) {
		d.redrawRewards()
	}
}

// takeRedemptions keeps a read of the journal and redraws the badge; it reports whether
// there was one (the Rewards view then needs a redraw too).
func (d *desk) takeRedemptions(r redemptions) bool {
	if !r.read {
		return false
	}
	d.unresolved, d.today = r.unresolved, r.today
	d.ui.header.refreshBadge(d.unresolved)
	return true
}

// redrawRewards redraws the Rewards view when it shows.
func (d *desk) redrawRewards() {
	if d.model.state == stateFound && d.model.rewards.open {
		d.refreshAll()
	}
}

// loadRedemptions reads the journal's unresolved orders (any day) and today's off the UI
// goroutine: the header's badge names the unresolved ones until each is settled.
func (d *desk) loadRedemptions() {
	log, now := d.conn.log, d.now()
	if log == nil {
		return
	}
	d.spawn(func() {
		lists := readRedemptions(log, now)
		d.onUI(func() { d.applyRedemptions(lists) })
	})
}
