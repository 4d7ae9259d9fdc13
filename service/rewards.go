package service

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Rewards is a member's context from POST /v1/user/ocard/login: who they are,
// their points, the gift catalogue they can spend points on and their coupons.
type Rewards struct {
	ID     string // user.id, e.g. "-JR04E188"
	Name   string
	Mobile string // user.cell in domestic form (09…) when it is a Taiwan mobile, else as given
	Tier   string // vip.name
	// Card is nil when point_card is null.
	Card *PointCard
	// Gifts is the catalogue in the API's order; see GiftChoices for the window's order.
	Gifts []Gift
	// Coupons are the member's coupons in the API's order; see ClassifyCoupons.
	Coupons []Coupon
}

// Points returns the member's available points, 0 without a point card.
func (r Rewards) Points() int64 {
	if r.Card == nil {
		return 0
	}
	return r.Card.Points
}

// Gift is one entry of point_gift[]: something a member can get for points.
type Gift struct {
	ID            string
	Title         string
	Content       string
	RequirePoints int64  // require_point
	Image         string // URL, may be empty
	POSCode       string // pos_code, e.g. "discount_03"
	// Stores are the shop ids of available_store (",9920," → ["9920"]); empty means
	// the API named no shop, which GiftChoices reads as "every shop".
	Stores      []string
	RedeemType  string // redeem_type, as given
	Redeem      int64  // redeem, as given (meaning undocumented)
	RepeatLimit int64  // repeat_limit; 0 in the example, read as "no limit" by nobody yet
}

// Coupon is one entry of coupon_list[]. Times are in time.Local (the API writes
// "YYYY-MM-DD HH:MM:SS" without a zone); zero when absent or not understood, in
// which case the *Text field keeps what the API sent.
type Coupon struct {
	Serial  string // a UUID; see RedeemTicketID for which id a redemption sends
	POSCode string
	Title   string
	Content string
	Comment string

	Start, End, Created, UsedAt                 time.Time
	StartText, EndText, CreatedText, UsedAtText string

	Used    bool // used: "1"
	Expired bool // expired: "1"
}

// LookupRewards asks for the member's gifts and coupons at store shopID
// (POST {BaseURL}/v1/user/ocard/login with {"store_id","phone_number"}).
//
// It follows LookupMember's rules: input checked before anything is sent, the
// same token, one resend after a 401 (the request only reads), the same timeout
// and body cap. A number that belongs to nobody is ErrNotMember.
func (c *Client) LookupRewards(ctx context.Context, shopID, mobile string) (Rewards, error) {
	shop, num, err := checkShopAndMobile("rewards", shopID, mobile)
	if err != nil {
		return Rewards{}, err
	}
	if ctx.Err() != nil {
		return Rewards{}, contextError("rewards", ctx)
	}
	body, _ := json.Marshal(struct {
		StoreID     string `json:"store_id"`
		PhoneNumber string `json:"phone_number"`
	}{shop, num}) // two strings always marshal
	x := c.exchange(ctx, c.http, "rewards", http.MethodPost, c.rewardsURL, body, shop, num)
	if err := x.readError("rewards", "rewards API"); err != nil {
		return Rewards{}, err
	}
	return DecodeRewards(x.body)
}

// checkShopAndMobile trims and checks a store id and normalises a number, the
// same way for every request.
func checkShopAndMobile(op, shopID, mobile string) (shop, num string, err error) {
	shop = strings.TrimSpace(shopID)
	if shop == "" || len(shop) > maxShopID || strings.IndexFunc(shop, unicode.IsControl) >= 0 {
		return "", "", &Error{Kind: KindInvalidInput, Op: op, Detail: "store id is empty or not printable"}
	}
	num, err = NormaliseMobile(mobile)
	return shop, num, err
}

// GiftChoice is a gift as the counter shows it against one member at one shop.
type GiftChoice struct {
	Gift
	Affordable bool  // the member has at least RequirePoints
	Shortfall  int64 // points still needed; 0 when Affordable
	// AvailableHere is false when the gift names shops and this one is not among them.
	AvailableHere bool
}

// GiftChoices sorts gifts by cost (cheapest first, ties by title, then the API's
// order) and marks each against points and shopID. Shop ids are compared as
// given, after trimming spaces: "000030" and "30" are different shops.
func GiftChoices(gifts []Gift, points int64, shopID string) []GiftChoice {
	shop := strings.TrimSpace(shopID)
	out := make([]GiftChoice, 0, len(gifts))
	for _, g := range gifts {
		ch := GiftChoice{Gift: g, Affordable: points >= g.RequirePoints, AvailableHere: len(g.Stores) == 0}
		if !ch.Affordable {
			ch.Shortfall = g.RequirePoints - points
		}
		for _, s := range g.Stores {
			if s == shop {
				ch.AvailableHere = true
			}
		}
		out = append(out, ch)
	}
	slices.SortStableFunc(out, func(a, b GiftChoice) int {
		return cmp.Or(cmp.Compare(a.RequirePoints, b.RequirePoints), strings.Compare(a.Title, b.Title))
	})
	return out
}

// CouponState is where a coupon stands at a given time.
type CouponState int

// The coupon states, in the order the window lists them.
const (
	CouponUsable  CouponState = iota + 1 // not used, not expired, within its dates
	CouponNotYet                         // starts later
	CouponUsed                           // used: "1"
	CouponExpired                        // expired: "1", or its end time has passed
)

// String names the state for the command line and logs.
func (s CouponState) String() string {
	switch s {
	case CouponUsable:
		return "usable"
	case CouponNotYet:
		return "not yet valid"
	case CouponUsed:
		return "used"
	case CouponExpired:
		return "expired"
	}
	return "unknown"
}

// State classifies the coupon at now. Used wins over expired (it was spent, which
// is what a cashier asking "why can't I use it?" needs to hear); the server's
// flags win over our clock, and our clock only adds what the flags may lag behind.
func (c Coupon) State(now time.Time) CouponState {
	switch {
	case c.Used:
		return CouponUsed
	case c.Expired || !c.End.IsZero() && now.After(c.End):
		return CouponExpired
	case !c.Start.IsZero() && now.Before(c.Start):
		return CouponNotYet
	}
	return CouponUsable
}

// CouponGroups are a member's coupons split by state, each group in the API's order.
type CouponGroups struct {
	Usable, NotYet, Used, Expired []Coupon
}

// ClassifyCoupons splits coupons by their state at now.
func ClassifyCoupons(coupons []Coupon, now time.Time) CouponGroups {
	var g CouponGroups
	for _, c := range coupons {
		switch c.State(now) {
		case CouponUsable:
			g.Usable = append(g.Usable, c)
		case CouponNotYet:
			g.NotYet = append(g.NotYet, c)
		case CouponUsed:
			g.Used = append(g.Used, c)
		default:
			g.Expired = append(g.Expired, c)
		}
	}
	return g
}
