package gui

import (
	"context"
	"image"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// desk is the one screen of the app. Its fields are touched only on Fyne's goroutine;
// lookups and avatar fetches run on their own goroutines and come back through onUI.
type desk struct {
	win  fyne.Window
	opts Options
	log  *slog.Logger
	now  func() time.Time
	trim *memoryTrim // nil but in Build: returns memory when the desk goes quiet

	model deskModel
	conn  connection
	// settings is the open settings screen, nil when the desk is showing.
	settings *settingsForm

	// lookupSeq numbers lookups; a reply whose number is not the latest is stale and dropped.
	lookupSeq    uint64
	cancelLookup context.CancelFunc
	lastSubmit   string
	lastSubmitAt time.Time
	lastLookup   string // for F5 and Retry
	// notice is what the notice line under the entry says ("" hidden): kept here so
	// that a window rebuilt by Settings still shows it.
	notice           string
	noticeImportance widget.Importance // SuccessImportance or WarningImportance
	// lastRecentTap is when a recent entry was last tapped (a double click is one tap).
	lastRecentTap time.Time
	// shopWrites keeps the header's shop picks, the latest last.
	shopWrites latestWrite
	// idleSeq invalidates idle timers started before the latest activity; idleArmed
	// says an auto-clear is pending, so that activity postpones it rather than drops it.
	idleSeq   uint64
	idleArmed bool
	// sending is the redemption on its way (nil: none): one at a time at this desk, and
	// its panel stays until the answer. sends counts redemptions and settlements still
	// being written, which the desk waits for before it exits (exit.go).
	sending *redemption
	sends   sendGroup
	// closeAfterSend, when set, closes the window once the redemption on its way has
	// been answered: the cashier asked to close meanwhile.
	closeAfterSend func()
	// unresolved is the journal's unresolved orders (any day) and today its orders of
	// today, read off the UI goroutine at start and after each redemption or settlement.
	unresolved, today []journal.Entry
	// unwritten is an outcome the journal could not record, and why: the next confirm
	// writes it first and sends nothing while it cannot.
	unwritten    *journal.Entry
	unwrittenErr string
	// cancelAvatar and cancelRewards stop the avatar and rewards fetches of the member
	// on screen when another lookup starts or the screen clears.
	cancelAvatar, cancelRewards context.CancelFunc

	// stateObserver, when set (tests), is told after each state has been drawn.
	stateObserver func(deskState)
	// stopped is set once the app stops (stop, or Fyne's queue found closed); life is
	// the root of every lookup's and fetch's context, ended by stop.
	stopped atomic.Bool
	uiMu    sync.Mutex
	life    context.Context
	endLife context.CancelFunc
	// runOnUI hands a function to Fyne's goroutine: fyne.Do, or a queue in tests that
	// the test drains on its own goroutine, so that tests are deterministic and race-free.
	runOnUI func(func())
	// after runs f on the UI goroutine after dur (time.AfterFunc and onUI): the quiet
	// timer of a scan without Enter and the idle auto-clear. Tests replace it to fire
	// such timers themselves.
	after func(dur time.Duration, f func())
	// router decides where every key, character and shortcut goes (router.go);
	// fieldScan notices a scan typed into one of the desk's own fields.
	router    *inputRouter
	fieldScan fieldScan

	ui deskWidgets
	// avatarFit is the last avatar fetched and its copy scaled to the screen. The fetch
	// goroutines share it (fitAvatar), so scanning the same member again scales nothing.
	avatarFit struct {
		sync.Mutex
		src, img image.Image
		side     int
	}
}

func newDesk(w fyne.Window, opts Options) *desk {
	if opts.IdleClear == 0 {
		opts.IdleClear = 60 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	conn := connection{
		lookup: opts.Lookup, shops: opts.Shops, shopID: opts.ShopID,
		demo: opts.Demo, demoNumbers: opts.DemoNumbers, problem: opts.SetupProblem, redeemer: opts.Redeemer,
		log: opts.RedemptionLog,
	}
	if opts.TicketIDOf == nil {
		opts.TicketIDOf = func(c service.Coupon) string { return c.Serial }
	}
	if opts.Demo {
		conn.shops = nil // the demo has its own shop, whatever the saved settings list
	}
	if len(conn.shops) == 0 && opts.ShopID != "" {
		conn.shops = []settings.Shop{{ID: opts.ShopID, Name: opts.ShopName}}
	}
	d := &desk{win: w, opts: opts, conn: conn, log: log, now: time.Now, runOnUI: fyne.Do}
	d.life, d.endLife = context.WithCancel(context.Background())
	d.after = func(dur time.Duration, f func()) { time.AfterFunc(dur, func() { d.onUI(f) }) }
	d.router = &inputRouter{d: d}
	// A scan typed into a field of the desk (the points to redeem) is looked up.
	d.fieldScan = fieldScan{d: d, open: func() bool { return d.settings == nil },
		onEscape: func() { d.router.typedKey(fromWindow, nil, &fyne.KeyEvent{Name: fyne.KeyEscape}) },
		onScan:   func(text string) { d.closeOverlays(); d.ui.entry.setNumber(text); d.focusEntry(); d.onSubmit(text) }}
	return d
}

func (d *desk) start() {
	d.setState(d.restingModel())
	var notices []string
	for _, w := range d.opts.SettingsWarnings {
		notices = append(notices, warningText(w))
	}
	if len(notices) > 0 {
		d.showWarning(strings.Join(notices, "\n"))
	}
	d.focusEntry()
}

// restingModel is what the window shows with nothing looked up: the idle panel, or,
// while the desk is not set up, "needs setup" with its exact reason. The reason stays
// through scans, Esc and the idle auto-clear until the desk is set up.
func (d *desk) restingModel() deskModel {
	switch {
	case d.conn.lookup != nil:
		return deskModel{state: stateIdle, recent: d.model.recent}
	case d.opts.Welcome || d.opts.Settings.ProvisionErr != nil:
		// Nothing configured yet, or head office's file is broken (and says where); the
		// demo and the settings are one click away.
		return deskModel{state: stateWelcome, err: d.opts.Settings.ProvisionErr}
	default:
		err := d.conn.problem
		if err == nil {
			err = service.ErrConfig
		}
		return deskModel{state: stateError, err: err}
	}
}

// useConnection switches the window to a new connection (saved settings, the demo):
// whatever was on screen belonged to the old one and goes.
func (d *desk) useConnection(c connection) {
	d.cancelPending()
	d.conn = c
	d.lastLookup, d.lastSubmit = "", ""
	d.unresolved, d.today = nil, nil // the new connection's journal says
	d.ui.header.refreshBadge(nil)
	d.loadRedemptions()
	d.refreshHeader()
	if c.lookup == nil {
		d.setState(deskModel{state: stateError, err: c.problem, recent: d.model.recent})
	} else {
		// The recent list stays: the cashier may look the same customers up again.
		d.setState(deskModel{state: stateIdle, recent: d.model.recent})
	}
	d.focusEntry()
}

// onShopPicked switches the shop; the entry keeps its text and the next lookup uses the new shop.
func (d *desk) onShopPicked(id string) {
	d.touch()
	if id == d.conn.shopID {
		return
	}
	d.cancelPending()
	d.conn.shopID = id
	d.lastSubmit = "" // the same number at another shop is a new question
	d.log.Info("shop changed", "shop_id", id)
	// The desk's choice: kept for the next start, and what Settings shows.
	d.opts.Settings.Settings.CurrentShop = id
	if d.opts.Backend != nil && !d.conn.demo {
		d.saveShop(id)
	}
	d.refreshHeader()
	if d.model.state != stateWelcome && d.model.state != stateError {
		d.setState(deskModel{state: stateIdle, recent: d.model.recent})
	}
	d.focusEntry()
}

// saveShop keeps the desk's choice off the UI goroutine (a locked, fsynced write that a
// slow disk can hold up), the latest pick last; the shop is in use at once either way.
// A failure is said: the next start would otherwise quietly go back to the old shop.
func (d *desk) saveShop(id string) {
	backend := d.opts.Backend
	d.shopWrites.start(func() {
		if err := backend.SaveShop(id); err != nil {
			d.onUI(func() { d.showWarning(tr("desk.shop_not_saved")) })
		}
	})
}

// onSubmit runs when Return or keypad Enter is pressed in the entry, or the button is tapped.
func (d *desk) onSubmit(text string) {
	d.touch()
	d.hideNotice()
	if d.conn.lookup == nil {
		// Nothing can be looked up, a typo included: the welcome screen and its exact
		// reason stay until the desk is set up.
		d.lookup("")
		d.ui.entry.selectAll()
		return
	}
	mobile, err := service.NormaliseMobile(text)
	if err != nil {
		d.cancelPending()
		d.setState(deskModel{state: stateInvalid, err: err, invalid: classifyNotMobile(text), recent: d.model.recent})
		d.focusEntry()
		d.ui.entry.selectAll() // the next scan replaces the bad one
		return
	}
	// A scanner that fires twice, or a cashier who presses Enter twice, would otherwise
	// send the same lookup again and flash the screen.
	now := d.now()
	if mobile == d.lastSubmit && now.Sub(d.lastSubmitAt) < doubleScanWindow {
		d.log.Debug("double scan ignored", "mobile", service.MaskMobile(mobile))
		d.ui.entry.selectAll()
		return
	}
	d.lastSubmit, d.lastSubmitAt = mobile, now
	d.lookup(mobile)
	// Select now, not when the answer comes: a second scan straight after the first
	// must replace the number, not be appended to it.
	d.ui.entry.selectAll()
}

// scanQuiet is how long a burst that makes a whole mobile number waits for more before
// the desk looks it up by itself: scanners set to end a code with nothing would need
// Enter pressed by hand. A scanner's own Enter or Tab comes within milliseconds and
// submits first; a longer code (a product barcode) keeps arriving and is not submitted.
const scanQuiet = 300 * time.Millisecond

// onScanBurst: the entry's whole text came as one fast burst of characters. If it is a
// mobile number and nothing follows within scanQuiet, it is looked up as if Enter had
// been pressed.
func (d *desk) onScanBurst(seq uint64) {
	e, text := d.ui.entry, d.ui.entry.Text
	if _, err := service.NormaliseMobile(text); err != nil {
		return
	}
	d.after(scanQuiet, func() {
		// The same entry (Settings rebuilds it), the same text (the entry's context menu
		// can undo without a key) and nothing typed or pressed since.
		if d.ui.entry != e || e.Text != text || !e.burstStill(seq) || d.settings != nil {
			return
		}
		e.endBurst()
		d.log.Debug("scan without Enter or Tab: looking it up")
		d.onSubmit(text)
	})
}

// onRepeat (F5, Retry) looks the last number up again, however recently it was asked.
func (d *desk) onRepeat() {
	d.touch()
	if d.lastLookup == "" {
		return
	}
	d.lastSubmit, d.lastSubmitAt = d.lastLookup, d.now()
	d.lookup(d.lastLookup)
}

// onRecentTapped looks up a number from the recent list.
func (d *desk) onRecentTapped(mobile string) {
	d.touch()
	// The list re-orders when the answer comes, under the pointer: the second click of
	// a double click would land on another number and look up a second member.
	now := d.now()
	if now.Sub(d.lastRecentTap) < doubleScanWindow {
		return
	}
	d.lastRecentTap = now
	d.ui.entry.setNumber(mobile)
	d.lastSubmit, d.lastSubmitAt = mobile, d.now()
	d.lookup(mobile)
	// As after a scan: the next scan, even one before this answer, replaces the number
	// instead of being mixed into it. A click on the list leaves the focus where it was.
	d.focusEntry()
	d.ui.entry.selectAll()
}

// onEscape clears the screen and puts the cursor back in the entry.
func (d *desk) onEscape() {
	d.touch()
	d.idleArmed = false // nothing left on screen to clear
	d.hideNotice()
	// Nothing to repeat either: F5 must not bring the cleared member back, and scanning
	// the same card again right after Esc is meant.
	d.lastLookup, d.lastSubmit = "", ""
	d.cancelPending()
	d.ui.entry.clear()
	d.setState(d.restingModel())
	d.focusEntry()
}

// setState replaces the model and redraws everything that depends on it.
func (d *desk) setState(m deskModel) { d.setStateThen(m, nil) }

// setStateThen is setState with then run after the redraw and before the state is
// logged and observed: what the logged state promises (say, where the focus is) holds
// by the time anyone reads the log line.
func (d *desk) setStateThen(m deskModel, then func()) {
	d.model = m
	d.refreshAll()
	d.trim.activity()
	if then != nil {
		then()
	}
	attrs := []any{"state", m.state.String()}
	if m.mobile != "" {
		attrs = append(attrs, "mobile", service.MaskMobile(m.mobile))
	}
	if m.state == stateFound {
		attrs = append(attrs, "member_id", m.member.ID, "carrier_valid", m.member.Carrier.Valid)
		if m.member.Card != nil {
			attrs = append(attrs, "points", m.member.Card.Points)
		}
		if m.rewards.open {
			attrs = append(attrs, "rewards", rewardsState(m.rewards))
		}
	}
	if m.state == stateInvalid {
		attrs = append(attrs, "not_mobile", m.invalid.String())
	}
	if m.err != nil {
		attrs = append(attrs, "kind", service.KindOf(m.err).String(), "err", m.err.Error())
	}
	d.log.Info("state", attrs...)
	if d.stateObserver != nil {
		d.stateObserver(m.state)
	}
}

// focusEntry gives the number entry the keyboard focus, unless Settings is showing:
// a lookup that ends meanwhile must not pull the focus out of a settings field.
func (d *desk) focusEntry() {
	if d.settings != nil {
		return
	}
	if c := d.win.Canvas(); c != nil {
		c.Focus(d.ui.entry)
	}
}
