//go:build linux

package main

import (
	"strings"
	"testing"
	"time"
)

// TestRedeemInTheDemo redeems a gift, then points, the way a cashier does with the
// keyboard only, in the real window on the demo server: F2 opens the member's gifts
// and coupons, Redeem (or typed points and Enter) asks for confirmation, Confirm
// sends, and the member's new balance is shown. The demo server deducts for real.
func TestRedeemInTheDemo(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	env.scan("0911111111")
	before := app.waitPoints("-KX19A302", "")
	env.key("F2")
	app.waitPoints("-KX19A302", "shown")
	// The points box has the focus; Tab, Tab reaches the cheapest gift's Redeem
	// (小杯美式, 50 points: the demo member has enough).
	env.key("Tab")
	env.key("Tab")
	env.key("Return") // the confirmation opens, Cancel focused
	app.waitLog(`"msg":"redeem asked","points":50`)
	env.key("shift+Tab") // Confirm
	env.key("Return")
	after := app.waitPoints("-KX19A302", "")
	if after != before-50 {
		t.Fatalf("points %d after redeeming a 50-point gift of %d", after, before)
	}
	// Points typed by hand redeem the same way.
	env.key("F2")
	app.waitPoints("-KX19A302", "shown")
	env.xdotool("type", "--delay", "80", "10") // typed by hand: not a scan
	env.key("Return")
	app.waitLog(`"msg":"redeem asked","points":10`)
	env.key("shift+Tab")
	env.key("Return")
	if last := app.waitPoints("-KX19A302", ""); last != after-10 {
		t.Fatalf("points %d after redeeming 10 of %d", last, after)
	}
	app.stop()
}

// waitPoints waits for the member to be logged as found (with the Rewards view in
// state rewards: "" for closed) and returns their points.
func (a *runningApp) waitPoints(memberID, rewards string) int64 {
	a.t.Helper()
	s := a.waitLine("member "+memberID+" (rewards "+rewards+")", func(s stateLine) bool {
		return s.State == "found" && s.MemberID == memberID && s.Rewards == rewards && s.Points != nil
	})
	return *s.Points
}

// waitLog waits until the app has logged a line containing text.
func (a *runningApp) waitLog(text string) {
	a.t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(a.stderrText(), text) {
		select {
		case <-a.change:
		case <-deadline:
			a.t.Fatalf("%s never logged; log:\n%s", text, a.stderrText())
		}
	}
}
