package gui

import (
	"context"
	"errors"

	"github.com/ocard-desk/ocard-desk/service"
)

// A lookup's life: started off the UI goroutine, cancelled by a newer one (or Esc, or a
// new connection), and its reply shown only if it is still the latest.

// lookup starts an asynchronous lookup; a newer lookup cancels this one.
func (d *desk) lookup(mobile string) {
	d.cancelPending()
	if d.conn.lookup == nil {
		d.log.Info("scan on a desk that is not set up: nothing sent")
		d.setState(d.restingModel())
		return
	}
	d.lastLookup = mobile
	d.lookupSeq++
	seq := d.lookupSeq
	ctx, cancel := context.WithCancel(d.life)
	d.cancelLookup = cancel
	d.setState(deskModel{state: stateLoading, mobile: mobile, recent: d.model.recent})

	lookup, shop := d.conn.lookup, d.conn.shopID
	d.spawn(func() {
		defer cancel()
		member, lookupErr := lookup.LookupMember(ctx, shop, mobile)
		d.onUI(func() { d.onLookupDone(seq, mobile, member, lookupErr) })
	})
}

func (d *desk) cancelPending() {
	if d.cancelLookup != nil {
		d.cancelLookup()
		d.cancelLookup = nil
	}
	for _, cancel := range []*context.CancelFunc{&d.cancelAvatar, &d.cancelRewards} {
		if *cancel != nil {
			(*cancel)()
			*cancel = nil
		}
	}
	d.lookupSeq++ // whatever is in flight is stale from now on
}

// onLookupDone shows a lookup's outcome unless a newer lookup has started since.
func (d *desk) onLookupDone(seq uint64, mobile string, member service.Member, lookupErr error) {
	if seq != d.lookupSeq {
		d.log.Debug("stale lookup reply dropped", "mobile", service.MaskMobile(mobile))
		return
	}
	d.cancelLookup = nil
	next := deskModel{mobile: mobile, recent: addRecent(d.model.recent, mobile)}
	switch {
	case lookupErr == nil:
		next.state, next.member = stateFound, member
	case errors.Is(lookupErr, service.ErrNotMember):
		next.state = stateNotMember
	default:
		next.state, next.err = stateError, lookupErr
	}
	d.setState(next)
	// Select the number so the next scan replaces it, but only if the entry still holds
	// it: when the next scan is already being typed, selecting now would let its
	// remaining digits overwrite the ones already typed.
	if typed, err := service.NormaliseMobile(d.ui.entry.Text); err == nil && typed == mobile {
		d.ui.entry.selectAll()
	}
	d.focusEntry()
	d.scheduleIdleClear()
	if next.state == stateFound && member.AvatarURL != "" && d.opts.Avatars != nil {
		d.loadAvatar(seq, member.AvatarURL)
	}
}
