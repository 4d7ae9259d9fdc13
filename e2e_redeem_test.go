//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
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
	// The balance is read again and shown everywhere; the Rewards view stays.
	after := app.waitPoints("-KX19A302", "shown")
	if after != before-50 {
		t.Fatalf("points %d after redeeming a 50-point gift of %d", after, before)
	}
	// Points typed by hand redeem the same way. Esc closes the outcome and gives the
	// focus back to the gift's Redeem; Tab, Tab… shift+Tab twice reaches the points box.
	env.key("Escape")
	env.key("shift+Tab")
	env.key("shift+Tab")
	env.xdotool("type", "--delay", "80", "10") // typed by hand: not a scan
	env.key("Return")
	app.waitLog(`"msg":"redeem asked","points":10`)
	env.key("shift+Tab")
	env.key("Return")
	if last := app.waitPoints("-KX19A302", "shown"); last != after-10 {
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

// TestUnknownRedemptionIsHeldUntilSettled is the counter's double charge, tried as a
// cashier would with the keyboard in the real window on the demo: 0900000005's
// redemptions are made but answered too late (outcome unknown). Esc while it is sent
// hides nothing and nothing else can be asked; the same gift asked again opens the
// same order, whose Retry sends the same order id; once "It was not charged" is
// recorded, a new redemption goes out under a new order id; the journal's
// --unresolved lists only that one.
func TestUnknownRedemptionIsHeldUntilSettled(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--idle-clear", "0")
	t.Cleanup(func() {
		if t.Failed() { // what the window showed, for whoever reads the failure
			os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
			writePNG(t, filepath.Join("testdata", "failed", "e2e_unknown_redemption.png"), env.screenshot())
			os.WriteFile(filepath.Join("testdata", "failed", "e2e_unknown_redemption.log"), []byte(app.stderrText()), 0o644)
		}
	})
	app.waitState("idle", "")
	redeemCheapestGift(env, app, "0900000005")

	// While it is on its way: Esc, Enter, F2 and a scan change nothing.
	env.key("Escape")
	app.waitLog("Esc while a redemption is on its way: the panel stays")
	env.key("Return")
	env.key("F2")
	env.scan("0911111111")
	app.waitLog("scan refused: a redemption is on its way")
	first := app.waitOrderID(`"msg":"redeem outcome unknown","order_id":"(\d+)"`, 1)
	if n := strings.Count(app.stderrText(), `"msg":"redeem asked"`); n != 1 {
		t.Fatalf("%d redemptions asked while the first was on its way, want 1", n)
	}
	if s := app.lastState(); s.State != "found" || s.Rewards != "shown" {
		t.Fatalf("the screen changed while the redemption was on its way: %+v", s)
	}

	// The same gift again: the unresolved order is offered, and Retry sends its id.
	env.key("Escape") // the outcome closes; the focus is back on the gift's Redeem
	env.key("Return")
	app.waitLog(`"msg":"redeem asked: the same as an unresolved order","order_id":"` + first + `"`)
	for range 3 {
		env.key("shift+Tab") // from Close: It was not charged, It was charged, Retry
	}
	env.key("Return")
	if again := app.waitOrderID(`"msg":"redeem outcome unknown","order_id":"(\d+)"`, 2); again != first {
		t.Fatalf("the retry sent order %s, want the same order %s", again, first)
	}

	// Settled as not charged, a new redemption of the same gift goes ahead.
	env.key("shift+Tab") // It was not charged
	env.key("Return")
	app.waitLog(`"msg":"redeem resolved","order_id":"` + first + `","resolution":"not charged"`)
	env.key("Escape")
	env.key("Return")
	app.waitOrderID(`"msg":"redeem asked","points":(50)`, 2) // the first, and this one after the settlement
	env.key("shift+Tab")
	env.key("Return")
	second := app.waitOrderID(`"msg":"redeem outcome unknown","order_id":"(\d+)"`, 3)
	if second == first {
		t.Fatalf("the new redemption reused order %s", first)
	}
	app.stop()

	// The command line agrees: only the second order is unresolved.
	dir := demoJournalDir(t, app.stderrText())
	cmd := exec.Command(env.bin, "journal", "--unresolved", "--json")
	cmd.Env = append(os.Environ(), "OCARD_JOURNAL_DIR="+dir, "XDG_CONFIG_HOME="+env.config)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("journal --unresolved: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"order_id":"`+second+`"`) || strings.Contains(string(out), first) {
		t.Fatalf("journal --unresolved lists:\n%s\nwant %s and not %s", out, second, first)
	}
}

// waitOrderID waits until pattern (one group: the order id) has matched n times in the
// log and returns the n-th id.
func (a *runningApp) waitOrderID(pattern string, n int) string {
	a.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(60 * time.Second)
	for {
		if m := re.FindAllStringSubmatch(a.stderrText(), -1); len(m) >= n {
			return m[n-1][1]
		}
		select {
		case <-a.change:
		case <-deadline:
			a.t.Fatalf("%s never logged %d times; log:\n%s", pattern, n, a.stderrText())
		}
	}
}

// demoJournalDir is the folder the demo's journal is in, as the window logged it.
func demoJournalDir(t *testing.T, log string) string {
	t.Helper()
	m := regexp.MustCompile(`"msg":"the demo.s redemption journal","dir":"([^"]+)"`).FindStringSubmatch(log)
	if m == nil {
		t.Fatalf("the demo never said where its journal is; log:\n%s", log)
	}
	return m[1]
}

// TestQuitWhileSendingCompletesTheJournal: SIGTERM while a redemption is on its way
// (0900000005 answers too late). Fyne closes the window at once; the process stays until
// the redemption's answer is in and journaled, so the journal says unknown, not a pending
// line that only says the process died.
func TestQuitWhileSendingCompletesTheJournal(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--idle-clear", "0")
	app.waitState("idle", "")
	redeemCheapestGift(env, app, "0900000005")
	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read before Wait: Wait closes the log's pipe once the process has ended.
	app.waitLog("exiting while a redemption is on its way")
	app.waitLog("the redemption on its way was answered and journaled")
	log := app.stderrText()
	done := make(chan error, 1)
	go func() { done <- app.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the process did not end after the redemption's answer; log:\n%s", log)
	}
	cmd := exec.Command(env.bin, "journal", "--json")
	cmd.Env = append(os.Environ(), "OCARD_JOURNAL_DIR="+demoJournalDir(t, log), "XDG_CONFIG_HOME="+env.config)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("journal --json: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, `"state":"unknown"`) {
		t.Fatalf("the journal's last line is %s, want the answer (unknown), not the pending line", last)
	}
}

// redeemCheapestGift does what a cashier does with the keyboard: scan mobile, F2, Tab to
// the cheapest gift's Redeem (50 points), Return, then shift+Tab to Confirm and Return;
// it returns once the redemption is on its way.
func redeemCheapestGift(env *e2e, app *runningApp, mobile string) {
	env.t.Helper()
	env.scan(mobile)
	app.waitLine("the member found", func(s stateLine) bool { return s.State == "found" && s.Rewards == "" })
	env.key("F2")
	app.waitLine("the rewards shown", func(s stateLine) bool { return s.State == "found" && s.Rewards == "shown" })
	env.key("Tab")
	env.key("Tab")
	env.key("Return") // the confirmation, Cancel focused
	app.waitLog(`"msg":"redeem asked","points":50`)
	env.key("shift+Tab") // Confirm
	env.key("Return")
	app.waitLog(`"msg":"redeem","order_id":""`)
}
