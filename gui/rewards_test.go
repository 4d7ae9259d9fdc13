package gui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

// LookupRewards answers the sample rewards for every number the fake knows, with the
// points and used coupons a test set (setAccount).
func (f *fakeLookup) LookupRewards(_ context.Context, _, mobile string) (service.Rewards, error) {
	f.mu.Lock()
	_, ok := f.replies[mobile]
	points, used := f.rewardsPoints, f.usedCoupons
	f.mu.Unlock()
	if !ok {
		return service.Rewards{}, service.ErrNotMember
	}
	r := sampleRewards()
	if points != 0 {
		card := *r.Card
		card.Points = points
		r.Card = &card
	}
	for i := range r.Coupons {
		if used[r.Coupons[i].Serial] {
			r.Coupons[i].Used = true
		}
	}
	return r, nil
}

// setAccount makes the rewards answer points (0: the sample's) and coupons used.
func (f *fakeLookup) setAccount(points int64, used ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rewardsPoints, f.usedCoupons = points, map[string]bool{}
	for _, u := range used {
		f.usedCoupons[u] = true
	}
}

func sampleRewards() service.Rewards {
	m := sampleMember()
	day := func(d int) time.Time { return fixedNow.AddDate(0, 0, d) }
	text := func(t time.Time) string { return t.Format(time.DateTime) }
	return service.Rewards{ID: m.ID, Name: m.Name, Mobile: m.Mobile, Card: m.Card,
		Gifts: []service.Gift{
			{ID: "g2", Title: "Cake voucher", RequirePoints: 20000},
			{ID: "g1", Title: "Americano", RequirePoints: 100},
			{ID: "g3", Title: "Tote bag", RequirePoints: 50, Stores: []string{"9920"}},
		},
		Coupons: []service.Coupon{
			{Serial: "c-usable", Title: "NT$50 off", Start: day(-3), End: day(30), StartText: text(day(-3)), EndText: text(day(30))},
			{Serial: "c-later", Title: "Birthday drink", Start: day(10), End: day(40), StartText: text(day(10)), EndText: text(day(40))},
			{Serial: "c-used", Title: "Free cookie", Used: true, Start: day(-30), End: day(30), StartText: text(day(-30)), EndText: text(day(30))},
		}}
}

// fakeRedeemer records what is sent and answers with result (after gate, when set,
// is closed); an order without an id gets a new one.
type fakeRedeemer struct {
	mu     sync.Mutex
	sent   []service.RedeemRequest
	result journal.Result
	err    error
	orders int
	gate   chan struct{}
}

func (f *fakeRedeemer) Redeem(_ context.Context, o journal.Order) (journal.Result, error) {
	f.mu.Lock()
	if o.OrderID == "" {
		f.orders++
		o.OrderID = fmt.Sprintf("%s-order-%d", o.ShopID, f.orders)
	}
	f.sent = append(f.sent, o.RedeemRequest)
	f.sent[len(f.sent)-1].OrderID = o.OrderID
	gate := f.gate
	r, err := f.result, f.err
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	r.OrderID = o.OrderID
	return r, err
}

func (f *fakeRedeemer) sends() []service.RedeemRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]service.RedeemRequest(nil), f.sent...)
}

// rewardsDesk shows the sample member with the Rewards view open and loaded.
func rewardsDesk(t *testing.T, language string, r Redeemer) *harness {
	t.Helper()
	h := newHarness(t, language, Options{Redeemer: r})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.waitFor("rewards loaded", func() bool { return h.d.model.rewards.data != nil })
	return h
}

// waitFor runs what the desk hands to the UI goroutine until cond holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case f := <-h.queue:
			f()
		case <-h.states:
		case <-time.After(5 * time.Millisecond): // a goroutine's effect that sends nothing
		case <-deadline:
			h.t.Fatalf("%s: never happened", what)
		}
	}
}

// redeemButton finds the first Redeem button of the Rewards view.
func redeemButton(t testing.TB, h *harness) *deskButton {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.d.ui.panels.rewards.lists) {
		if b, ok := o.(*deskButton); ok && b.Text == tr("rewards.redeem") && b.Visible() {
			return b
		}
	}
	t.Fatal("no Redeem button")
	return nil
}

func TestGoldenRewards(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := rewardsDesk(t, l, &fakeRedeemer{result: journal.Result{State: journal.Done}})
			test.AssertRendersToMarkup(t, "rewards_"+l+".xml", h.d.win.Canvas())
			test.Tap(redeemButton(t, h)) // the cheapest affordable gift: Americano, 100 points
			test.AssertRendersToMarkup(t, "redeem_confirm_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestRewardsSortMarkAndGroup(t *testing.T) {
	h := rewardsDesk(t, LangEnglish, nil)
	markup := test.RenderToMarkup(h.d.win.Canvas())
	for _, want := range []string{"needs 5,482 more points", "not at this shop", "enough points", "Usable now", "Not valid yet", "Used",
		tr("rewards.redeem_off")} {
		if !strings.Contains(markup, want) {
			t.Errorf("the Rewards view does not say %q", want)
		}
	}
	if strings.Contains(markup, ">"+tr("rewards.redeem")+"<") {
		t.Error("Redeem buttons on a desk that does not redeem")
	}
}

func TestRedeemGiftSendsOnceAndShowsTheNewBalance(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := rewardsDesk(t, LangEnglish, r)
	before := h.lookup.callCount()
	test.Tap(redeemButton(t, h))
	h.lookup.setAccount(14418) // what the member system says once it is redeemed
	confirm := h.d.ui.confirm.confirm
	test.Tap(confirm)
	test.Tap(confirm) // a double click: the button is gone after the first
	h.waitFor("redeemed", func() bool { return h.d.ui.notice.Visible() })
	sent := r.sends()
	if len(sent) != 1 || sent[0].Points != 100 || len(sent[0].TicketIDs) != 0 || sent[0].ShopID != "000030" || sent[0].Mobile != "0903123123" {
		t.Fatalf("sent %+v", sent)
	}
	// The balance is re-read (the rewards, not a second member lookup: P1) and every
	// figure on screen follows it; the Rewards view stays where the cashier was.
	if h.lookup.callCount() != before {
		t.Errorf("the member was looked up again (%d lookups, want %d)", h.lookup.callCount(), before)
	}
	if got := h.d.model.member.Card.Points; got != 14418 || h.d.model.rewards.data.Points() != 14418 || !h.d.model.rewards.open {
		t.Errorf("after the redemption: card %d, rewards %d points (want 14,418 both), rewards open %v", got,
			h.d.model.rewards.data.Points(), h.d.model.rewards.open)
	}
	if !strings.Contains(h.d.ui.confirm.status.Text, "14,418") {
		t.Errorf("the panel says %q, not the balance now", h.d.ui.confirm.status.Text)
	}
}

func TestRedeemCouponSendsItsTicketID(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := rewardsDesk(t, LangEnglish, r)
	var coupon *deskButton
	for _, o := range test.LaidOutObjects(h.d.ui.panels.rewards.lists) {
		if b, ok := o.(*deskButton); ok && b.Text == tr("rewards.redeem") {
			coupon = b // the last Redeem button is the usable coupon's
		}
	}
	test.Tap(coupon)
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("redeemed", func() bool { return len(r.sends()) == 1 })
	if s := r.sends()[0]; len(s.TicketIDs) != 1 || s.TicketIDs[0] != "c-usable" || s.Points != 0 {
		t.Fatalf("sent %+v", s)
	}
}

// A scan while the confirmation is open closes it and is looked up: it never confirms.
func TestScanNeverConfirms(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Done}}
	h := rewardsDesk(t, LangEnglish, r)
	test.Tap(redeemButton(t, h))
	keysApart(h, 3*time.Millisecond)
	scanModes["Enter"](h, "0912345678")
	h.waitState(stateNotMember)
	if n := len(r.sends()); n != 0 || h.d.ui.confirm.popup != nil {
		t.Fatalf("%d redemptions sent, confirmation open %v", n, h.d.ui.confirm.popup != nil)
	}
}

// An unknown outcome says so and retries with the same order id.
func TestUnknownOutcomeRetriesTheSameOrder(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Unknown}}
	h := rewardsDesk(t, LangEnglish, r)
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	h.waitFor("unknown", func() bool { return h.d.ui.confirm.retry.Visible() })
	test.Tap(h.d.ui.confirm.retry)
	h.waitFor("retried", func() bool { return len(r.sends()) == 2 })
	if s := r.sends(); s[0].OrderID != s[1].OrderID || s[0].OrderID == "" {
		t.Fatalf("order ids %q and %q", s[0].OrderID, s[1].OrderID)
	}
}

// A new scan, Esc and the idle auto-clear close the Rewards view.
func TestRewardsBelongToTheMemberOnScreen(t *testing.T) {
	h := rewardsDesk(t, LangEnglish, nil)
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.d.model.rewards.open || h.d.model.state != stateFound {
		t.Fatalf("Esc: rewards open %v, state %s; want back to the member", h.d.model.rewards.open, h.d.model.state)
	}
	h.d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	h.submit("0912345678")
	h.waitState(stateNotMember)
	if h.d.model.rewards.open || h.d.model.rewards.data != nil || h.d.ui.panels.rewards.box.Visible() {
		t.Fatal("a new scan left the previous member's rewards")
	}
}

// An outcome that arrives while Settings is open is still there when it closes.
func TestNoticeSurvivesSettings(t *testing.T) {
	r := &fakeRedeemer{result: journal.Result{State: journal.Unknown}}
	h := rewardsDesk(t, LangEnglish, r)
	h.d.opts.Backend, h.d.opts.Settings = &fakeBackend{}, provisioned()
	test.Tap(redeemButton(t, h))
	test.Tap(h.d.ui.confirm.confirm)
	h.d.onOpenSettings()
	h.waitFor("the outcome", func() bool { return h.d.notice != "" })
	h.d.settings.onCancel()
	if !h.d.ui.notice.Visible() || !strings.Contains(h.d.ui.notice.Text, "unknown") ||
		h.d.ui.notice.Importance != widget.WarningImportance {
		t.Fatalf("after Settings closed the notice says %q (visible %v, importance %v: a warning)",
			h.d.ui.notice.Text, h.d.ui.notice.Visible(), h.d.ui.notice.Importance)
	}
}
