package service

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Field names of POST /v1/user/ocard/login's answer (DOMAIN.md, "Rewards
// endpoints"). Keys match case-insensitively, the last duplicate winning, as in
// DecodeMember.
var (
	rewardsFields = []string{"user", "vip", "point_card", "point_gift", "coupon_list"}
	userFields    = []string{"id", "name", "cell", "birth", "head_image"}
	vipFields     = []string{"name"}
	giftFields    = []string{"id", "title", "content", "require_point", "image", "pos_code",
		"available_store", "redeem_type", "redeem", "repeat_limit"}
	couponFields = []string{"serial", "pos_code", "title", "content", "comment",
		"start_time", "end_time", "create_time", "used_time", "used", "expired"}
)

// couponLayouts are the time forms accepted in coupon_list: the example's
// "2026-12-31 23:59:59", the member endpoint's slashes, and bare dates.
var couponLayouts = []string{"2006-1-2 15:04:05", "2006/1/2 15:04:05", "2006-1-2T15:04:05", "2006-1-2", "2006/1/2"}

// DecodeRewards decodes the body of POST /v1/user/ocard/login, as tolerantly as
// DecodeMember: numbers as strings or numbers, null or absent anywhere, a single
// object where a list is expected, unknown fields ignored, used/expired as "0"/"1",
// numbers or booleans. A null user, or one with every field blank, is
// ErrNotMember. A body that is not a JSON object, lacks "user", or holds a
// non-numeric text in a numeric field is an *Error of KindMalformed.
func DecodeRewards(body []byte) (Rewards, error) {
	body = bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf"))
	if len(body) == 0 || body[0] != '{' {
		return Rewards{}, malformed("response is not a JSON object", nil)
	}
	if !json.Valid(body) {
		var probe struct{}
		return Rewards{}, malformed("response is not valid JSON", json.Unmarshal(body, &probe))
	}
	var top [5]string
	objectFields(gjson.Parse(string(body)), rewardsFields, top[:])
	rawUser := top[0]
	switch {
	case rawUser == "":
		return Rewards{}, malformed(`response has no "user"`, nil)
	case isNull(rawUser):
		return Rewards{}, ErrNotMember
	case rawUser[0] != '{':
		return Rewards{}, malformed("user: expected an object", nil)
	}
	var u [5]string
	objectFields(gjson.Parse(rawUser), userFields, u[:])
	var r Rewards
	var birth, head string
	d := decoder{}
	d.str(&r.ID, u[0], "user.id")
	d.str(&r.Name, u[1], "user.name")
	d.str(&r.Mobile, u[2], "user.cell")
	d.str(&birth, u[3], "user.birth")
	d.str(&head, u[4], "user.head_image")
	if top[1] != "" && top[1][0] == '{' {
		var v [1]string
		objectFields(gjson.Parse(top[1]), vipFields, v[:])
		d.str(&r.Tier, v[0], "vip.name")
	}
	if d.err != nil {
		return Rewards{}, d.err
	}
	if allBlank(r.ID, r.Name, r.Mobile, birth, head) {
		return Rewards{}, ErrNotMember
	}
	if n, err := NormaliseMobile(r.Mobile); err == nil {
		r.Mobile = n // "+886903515908" here, "0903515908" in the member endpoint
	}
	card, err := decodePointCard(top[2])
	if err != nil {
		return Rewards{}, err
	}
	r.Card = card
	if r.Gifts, err = decodeList(top[3], "point_gift", decodeGift); err != nil {
		return Rewards{}, err
	}
	if r.Coupons, err = decodeList(top[4], "coupon_list", decodeCoupon); err != nil {
		return Rewards{}, err
	}
	return r, nil
}

// decodeList accepts a list of objects, a single object, null, absence or "";
// null elements are skipped.
func decodeList[T any](raw, field string, one func(string) (T, error)) ([]T, error) {
	var items []string
	switch {
	case raw == "" || isNull(raw):
		return nil, nil
	case raw[0] == '{':
		items = []string{raw}
	case raw[0] == '[':
		gjson.Parse(raw).ForEach(func(_, item gjson.Result) bool {
			items = append(items, item.Raw)
			return true
		})
	case raw[0] == '"':
		var s string
		d := decoder{}
		d.str(&s, raw, field)
		if d.err != nil || strings.TrimSpace(s) != "" {
			return nil, malformed(field+": expected a list", d.err)
		}
		return nil, nil
	default:
		return nil, malformed(field+": expected a list", nil)
	}
	var out []T
	for _, it := range items {
		if isNull(it) {
			continue
		}
		if it[0] != '{' {
			return nil, malformed(field+": expected objects", nil)
		}
		v, err := one(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeGift(raw string) (Gift, error) {
	var w [10]string
	objectFields(gjson.Parse(raw), giftFields, w[:])
	var g Gift
	var stores string
	d := decoder{}
	d.str(&g.ID, w[0], "point_gift.id")
	d.str(&g.Title, w[1], "point_gift.title")
	d.str(&g.Content, w[2], "point_gift.content")
	d.int(&g.RequirePoints, w[3], "point_gift.require_point")
	d.str(&g.Image, w[4], "point_gift.image")
	d.str(&g.POSCode, w[5], "point_gift.pos_code")
	d.str(&stores, w[6], "point_gift.available_store")
	d.str(&g.RedeemType, w[7], "point_gift.redeem_type")
	d.int(&g.Redeem, w[8], "point_gift.redeem")
	d.int(&g.RepeatLimit, w[9], "point_gift.repeat_limit")
	if d.err != nil {
		return Gift{}, d.err
	}
	if g.RequirePoints < 0 {
		return Gift{}, malformed("point_gift.require_point: negative", nil)
	}
	for _, s := range strings.Split(stores, ",") {
		if s = strings.TrimSpace(s); s != "" {
			g.Stores = append(g.Stores, s)
		}
	}
	return g, nil
}

func decodeCoupon(raw string) (Coupon, error) {
	var w [11]string
	objectFields(gjson.Parse(raw), couponFields, w[:])
	var c Coupon
	d := decoder{}
	d.str(&c.Serial, w[0], "coupon_list.serial")
	d.str(&c.POSCode, w[1], "coupon_list.pos_code")
	d.str(&c.Title, w[2], "coupon_list.title")
	d.str(&c.Content, w[3], "coupon_list.content")
	d.str(&c.Comment, w[4], "coupon_list.comment")
	d.str(&c.StartText, w[5], "coupon_list.start_time")
	d.str(&c.EndText, w[6], "coupon_list.end_time")
	d.str(&c.CreatedText, w[7], "coupon_list.create_time")
	d.str(&c.UsedAtText, w[8], "coupon_list.used_time")
	d.flag(&c.Used, w[9], "coupon_list.used")
	d.flag(&c.Expired, w[10], "coupon_list.expired")
	if d.err != nil {
		return Coupon{}, d.err
	}
	c.Start = parseCouponTime(c.StartText, false)
	c.End = parseCouponTime(c.EndText, true)
	c.Created = parseCouponTime(c.CreatedText, false)
	c.UsedAt = parseCouponTime(c.UsedAtText, false)
	return c, nil
}

// flag accepts "0"/"1" (the example), other whole numbers (non-zero is true),
// true/false as JSON or text, "" and null (false). Words are refused: a coupon
// wrongly shown as usable is worse than an error.
func (d *decoder) flag(dst *bool, raw, field string) {
	if d.err != nil || raw == "" || isNull(raw) {
		return
	}
	text := raw
	if raw[0] == '"' {
		s, err := unquote(raw, field)
		if err != nil {
			d.err = err
			return
		}
		text = strings.ToLower(strings.TrimSpace(s))
	}
	switch text {
	case "", "false":
		*dst = false
		return
	case "true":
		*dst = true
		return
	}
	n, ok := parseWhole(text)
	if !ok {
		d.err = malformed(field+": expected 0 or 1", nil)
		return
	}
	*dst = n != 0
}

// parseCouponTime reads a coupon time in time.Local. A bare date as an end time
// means the end of that day: a coupon "until 2026-12-31" is good all that day.
func parseCouponTime(s string, end bool) time.Time {
	s = strings.TrimSpace(s)
	for i, layout := range couponLayouts {
		t, err := time.ParseInLocation(layout, s, time.Local)
		if err != nil {
			continue
		}
		if end && i >= 3 { // a date without a time of day
			t = t.AddDate(0, 0, 1).Add(-time.Second)
		}
		return t
	}
	return time.Time{}
}
