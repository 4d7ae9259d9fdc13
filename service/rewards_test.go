package service

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func at(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, time.Local)
}

// seedRewards is what testdata/rewards-seed.json means.
func seedRewards() Rewards {
	card := seedMember().Card
	return Rewards{
		ID: "-JR04E188", Name: "Chien YH", Mobile: "0903515908", Tier: "VIP_LV1 測試",
		Card: card,
		Gifts: []Gift{
			{ID: "g-102", Title: "九折優惠", Content: "全品項九折", RequirePoints: 20000,
				Image: "https://d3egcl3bvwgcig.cloudfront.net/gift/discount_03.png", POSCode: "discount_03",
				Stores: []string{"9920"}, RedeemType: "2", Redeem: 1},
			{ID: "g-101", Title: "小杯美式", Content: "兌換小杯美式咖啡一杯", RequirePoints: 2,
				Image: "https://d3egcl3bvwgcig.cloudfront.net/gift/coffee.png", POSCode: "coffee_s",
				Stores: []string{"000030", "9920"}, RedeemType: "2", Redeem: 1},
		},
		Coupons: []Coupon{
			{Serial: "6f1c2a4e-8b1d-4c3a-9f7e-2d5b8c0a1e93", POSCode: "T00001", Title: "生日禮 折價券 50 元",
				Content: "消費滿 300 元折 50 元",
				Start:   at(2026, 1, 1, 0, 0, 0), End: at(2026, 12, 31, 23, 59, 59), Created: at(2025, 12, 20, 9, 15, 0),
				StartText: "2026-01-01 00:00:00", EndText: "2026-12-31 23:59:59", CreatedText: "2025-12-20 09:15:00"},
			{Serial: "0b7e9d52-3c41-4f0a-8e6d-7a9c1b2f4d60", Title: "新品試飲券", Content: "新品飲料一杯", Comment: "門市兌換",
				Start: at(2025, 6, 1, 0, 0, 0), End: at(2025, 6, 30, 23, 59, 59), Created: at(2025, 5, 20, 9, 15, 0),
				UsedAt: at(2025, 6, 3, 14, 22, 10), StartText: "2025-06-01 00:00:00", EndText: "2025-06-30 23:59:59",
				CreatedText: "2025-05-20 09:15:00", UsedAtText: "2025-06-03 14:22:10", Used: true, Expired: true},
		},
	}
}

type rewardsCase struct {
	name    string
	body    string
	want    Rewards
	wantErr error
}

const rewardsUser = `{"id":"M1","name":"Amy","cell":"0912345678"}`

func rewardsCases(t testing.TB) []rewardsCase {
	amy := Rewards{ID: "M1", Name: "Amy", Mobile: "0912345678"}
	with := func(f func(*Rewards)) Rewards { r := amy; f(&r); return r }
	return []rewardsCase{
		{"seed", readSeed(t, "rewards-seed.json"), seedRewards(), nil},
		{"not a member (user null)", readSeed(t, "rewards-not-member.json"), Rewards{}, ErrNotMember},
		{"not a member (blank user)", `{"user":{"id":null,"name":"","cell":null}}`, Rewards{}, ErrNotMember},
		{"lists absent", `{"user":` + rewardsUser + `}`, amy, nil},
		{"lists null and empty string", `{"user":` + rewardsUser + `,"point_gift":null,"coupon_list":""}`, amy, nil},
		{"gift as a single object, numbers as numbers", `{"user":` + rewardsUser + `,"point_gift":{"title":"A","require_point":5,"available_store":null}}`,
			with(func(r *Rewards) { r.Gifts = []Gift{{Title: "A", RequirePoints: 5}} }), nil},
		{"null elements skipped, unknown fields ignored", `{"user":` + rewardsUser + `,"point_gift":[null,{"title":"B","require_point":" 7 ","new":{"x":1}}],"extra":[1]}`,
			with(func(r *Rewards) { r.Gifts = []Gift{{Title: "B", RequirePoints: 7}} }), nil},
		{"coupon flags as numbers and booleans, date-only end", `{"user":` + rewardsUser + `,"coupon_list":[{"serial":"S1","used":0,"expired":true,"end_time":"2026/12/31"},{"serial":"S2","used":"true","expired":null,"start_time":"garbage"}]}`,
			with(func(r *Rewards) {
				r.Coupons = []Coupon{{Serial: "S1", Expired: true, End: at(2026, 12, 31, 23, 59, 59), EndText: "2026/12/31"},
					{Serial: "S2", Used: true, StartText: "garbage"}}
			}), nil},
		{"+886 cell normalised", `{"user":{"id":"M1","cell":"+886912345678"},"vip":{"name":"Gold"},"point_card":null}`,
			Rewards{ID: "M1", Mobile: "0912345678", Tier: "Gold"}, nil},
		{"point card as in the member endpoint", `{"user":` + rewardsUser + `,"point_card":{"point":12,"expire":null}}`,
			with(func(r *Rewards) { r.Card = &PointCard{Points: 12} }), nil},
		{"not JSON", `<html>`, Rewards{}, ErrMalformed},
		{"no user", `{"point_gift":[]}`, Rewards{}, ErrMalformed},
		{"user not an object", `{"user":"x"}`, Rewards{}, ErrMalformed},
		{"word for a cost", `{"user":` + rewardsUser + `,"point_gift":[{"require_point":"free"}]}`, Rewards{}, ErrMalformed},
		{"negative cost", `{"user":` + rewardsUser + `,"point_gift":[{"require_point":-1}]}`, Rewards{}, ErrMalformed},
		{"word for used", `{"user":` + rewardsUser + `,"coupon_list":[{"used":"maybe"}]}`, Rewards{}, ErrMalformed},
		{"list of numbers", `{"user":` + rewardsUser + `,"coupon_list":[1]}`, Rewards{}, ErrMalformed},
		{"list as a number", `{"user":` + rewardsUser + `,"point_gift":3}`, Rewards{}, ErrMalformed},
	}
}

func TestDecodeRewards(t *testing.T) {
	for _, tc := range rewardsCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeRewards([]byte(tc.body))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// FuzzDecodeRewards: no body makes the decoder panic; errors are typed; what it
// returns is self-consistent. Seeded from the table.
func FuzzDecodeRewards(f *testing.F) {
	for _, tc := range rewardsCases(f) {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRewards(b)
		if err != nil {
			if !errors.Is(err, ErrNotMember) && KindOf(err) != KindMalformed {
				t.Fatalf("unexpected error %T: %v", err, err)
			}
			return
		}
		if n, err := NormaliseMobile(r.Mobile); err == nil && n != r.Mobile {
			t.Fatalf("cell %q not normalised", r.Mobile)
		}
		for _, g := range r.Gifts {
			if g.RequirePoints < 0 {
				t.Fatalf("negative cost: %+v", g)
			}
			for _, s := range g.Stores {
				if s == "" || strings.Contains(s, ",") {
					t.Fatalf("bad store %q", s)
				}
			}
		}
		choices := GiftChoices(r.Gifts, r.Points(), "000030")
		for i := 1; i < len(choices); i++ {
			if choices[i].RequirePoints < choices[i-1].RequirePoints {
				t.Fatalf("not sorted by cost")
			}
		}
	})
}

func TestGiftChoices(t *testing.T) {
	gifts := []Gift{
		{Title: "B", RequirePoints: 50, Stores: []string{"9920"}},
		{Title: "Free", RequirePoints: 0},
		{Title: "A", RequirePoints: 50, Stores: []string{"000030"}},
		{Title: "C", RequirePoints: 10},
	}
	got := GiftChoices(gifts, 10, " 000030 ")
	want := []GiftChoice{
		{Gift: gifts[1], Affordable: true, AvailableHere: true},
		{Gift: gifts[3], Affordable: true, AvailableHere: true},
		{Gift: gifts[2], Shortfall: 40, AvailableHere: true},
		{Gift: gifts[0], Shortfall: 40, AvailableHere: false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if GiftChoices(gifts, 10, "30")[2].AvailableHere {
		t.Error(`"30" matched "000030": leading zeros must matter`)
	}
}

func TestCouponState(t *testing.T) {
	now := at(2026, 12, 4, 12, 0, 0)
	cases := []struct {
		c    Coupon
		want CouponState
	}{
		{Coupon{Start: at(2026, 1, 1, 0, 0, 0), End: at(2026, 12, 31, 23, 59, 59)}, CouponUsable},
		{Coupon{}, CouponUsable}, // no dates: the server's flags alone decide
		{Coupon{Start: at(2026, 12, 5, 0, 0, 0)}, CouponNotYet},
		{Coupon{End: at(2026, 12, 4, 11, 59, 59)}, CouponExpired},
		{Coupon{Expired: true, End: at(2027, 1, 1, 0, 0, 0)}, CouponExpired},
		{Coupon{Used: true, Expired: true}, CouponUsed},
		{Coupon{Used: true, Start: at(2027, 1, 1, 0, 0, 0)}, CouponUsed},
	}
	for i, tc := range cases {
		if got := tc.c.State(now); got != tc.want {
			t.Errorf("case %d: %v, want %v", i, got, tc.want)
		}
	}
	g := ClassifyCoupons([]Coupon{cases[0].c, cases[2].c, cases[3].c, cases[5].c, cases[1].c}, now)
	if len(g.Usable) != 2 || len(g.NotYet) != 1 || len(g.Expired) != 1 || len(g.Used) != 1 {
		t.Errorf("groups %+v", g)
	}
}

// TestLookupRewards checks the exact request: method, path, headers and body,
// and that a 401 costs one new token and one resend.
func TestLookupRewards(t *testing.T) {
	tn := newTenant(t, nil, nil)
	var posts atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := posts.Add(1)
		checkPost(t, r, "/v1/user/ocard/login", `{"store_id":"000030","phone_number":"0903515908"}`)
		if n == 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if got := r.Header.Get("Authorization"); got != bearer(2) {
			t.Errorf("resend Authorization %q, want %q", got, bearer(2))
		}
		io.WriteString(w, readSeed(t, "rewards-seed.json"))
	}))
	defer api.Close()
	c := tn.client(t, func(cfg *Config) { cfg.BaseURL = api.URL })
	got, err := c.LookupRewards(context.Background(), " 000030 ", "+886 903 515 908")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, seedRewards()) {
		t.Errorf("got %+v", got)
	}
	if posts.Load() != 2 || tn.tokenHits.Load() != 2 {
		t.Errorf("posts %d tokens %d, want 2 and 2", posts.Load(), tn.tokenHits.Load())
	}
	if _, err := c.LookupRewards(context.Background(), "", "0903515908"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("empty shop: %v", err)
	}
	if posts.Load() != 2 {
		t.Error("invalid input was sent")
	}
}

// checkPost asserts one JSON POST byte for byte.
func checkPost(t *testing.T, r *http.Request, path, body string) {
	t.Helper()
	if r.Method != http.MethodPost || r.URL.Path != path || r.URL.RawQuery != "" {
		t.Errorf("request %s %s?%s, want POST %s", r.Method, r.URL.Path, r.URL.RawQuery, path)
	}
	for h, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": UserAgent()} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s %q, want %q", h, got, want)
		}
	}
	if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "Bearer "+tokenPrefix) {
		t.Errorf("Authorization %q", a)
	}
	b, _ := io.ReadAll(r.Body)
	if string(b) != body {
		t.Errorf("body %s, want %s", b, body)
	}
}
