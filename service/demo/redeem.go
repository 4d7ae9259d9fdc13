package demo

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/tidwall/gjson"
)

// redeemInput is the documented body of the redeem endpoint.
type redeemInput struct {
	ShopID    string      `json:"shop_id"`
	OrderID   string      `json:"order_id"`
	TicketIDs []string    `json:"ticket_ids"`
	Mobile    string      `json:"mobile"`
	Points    json.Number `json:"points"`
}

// handleRedeem implements POST /v1/ticket/redeem-ocard-member-tickets-points: it
// deducts points and marks coupons used (a coupon is found by its serial or its
// pos_code, since the docs do not say which one is sent), answers 204, and
// answers a repeated order_id with 204 without deducting again. Fault numbers:
// faultCommitThenHang commits and then does not answer in time, faultRefuse
// answers 400 with a code/message body, faultRevokeRedeem refuses the first
// redemption's token with 401 (before doing anything).
func (s *Server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	s.redeemRequests.Add(1)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeAPIError(w, http.StatusMethodNotAllowed, nil, "use POST")
		return
	}
	token, ok := s.authorize(w, r)
	if !ok {
		return
	}
	var in redeemInput
	if err := readJSON(w, r, &in); err != nil || in.ShopID == "" || in.OrderID == "" || in.Mobile == "" {
		writeAPIError(w, http.StatusBadRequest, "WX0001", "shop_id, order_id and mobile are required")
		return
	}
	points, ok := parsePoints(in.Points)
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "WX0001", "points must be a whole number, 0 or more")
		return
	}
	e := lookupEntry(in.Mobile)
	switch e.fault {
	case faultRevokeRedeem:
		s.rw.mu.Lock()
		first := !s.rw.revokedRedeem
		s.rw.revokedRedeem = true
		s.rw.mu.Unlock()
		if first {
			s.mu.Lock()
			delete(s.tokens, token)
			s.mu.Unlock()
			refuseToken(w)
			return
		}
	case faultRefuse:
		writeAPIError(w, http.StatusBadRequest, 1001, "票券狀態不允許銷售")
		return
	}
	if e.file == notMemberEntry.file {
		writeAPIError(w, http.StatusNotFound, "WX0099", "查無儲值卡資料")
		return
	}
	if status, code, msg := s.commit(e, in, points); status != http.StatusNoContent {
		writeAPIError(w, status, code, msg)
		return
	}
	if e.fault == faultCommitThenHang {
		// The redemption is made; the answer comes later than the client waits.
		if !s.sleep(r.Context(), s.opts.SlowDelay) {
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// commit checks and applies one redemption under the state's lock. It returns
// 204 or the status, code and message to refuse with.
func (s *Server) commit(e entry, in redeemInput, points int64) (int, any, string) {
	body, err := s.render(e.file)
	if err != nil {
		return http.StatusInternalServerError, nil, "demo data missing"
	}
	balance := gjson.GetBytes(body, "point_card.point").Int()
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	s.rw.mu.Lock()
	defer s.rw.mu.Unlock()
	a := s.rw.accountLocked(e.Mobile)
	if s.rw.orders[in.OrderID] {
		return http.StatusNoContent, nil, "" // the demo's assumption: a repeat is a no-op
	}
	if points > balance-a.deducted {
		return http.StatusBadRequest, "WX0002", "點數不足"
	}
	var serials []string
	for _, id := range in.TicketIDs {
		if id == "" {
			continue
		}
		serial, ok := findCoupon(e.Mobile, id)
		if !ok {
			return http.StatusBadRequest, "WX0003", "查無票券"
		}
		c := couponTemplates[0]
		for _, t := range couponTemplates {
			if s, _ := couponIDs(e.Mobile, t.n); s == serial {
				c = t
			}
		}
		_, usedHere := a.used[serial]
		if usedHere || c.usedAtStart || c.expired || today.AddDate(0, 0, c.startDays).After(now) {
			return http.StatusBadRequest, nil, "票券狀態不允許銷售"
		}
		serials = append(serials, serial)
	}
	a.deducted += points
	for _, sr := range serials {
		a.used[sr] = now
	}
	s.rw.orders[in.OrderID] = true
	return http.StatusNoContent, nil, ""
}

// findCoupon finds a member's coupon by serial or pos_code.
func findCoupon(mobile, id string) (serial string, ok bool) {
	for _, t := range couponTemplates {
		sr, pos := couponIDs(mobile, t.n)
		if id == sr || id == pos {
			return sr, true
		}
	}
	return "", false
}
