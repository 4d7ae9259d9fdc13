package demo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

func points(t *testing.T, c *service.Client, mobile string) int64 {
	t.Helper()
	m, err := c.LookupMember(context.Background(), demo.ShopID, mobile)
	if err != nil || m.Card == nil {
		t.Fatalf("lookup %s: %+v %v", mobile, m, err)
	}
	return m.Card.Points
}

// TestDemoRewardsAndRedeem: the catalogue and coupons decode into every group the
// window shows; a redemption deducts points (seen by the member endpoint too) and
// uses the coupon; a repeated order id is answered 204 without deducting again.
func TestDemoRewardsAndRedeem(t *testing.T) {
	srv := startDemo(t)
	c := newDemoClient(t, srv)
	ctx := context.Background()
	const mobile = "0911111111"
	r, err := c.LookupRewards(ctx, demo.ShopID, mobile)
	if err != nil {
		t.Fatal(err)
	}
	if r.Mobile != mobile || r.Points() != 3250 || len(r.Gifts) != 4 {
		t.Fatalf("rewards %+v", r)
	}
	choices := service.GiftChoices(r.Gifts, r.Points(), demo.ShopID)
	if choices[0].RequirePoints != 50 || !choices[0].Affordable || choices[3].Shortfall != 20000-3250 {
		t.Errorf("choices %+v", choices)
	}
	for _, ch := range choices {
		if ch.POSCode == "mug_01" && ch.AvailableHere {
			t.Error("the mug is not available at the demo shop")
		}
	}
	g := service.ClassifyCoupons(r.Coupons, time.Now())
	if len(g.Usable) != 2 || len(g.NotYet) != 1 || len(g.Used) != 1 || len(g.Expired) != 1 {
		t.Fatalf("coupon groups %+v", g)
	}
	coupon := g.Usable[0]
	req := service.RedeemRequest{ShopID: demo.ShopID, OrderID: "000030DEMO1", Mobile: mobile, Points: 50,
		TicketIDs: []string{coupon.Serial}}
	if err := c.Redeem(ctx, req); err != nil {
		t.Fatal(err)
	}
	if p := points(t, c, mobile); p != 3200 {
		t.Errorf("points after redeem %d, want 3200", p)
	}
	if err := c.Redeem(ctx, req); err != nil {
		t.Fatalf("repeated order id: %v", err)
	}
	if p := points(t, c, mobile); p != 3200 {
		t.Errorf("points after a repeated order id %d, want 3200", p)
	}
	r, _ = c.LookupRewards(ctx, demo.ShopID, mobile)
	if g := service.ClassifyCoupons(r.Coupons, time.Now()); len(g.Used) != 2 || len(g.Usable) != 1 {
		t.Errorf("after redeem: %+v", g)
	}
	// The same coupon again, under a new order id: refused, nothing deducted.
	again := req
	again.OrderID = "000030DEMO2"
	if err := c.Redeem(ctx, again); !errors.Is(err, service.ErrRejected) {
		t.Errorf("used coupon: %v", err)
	}
	// The second usable coupon by its pos_code.
	byPOS := service.RedeemRequest{ShopID: demo.ShopID, OrderID: "000030DEMO3", Mobile: mobile,
		TicketIDs: []string{g.Usable[1].POSCode}}
	if err := c.Redeem(ctx, byPOS); err != nil {
		t.Errorf("by pos_code: %v", err)
	}
	tooMuch := service.RedeemRequest{ShopID: demo.ShopID, OrderID: "000030DEMO4", Mobile: mobile, Points: 1_000_000}
	var se *service.Error
	if err := c.Redeem(ctx, tooMuch); !errors.As(err, &se) || se.Kind != service.KindRejected || se.APIMessage != "點數不足" {
		t.Errorf("too many points: %v", err)
	}
	if st := srv.Stats(); st.RedeemRequests != 5 || st.RewardsRequests != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestDemoRedeemFaults counts POSTs at the server for each fault number.
func TestDemoRedeemFaults(t *testing.T) {
	srv := startDemo(t)
	c := newDemoClient(t, srv)
	ctx := context.Background()
	req := func(mobile, order string) service.RedeemRequest {
		return service.RedeemRequest{ShopID: demo.ShopID, OrderID: order, Mobile: mobile, Points: 10}
	}
	posts := func() int64 { return srv.Stats().RedeemRequests }

	// Commit, then no answer in time: unknown; the balance shows it was made; a
	// retry with the same order id is answered 204 and deducts nothing more.
	before := points(t, c, "0900000005")
	if err := c.Redeem(ctx, req("0900000005", "F5")); !errors.Is(err, service.ErrOutcomeUnknown) {
		t.Fatalf("commit-then-hang: %v", err)
	}
	if posts() != 1 {
		t.Errorf("%d POSTs, want 1", posts())
	}
	if p := points(t, c, "0900000005"); p != before-10 {
		t.Errorf("points %d, want %d", p, before-10)
	}

	var se *service.Error
	if err := c.Redeem(ctx, req("0900000006", "F6")); !errors.As(err, &se) || se.Kind != service.KindRejected ||
		se.APICode != "1001" || se.APIMessage != "票券狀態不允許銷售" || se.StatusCode != 400 {
		t.Errorf("refused: %v", err)
	}
	if posts() != 2 {
		t.Errorf("%d POSTs, want 2", posts())
	}

	tokens := c.TokenRequests()
	if err := c.Redeem(ctx, req("0900000007", "F7")); err != nil {
		t.Errorf("revoked before redeem: %v", err)
	}
	if posts() != 4 || c.TokenRequests() != tokens+1 {
		t.Errorf("%d POSTs (want 4), %d new tokens (want 1)", posts(), c.TokenRequests()-tokens)
	}
	if p := points(t, c, "0900000007"); p != 14518-10 {
		t.Errorf("points %d after the resend, want one deduction", p)
	}

	if _, err := c.LookupRewards(ctx, demo.ShopID, "0987654321"); !errors.Is(err, service.ErrNotMember) {
		t.Errorf("rewards of a non-member: %v", err)
	}
	if err := c.Redeem(ctx, req("0987654321", "F8")); !errors.As(err, &se) || se.APICode != "WX0099" {
		t.Errorf("redeem for a non-member: %v", err)
	}
}
