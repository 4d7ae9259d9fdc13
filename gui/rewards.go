package gui

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// RewardsLookup reads a member's gifts and coupons: *service.Client has it.
type RewardsLookup interface {
	LookupRewards(ctx context.Context, shopID, mobile string) (service.Rewards, error)
}

// Redeemer sends a redemption at most once, journaled: *journal.Redeemer has it.
type Redeemer interface {
	NewOrderID(shopID string) (string, error)
	Redeem(ctx context.Context, req service.RedeemRequest) (journal.Result, error)
}

// RedemptionLog lists the redemptions journaled at this desk: *journal.Journal has it.
type RedemptionLog interface {
	Entries(since time.Time) ([]journal.Entry, []journal.Problem, error)
}

// rewardsModel is the Rewards view of the member on screen. It belongs to the member:
// a new lookup, Esc and the idle auto-clear replace the model and so close it.
type rewardsModel struct {
	open    bool
	loading bool
	data    *service.Rewards
	err     error
	// today is this desk's redemptions today, read off the UI goroutine with the rewards.
	today []journal.Entry
}

// onOpenRewards (F2, the Rewards button) shows the member's gifts and coupons. They
// load on demand, so a lookup never waits for them.
func (d *desk) onOpenRewards() {
	d.touch()
	if d.model.state != stateFound || d.model.rewards.open {
		return
	}
	m := d.model
	m.rewards.open = true
	if m.rewards.data == nil && !m.rewards.loading {
		if rl, ok := d.conn.lookup.(RewardsLookup); ok {
			m.rewards.loading, m.rewards.err = true, nil
			d.loadRewards(rl, d.lookupSeq, m.mobile)
		} else {
			m.rewards.err = service.ErrConfig
		}
	}
	d.setState(m)
}

// onCloseRewards goes back to the member card.
func (d *desk) onCloseRewards() {
	d.touch()
	m := d.model
	m.rewards.open = false
	d.setState(m)
	d.focusEntry()
}

// loadRewards fetches the rewards for lookup seq; a reply for another lookup is dropped.
func (d *desk) loadRewards(rl RewardsLookup, seq uint64, mobile string) {
	shop, log, now := d.conn.shopID, d.conn.log, d.now()
	ctx, cancel := context.WithCancel(d.life)
	d.cancelRewards = cancel
	go func() {
		defer cancel()
		r, err := rl.LookupRewards(ctx, shop, mobile)
		today := todaysRedemptions(log, now) // a file read: not on the UI goroutine
		d.onUI(func() {
			if seq != d.lookupSeq || d.model.state != stateFound {
				return
			}
			m := d.model
			m.rewards.loading, m.rewards.today = false, today
			if err != nil {
				m.rewards.err = err
			} else {
				m.rewards.data, m.rewards.err = &r, nil
			}
			d.setState(m)
			// Points to redeem can be typed at once (a scan typed there is still looked up).
			if v := d.ui.panels.rewards; err == nil && m.rewards.open && v != nil && v.pointsRow.Visible() &&
				d.win.Canvas().Focused() == d.ui.entry {
				d.win.Canvas().Focus(v.points)
			}
		})
	}()
}

// redemption is one redemption the cashier asked for, from confirmation to outcome.
type redemption struct {
	shopID, mobile string
	what           string // gift or coupon titles, or "N points", for the cashier
	points         int64
	tickets        []string
	before         int64  // the member's points when it was asked for
	orderID        string // set when first sent; a retry after an unknown outcome reuses it
}

// onRedeemGift asks to redeem gift g for its points.
func (d *desk) onRedeemGift(g service.Gift) {
	d.askRedeem(redemption{what: service.Printable(g.Title), points: g.RequirePoints})
}

// onRedeemCoupon asks to redeem coupon c.
func (d *desk) onRedeemCoupon(c service.Coupon) {
	d.askRedeem(redemption{what: service.Printable(c.Title), tickets: []string{d.opts.TicketIDOf(c)}})
}

// onRedeemPoints asks to redeem n points.
func (d *desk) onRedeemPoints(n int64) {
	d.askRedeem(redemption{what: tr("rewards.points_n", map[string]any{"N": groupDigits(n)}), points: n})
}

func (d *desk) askRedeem(r redemption) {
	d.touch()
	if d.conn.redeemer == nil || d.model.state != stateFound {
		return
	}
	r.shopID, r.mobile = d.conn.shopID, d.model.mobile
	if c := d.model.member.Card; c != nil {
		r.before = c.Points
	}
	if d.model.rewards.data != nil {
		r.before = d.model.rewards.data.Points()
	}
	d.ui.confirm.ask(r, d.conn.shopName())
	d.log.Info("redeem asked", "points", r.points, "coupons", len(r.tickets))
}

// sendRedeem sends r (once: the confirm button is gone while it is on its way, and the
// Redeemer shares one send among concurrent calls for one order).
func (d *desk) sendRedeem(r redemption) {
	d.touch()
	redeemer := d.conn.redeemer
	if redeemer == nil {
		return
	}
	if r.orderID == "" {
		id, err := redeemer.NewOrderID(r.shopID)
		if err != nil {
			d.ui.confirm.failed(r, tr("redeem.not_sent", map[string]any{"Reason": err.Error()}))
			return
		}
		r.orderID = id
	}
	d.ui.confirm.sending(r)
	d.log.Info("redeem", "order_id", r.orderID, "mobile", service.MaskMobile(r.mobile), "points", r.points, "coupons", len(r.tickets))
	req := service.RedeemRequest{ShopID: r.shopID, OrderID: r.orderID, Mobile: r.mobile, TicketIDs: r.tickets, Points: r.points}
	lookup, log, now := d.conn.lookup, d.conn.log, d.now()
	go func() {
		// Not tied to the desk's life: closing the window does not cancel a redemption on
		// its way. If the process ends before the answer, the journal keeps it pending,
		// and the next start shows it as unknown.
		res, err := redeemer.Redeem(context.Background(), req)
		balance := int64(-1)
		if err == nil && res.State == journal.Unknown && lookup != nil {
			// What the cashier compares before retrying: the balance now.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			if m, lerr := lookup.LookupMember(ctx, r.shopID, r.mobile); lerr == nil && m.Card != nil {
				balance = m.Card.Points
			}
			cancel()
		}
		today := todaysRedemptions(log, now) // with this one's outcome; read off the UI goroutine
		d.onUI(func() {
			if m := d.model; m.state == stateFound && m.mobile == r.mobile && m.rewards.open {
				m.rewards.today = today
				d.setState(m)
			}
			d.onRedeemDone(r, res, err, balance)
		})
	}()
}

// onRedeemDone shows a redemption's outcome, on the confirmation if it is still open
// and under the entry in any case; after a redemption the member is looked up again.
func (d *desk) onRedeemDone(r redemption, res journal.Result, err error, balance int64) {
	masked := service.MaskMobile(r.mobile)
	switch {
	case err != nil:
		d.log.Warn("redeem not sent", "order_id", r.orderID, "err", err.Error())
		msg := tr("redeem.not_sent", map[string]any{"Reason": err.Error()})
		d.ui.confirm.failed(r, msg)
		d.showWarning(tr("redeem.notice_failed", map[string]any{"What": r.what, "Mobile": masked, "Reason": msg}))
	case res.State == journal.Done:
		d.log.Info("redeem done", "order_id", r.orderID, "replayed", res.Replayed)
		d.ui.confirm.done(r)
		d.showNotice(tr("redeem.notice_done", map[string]any{"What": r.what, "Mobile": masked}))
		d.refetchAfterRedeem(r.mobile)
	case res.State == journal.Unknown:
		d.log.Warn("redeem outcome unknown", "order_id", r.orderID)
		d.ui.confirm.unknown(r, balance)
		d.showWarning(tr("redeem.notice_unknown", map[string]any{"What": r.what, "Mobile": masked, "Order": r.orderID}))
	default:
		msg := tr("redeem.refused_generic")
		var se *service.Error
		if errors.As(res.Err, &se) && se.APIMessage != "" {
			msg = se.APIMessage
		}
		d.log.Warn("redeem refused", "order_id", r.orderID, "kind", service.KindOf(res.Err).String())
		refused := tr("redeem.refused", map[string]any{"Message": service.Printable(msg)})
		d.ui.confirm.failed(r, refused)
		d.showWarning(tr("redeem.notice_failed", map[string]any{"What": r.what, "Mobile": masked, "Reason": refused}))
	}
	// The notice names the member (masked): the idle auto-clear must take it away too,
	// even when the screen was cleared while the redemption was on its way.
	d.scheduleIdleClear()
}

// refetchAfterRedeem looks the member up again so the new balance shows, if the
// member is still the one on screen.
func (d *desk) refetchAfterRedeem(mobile string) {
	if d.model.mobile != mobile || d.model.state != stateFound {
		return
	}
	d.lastSubmit, d.lastSubmitAt = mobile, d.now()
	d.lookup(mobile)
}

// todaysRedemptions lists the redemptions in log since the midnight before now,
// newest first, each with its latest state (pending shown as unknown).
func todaysRedemptions(log RedemptionLog, now time.Time) []journal.Entry {
	if log == nil {
		return nil
	}
	y, mo, day := now.Date()
	entries, _, err := log.Entries(time.Date(y, mo, day, 0, 0, 0, 0, now.Location()))
	if err != nil {
		return nil
	}
	latest := journal.Latest(entries)
	slices.Reverse(latest)
	return latest
}

// rewardsState names the Rewards view's state for the log.
func rewardsState(r rewardsModel) string {
	switch {
	case r.loading:
		return "loading"
	case r.err != nil:
		return "error"
	case r.data != nil:
		return "shown"
	}
	return "none"
}
