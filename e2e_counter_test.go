//go:build linux

package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// The counter's end-to-end tests (issue #9, points 1–5): the real window, a franchise
// desk's provisioning file with three shops on the demo server, and scans typed by
// xdotool while something other than the number box has the focus or is open.
// Positions are those of the 1024×720 window the e2e opens (header at the top right,
// recent list at the left); the reference screenshot pins that layout.
var (
	posShopPicker  = []string{"790", "30"}
	posSettings    = []string{"940", "30"}
	posAbout       = []string{"997", "30"}
	posRecentFirst = []string{"55", "174"}
	posBlank       = []string{"60", "600"} // below the recent list: nothing there
)

// The demo's members the tests scan, and their member ids.
var counterMembers = []struct{ mobile, id string }{
	{"0911111111", "-KX19A302"}, {"0903123123", "-JR04E188"}, {"0955555555", "-ZZ99K001"},
}

// startFranchiseDesk starts the window on a provisioning file with three shops (not
// locked, so that Settings can be edited) on a demo server of the test's own.
func startFranchiseDesk(t *testing.T, env *e2e) *runningApp {
	t.Helper()
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	prov := filepath.Join(t.TempDir(), "ocard-desk.json")
	provJSON := fmt.Sprintf(`{"base_url": %q, "token_url": %q, "client_id": %q, "client_secret": %q,
		"shops": [{"id": "000030", "name": "信義店"}, {"id": "000031", "name": "中山店"}, {"id": "000032", "name": "板橋店"}],
		"default_shop": "000030"}`, srv.BaseURL(), srv.TokenURL(), demo.ClientID, demo.ClientSecret)
	if err := os.WriteFile(prov, []byte(provJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	app := env.startApp("--config", prov, "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	return app
}

// click clicks the window at pos and waits until the screen has changed and settled
// (the click opened, closed or focused something a screenshot shows).
func (e *e2e) click(pos []string) {
	e.t.Helper()
	before := e.stillScreenshot() // not a frame still being painted from an earlier change
	e.xdotool("mousemove", pos[0], pos[1], "click", "1")
	e.settledScreenshot(before)
}

// scanAll scans each member in turn and waits for each to be on screen: no scan is lost.
func (e *e2e) scanAll(app *runningApp, what string) {
	e.t.Helper()
	for _, m := range counterMembers {
		e.scan(m.mobile)
		app.waitLine(fmt.Sprintf("%s: %s found", what, m.id), func(s stateLine) bool {
			return s.State == "found" && s.MemberID == m.id
		})
	}
}

// TestScansAreNeverLostWhateverIsOpen: point 1. Whatever the cashier last touched (the
// shop list, closed by Esc, by a click or by the scan itself; Copy; About; a recent
// entry), each of the next scans is looked up.
func TestScansAreNeverLostWhateverIsOpen(t *testing.T) {
	env := newE2E(t)
	app := startFranchiseDesk(t, env)
	env.scanAll(app, "first")

	env.click(posShopPicker)
	env.key("Escape")
	env.scanAll(app, "shop list closed with Esc")

	env.click(posShopPicker)
	env.click(posBlank)
	env.scanAll(app, "shop list closed with a click")

	env.click(posShopPicker)
	env.scanAll(app, "shop list open")

	env.click(posAbout)
	env.scanAll(app, "About open")

	env.click(posRecentFirst)
	env.scanAll(app, "recent entry clicked")

	if strings.Contains(app.stderrText(), `"msg":"shop changed"`) {
		t.Errorf("a scan picked a shop:\n%s", app.stderrText())
	}
	app.stop()
}

// TestScanWhileSettingsAreOpen: point 2. A scan in an unchanged Settings closes it and
// is looked up; in a changed one it is refused, with a message, and types nothing into
// the form; Esc closes Settings.
func TestScanWhileSettingsAreOpen(t *testing.T) {
	env := newE2E(t)
	app := startFranchiseDesk(t, env)
	env.scanAll(app, "first")

	env.click(posSettings)
	m := counterMembers[0]
	env.scan(m.mobile)
	app.waitLine("a scan in unchanged Settings is looked up", func(s stateLine) bool {
		return s.State == "found" && s.MemberID == m.id
	})

	env.click(posSettings)
	env.key("Tab")
	env.xdotool("type", "--delay", "120", "x") // a cashier's keystroke, not a scan…
	time.Sleep(400 * time.Millisecond)         // …and a pause before the scanner fires
	refusedBefore := strings.Count(app.stderrText(), "scan while settings are being edited")
	states := len(app.statesNow())
	env.scan(counterMembers[1].mobile)
	app.waitLog("scan while settings are being edited")
	if n := strings.Count(app.stderrText(), "scan while settings are being edited"); n != refusedBefore+1 {
		t.Errorf("%d refusals logged for one scan in a changed Settings", n-refusedBefore)
	}
	if got := app.statesNow()[states:]; len(got) != 0 {
		t.Errorf("a scan in a changed Settings changed the desk: %+v", got)
	}
	// Esc closes Settings (the changes are dropped); the desk takes scans again.
	env.key("Escape")
	env.scanAll(app, "after Settings closed with Esc")
	app.stop()
}

// TestRecentDoubleClickAndF5AfterEsc: point 3. A double click on a recent entry is one
// lookup; after Esc, F5 has nothing to repeat.
func TestRecentDoubleClickAndF5AfterEsc(t *testing.T) {
	env := newE2E(t)
	app := startFranchiseDesk(t, env)
	env.scanAll(app, "first") // recent: 0955…, 0903…, 0911…
	start := len(app.statesNow())
	env.xdotool("mousemove", posRecentFirst[0], "216", "click", "--repeat", "2", "--delay", "120", "1")
	// A sentinel scan marks the end: every lookup the double click started is logged before it.
	env.scan("0987654321")
	app.waitState("not_member", "")
	loads := 0
	for _, s := range app.statesNow()[start:] {
		if s.State == "loading" && s.Mobile != service.MaskMobile("0987654321") {
			loads++
		}
	}
	if loads != 1 {
		t.Errorf("a double click on a recent entry started %d lookups, want 1: %+v", loads, app.statesNow()[start:])
	}

	env.scan(counterMembers[0].mobile)
	app.waitState("found", counterMembers[0].id)
	env.key("Escape")
	app.waitState("idle", "")
	env.key("F5")
	env.scan(counterMembers[1].mobile)
	next := app.waitLine("the lookup after Esc, F5", func(s stateLine) bool { return s.State == "loading" })
	if next.Mobile != service.MaskMobile(counterMembers[1].mobile) {
		t.Errorf("F5 after Esc looked up %s again", next.Mobile)
	}
	app.stop()
}

// TestNeedsSetupStays: point 4. A desk that is not set up keeps its welcome screen, and
// a provisioning file's exact problem, through scans, a typo and Esc (the idle clear:
// TestNeedsSetupStaysUntilSetUp in gui).
func TestNeedsSetupStays(t *testing.T) {
	for _, c := range []struct {
		name, provisioning, reason string
	}{
		{name: "nothing configured"},
		{name: "broken provisioning file", provisioning: `{"base_url": "https://api.example", "shops": [`, reason: "ocard-desk.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := newE2E(t)
			args := []string{"--log-json", "--lang", "zh-TW", "--idle-clear", "0"}
			if c.provisioning != "" {
				prov := filepath.Join(t.TempDir(), "ocard-desk.json")
				if err := os.WriteFile(prov, []byte(c.provisioning), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", prov)
			}
			app := env.startApp(args...)
			first := app.waitLine("the welcome screen", func(s stateLine) bool { return s.State != "" })
			if first.State != "welcome" || !strings.Contains(first.Err, c.reason) {
				t.Fatalf("started in %+v, want welcome naming %q", first, c.reason)
			}
			env.scan(counterMembers[0].mobile)
			env.scan("12345") // a typo
			env.key("Escape")
			env.scan(counterMembers[1].mobile)
			// Each of the three scans is refused with one line; the third marks the end:
			// every state before it is logged.
			for strings.Count(app.stderrText(), "scan on a desk that is not set up") < 3 {
				select {
				case <-app.change:
				case <-time.After(30 * time.Second):
					t.Fatalf("the last scan was never refused:\n%s", app.stderrText())
				}
			}
			for _, s := range app.statesNow() {
				if s.State != "welcome" || s.Err != first.Err {
					t.Errorf("the desk left its welcome screen: %+v (first %+v)", s, first)
				}
			}
			app.stop()
		})
	}
}

// TestScannedCodesThatAreNotNumbers: point 5. An e-invoice carrier and a product barcode
// are named as such, and the previous member's carrier leaves the screen.
func TestScannedCodesThatAreNotNumbers(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	for _, c := range []struct{ scan, kind string }{
		{"/XXX1XXX", "carrier"}, {"4710088412345", "product"}, {"12345", "other"},
	} {
		env.scan("0903123123")
		app.waitState("found", "-JR04E188")
		env.scan(c.scan)
		got := app.waitLine("invalid "+c.kind, func(s stateLine) bool { return s.State == "invalid" })
		if got.NotMobile != c.kind {
			t.Errorf("%q was taken for %q, want %q", c.scan, got.NotMobile, c.kind)
		}
		if codes := readCodes(t, env.settledScreenshot(image.NewRGBA(e2eWindow))); len(codes) != 0 {
			t.Errorf("after %q the screen still shows codes %v", c.scan, codes)
		}
	}
	app.stop()
}

// stillScreenshot grabs the window until two grabs in a row are the same.
func (e *e2e) stillScreenshot() image.Image {
	e.t.Helper()
	last := e.screenshot()
	for attempt := 0; attempt < 100; attempt++ {
		img := e.screenshot()
		if differingPixels(img, last) == 0 {
			return img
		}
		last = img
	}
	e.t.Fatal("the screen never held still")
	return nil
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

// statesNow returns a copy of every state logged so far.
func (a *runningApp) statesNow() []stateLine {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]stateLine(nil), a.states...)
}

// TestSettingsByMouseInTheRealWindow: point 11. In Settings, the mouse wheel over a text
// field scrolls the form (Fyne hands the wheel to the field's own scroller), and a
// click still puts the cursor in the field under the wheel's catcher.
func TestSettingsByMouseInTheRealWindow(t *testing.T) {
	env := newE2E(t)
	app := startFranchiseDesk(t, env)
	env.click(posSettings)
	field := []string{"500", "414"} // the client id
	env.click(field)
	env.xdotool("type", "--delay", "120", "Q")
	time.Sleep(400 * time.Millisecond)
	env.scan(counterMembers[0].mobile)
	app.waitLog("scan while settings are being edited") // Q was typed into the field
	// The labels' column, left of the blinking cursor, moves only if the form scrolls.
	labels := image.Rect(0, 100, 100, 630)
	before := env.stillScreenshot()
	env.xdotool("mousemove", field[0], field[1], "click", "5", "click", "5", "click", "5")
	for attempt := 0; ; attempt++ {
		if differingPixels(env.screenshot().(subImager).SubImage(labels), before.(subImager).SubImage(labels)) > 0 {
			break
		}
		if attempt == 50 {
			t.Fatal("the mouse wheel over a field did not scroll Settings")
		}
	}
	app.stop()
}
