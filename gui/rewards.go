package gui

import (
	"context"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// RewardsLookup reads a member's gifts and coupons: *service.Client has it.
type RewardsLookup interface {
	LookupRewards(ctx context.Context, shopID, mobile string) (service.Rewards, error)
}

// Redeemer sends a redemption at most once, journaled: *journal.Redeemer has it. An
// order without an id gets a new one, unless an unresolved order holds the same
// redemption (journal.ErrUnresolvedTwin): then nothing is sent.
type Redeemer interface {
	Redeem(ctx context.Context, o journal.Order) (journal.Result, error)
}

// RedemptionLog is this desk's redemption journal: *journal.Journal has it. Every
// method may block (a lock, a file read, an fsync): never call one on the UI goroutine.
type RedemptionLog interface {
	Entries(since time.Time) ([]journal.Entry, []journal.Problem, error)
	// Unresolved lists the orders still pending or unknown, any day.
	Unresolved() ([]journal.Entry, error)
	// Resolve records a person's settlement of an unresolved order.
	Resolve(orderID, resolution string) (journal.Entry, error)
	// Append writes an entry: an outcome that could not be written before.
	Append(e journal.Entry) error
	// MobileKey is the journal's keyed hash of a number (no file access).
	MobileKey(mobile string) string
	// Path is the journal file, for the demo's "journaled in …".
	Path() string
}

// rewardsModel is the Rewards view of the member on screen. It belongs to the member:
// a new lookup, Esc and the idle auto-clear replace the model and so close it.
type rewardsModel struct {
	open    bool
	loading bool
	data    *service.Rewards
	err     error
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
	shop := d.conn.shopID
	ctx, cancel := context.WithCancel(d.life)
	d.cancelRewards = cancel
	// The journal's lists are read on their own: the gifts never wait for a slow disk
	// (and a twin the window has not seen yet is still held by the Redeemer).
	d.loadRedemptions()
	d.spawn(func() {
		defer cancel()
		r, err := rl.LookupRewards(ctx, shop, mobile)
		d.onUI(func() {
			if seq != d.lookupSeq || d.model.state != stateFound {
				return
			}
			m := d.model
			m.rewards.loading = false
			if err != nil {
				m.rewards.err = err
			} else {
				m.rewards.data, m.rewards.err = &r, nil
			}
			d.setStateThen(m, func() {
				// Points to redeem can be typed at once (a scan typed there is still looked up).
				if v := d.ui.panels.rewards; err == nil && m.rewards.open && v != nil && v.pointsRow.Visible() &&
					d.win.Canvas().Focused() == d.ui.entry {
					d.win.Canvas().Focus(v.points)
				}
			})
		})
	})
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
