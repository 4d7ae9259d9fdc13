package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// The rewards endpoints (docs/REWARDS.md). Their state (points deducted, coupons
// used, order ids seen) lives in the server process and is lost when it stops.
// A repeated order_id is answered 204 without deducting again: that is this demo's
// assumption, the real API does not document it.
const (
	rewardsPath = "/v1/user/ocard/login"
	redeemPath  = "/v1/ticket/redeem-ocard-member-tickets-points"
)

// account is one demo member's rewards state.
type account struct {
	deducted int64
	used     map[string]time.Time // coupon serial → when it was redeemed here
}

// rewardsState is the demo's memory of redemptions.
type rewardsState struct {
	mu       sync.Mutex
	accounts map[string]*account // by mobile
	orders   map[string]bool     // order ids already committed
	// revokedRedeem records that the revoke-before-redeem number has refused one
	// redemption's token; from then on it redeems normally.
	revokedRedeem bool
}

func (st *rewardsState) accountLocked(mobile string) *account {
	if st.accounts == nil {
		st.accounts, st.orders = map[string]*account{}, map[string]bool{}
	}
	a := st.accounts[mobile]
	if a == nil {
		a = &account{used: map[string]time.Time{}}
		st.accounts[mobile] = a
	}
	return a
}

// demoGift is one entry of the shared gift catalogue.
type demoGift struct {
	id, title, content, posCode, stores string
	cost                                int64
}

// giftCatalogue is the same for every member: one gift at every shop, one not
// at the demo shop, costs from cheap to out of reach.
var giftCatalogue = []demoGift{
	{"g-300", "限定馬克杯", "門市限定馬克杯一個", "mug_01", ",9920,", 3000},
	{"g-100", "小杯美式", "兌換小杯美式咖啡一杯", "coffee_s", ",000030,9920,", 50},
	{"g-900", "年度大禮", "年度會員禮盒", "gift_box", "", 20000},
	{"g-200", "九折優惠", "全品項九折", "discount_03", ",000030,", 500},
}

// demoCoupon is a coupon every demo member starts with, dated relative to today.
type demoCoupon struct {
	n                    int
	title                string
	startDays, endDays   int
	usedAtStart, expired bool
}

var couponTemplates = []demoCoupon{
	{1, "生日禮 折價券 50 元", -10, 30, false, false},
	{2, "新品試飲券", -3, 14, false, false},
	{3, "週年慶 買一送一", 5, 20, false, false},
	{4, "夏季冰品券", -90, -60, false, true},
	{5, "開卡禮 小點心", -40, 20, true, false},
}

// couponIDs returns a demo coupon's serial (UUID-shaped) and pos_code.
func couponIDs(mobile string, n int) (serial, posCode string) {
	return fmt.Sprintf("00000000-0000-4000-8000-%s%02d", mobile, n), fmt.Sprintf("T%s%02d", mobile[6:], n)
}

// memberBody returns the member file for mobile as served by GET /v1/user/ocard,
// with the points this server has deducted taken off the balance.
func (s *Server) memberBody(e entry) ([]byte, error) {
	body, err := s.render(e.file)
	if err != nil {
		return nil, err
	}
	s.rw.mu.Lock()
	var deducted int64
	if a := s.rw.accounts[e.Mobile]; a != nil {
		deducted = a.deducted
	}
	s.rw.mu.Unlock()
	if deducted == 0 {
		return body, nil // untouched: the seed examples stay byte for byte
	}
	p := gjson.GetBytes(body, "point_card.point")
	if !p.Exists() || p.Index <= 0 {
		return body, nil
	}
	left := strconv.FormatInt(p.Int()-deducted, 10)
	if p.Type == gjson.String {
		left = strconv.Quote(left)
	}
	out := append([]byte{}, body[:p.Index]...)
	out = append(out, left...)
	return append(out, body[p.Index+len(p.Raw):]...), nil
}

// handleRewards implements POST /v1/user/ocard/login with {"store_id","phone_number"}.
func (s *Server) handleRewards(w http.ResponseWriter, r *http.Request) {
	s.rewardsRequests.Add(1)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeAPIError(w, http.StatusMethodNotAllowed, nil, "use POST")
		return
	}
	token, ok := s.authorize(w, r)
	if !ok {
		return
	}
	var in struct {
		StoreID     string `json:"store_id"`
		PhoneNumber string `json:"phone_number"`
	}
	if err := readJSON(w, r, &in); err != nil || in.StoreID == "" || in.PhoneNumber == "" {
		writeAPIError(w, http.StatusBadRequest, "WX0001", "store_id and phone_number are required")
		return
	}
	e := lookupEntry(in.PhoneNumber)
	switch e.fault {
	case faultSlow:
		if !s.sleep(r.Context(), s.opts.SlowDelay) {
			return
		}
	case faultServerError, faultMalformed:
		s.writeBroken(w, e) // the same broken answer as the member endpoint
		return
	case faultRevokeOnce:
		if s.revokeFirstUse(token) {
			refuseToken(w)
			return
		}
	}
	if e.file == notMemberEntry.file {
		writeJSON(w, http.StatusOK, map[string]any{"user": nil, "vip": nil, "point_card": nil,
			"point_gift": []any{}, "point_pros": []any{}, "coupon_list": []any{}})
		return
	}
	body, err := s.memberBody(e)
	if err != nil {
		http.Error(w, "demo data missing", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, s.rewardsAnswer(e.Mobile, body))
}

// writeBroken answers as the member endpoint does for the 500 and malformed numbers.
func (s *Server) writeBroken(w http.ResponseWriter, e entry) {
	body, err := s.render(e.file)
	if err != nil {
		http.Error(w, "demo data missing", http.StatusInternalServerError)
		return
	}
	status, contentType := http.StatusOK, "application/json; charset=utf-8"
	if e.fault == faultServerError {
		status, contentType = http.StatusInternalServerError, "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// rewardsAnswer builds the login endpoint's answer from the member's file, in
// the documented shape: strings where the example has strings, numbers where it
// has numbers.
func (s *Server) rewardsAnswer(mobile string, memberBody []byte) map[string]any {
	m := gjson.GetBytes(memberBody, "member")
	card := json.RawMessage("null")
	if c := gjson.GetBytes(memberBody, "point_card"); c.Exists() {
		card = json.RawMessage(c.Raw)
	}
	user := map[string]any{"cell": "+886" + mobile[1:], "name": m.Get("name").String(), "birth": "1990-01-01",
		"sex": "1", "head_image": nil, "id": m.Get("id").String(), "vip_name": m.Get("group_name").String(),
		"visited_count": "7"}
	vip := map[string]any{"id": "1", "level": "1", "name": m.Get("group_name").String(), "pos_code": m.Get("group_id").String()}
	var gifts []map[string]any
	for _, g := range giftCatalogue {
		gifts = append(gifts, map[string]any{"id": g.id, "title": g.title, "content": g.content,
			"require_point": strconv.FormatInt(g.cost, 10), "image": s.baseURL + "/avatars/normal.png",
			"pos_code": g.posCode, "available_store": g.stores, "redeem_type": "2", "redeem": 1,
			"repeat_limit": 0, "show": "1", "offer": nil})
	}
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	s.rw.mu.Lock()
	a := s.rw.accountLocked(mobile)
	var coupons []map[string]any
	for _, c := range couponTemplates {
		serial, pos := couponIDs(mobile, c.n)
		start, end := today.AddDate(0, 0, c.startDays), today.AddDate(0, 0, c.endDays).Add(24*time.Hour-time.Second)
		used, usedTime := "0", any(nil)
		if c.usedAtStart {
			used, usedTime = "1", start.Add(36*time.Hour).Format(time.DateTime)
		}
		if at, ok := a.used[serial]; ok {
			used, usedTime = "1", at.Format(time.DateTime)
		}
		expired := "0"
		if c.expired {
			expired = "1"
		}
		coupons = append(coupons, map[string]any{"serial": serial, "title": c.title, "content": c.title,
			"start_time": start.Format(time.DateTime), "end_time": end.Format(time.DateTime),
			"create_time": start.AddDate(0, 0, -1).Format(time.DateTime), "used_time": usedTime,
			"used": used, "expired": expired, "comment": "", "pos_code": pos})
	}
	s.rw.mu.Unlock()
	return map[string]any{"user": user, "vip": vip, "point_card": card, "point_gift": gifts,
		"point_pros": []any{}, "coupon_list": coupons}
}

// readJSON decodes a small JSON request body.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// writeAPIError answers with the platform's error body, {"code","message"};
// code may be a string, a number or nil (left out), as seen on the platform.
func writeAPIError(w http.ResponseWriter, status int, code any, message string) {
	body := map[string]any{"message": message}
	if code != nil {
		body["code"] = code
	}
	writeJSON(w, status, body)
}

// parsePoints reads points written as a number or a numeric string.
func parsePoints(n json.Number) (int64, bool) {
	if n == "" {
		return 0, true
	}
	p, err := strconv.ParseInt(strings.Trim(string(n), `"`), 10, 64)
	return p, err == nil && p >= 0
}
