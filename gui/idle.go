package gui

// The idle auto-clear: a member's data leaves the screen after a while without
// activity, so that the next customer at the counter does not see it.

// touch records activity: a pending idle auto-clear starts counting again from now.
// (Only dropping the pending clear, as before, kept a member on screen for good after
// one tap on Copy or About.)
func (d *desk) touch() {
	d.idleSeq++
	if d.idleArmed {
		d.scheduleIdleClear()
	}
}

// scheduleIdleClear clears the member off the screen after IdleClear without activity,
// so the next customer at the counter does not see the previous one's data.
func (d *desk) scheduleIdleClear() {
	if d.opts.IdleClear < 0 {
		return
	}
	d.idleSeq++
	d.idleArmed = true
	seq := d.idleSeq
	d.after(d.opts.IdleClear, func() {
		if seq == d.idleSeq && d.idleArmed {
			d.clearForPrivacy()
		}
	})
}

// clearForPrivacy is the idle auto-clear: member, entry and recent list all go.
func (d *desk) clearForPrivacy() {
	if d.ui.confirm != nil && d.ui.confirm.busy() {
		return // a redemption's answer is awaited; its outcome arms the clear again
	}
	d.idleArmed = false
	d.closeOverlays()
	d.hideNotice() // it may name a member (a redemption's outcome)
	d.cancelPending()
	d.ui.entry.clear()
	d.lastLookup, d.lastSubmit = "", ""
	d.model.recent = nil
	d.setState(d.restingModel())
	d.focusEntry()
	d.log.Info("idle auto-clear")
}
