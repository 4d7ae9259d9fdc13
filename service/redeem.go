package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
)

// maxOrderID bounds an order id; the documented example has 17 characters.
const maxOrderID = 64

// maxAPIMessage bounds the server's message kept in an *Error.
const maxAPIMessage = 300

// RedeemRequest is one redemption: coupons and/or points off one member's account.
type RedeemRequest struct {
	ShopID string
	// OrderID identifies the redemption; a resend after a 401 and a cashier's
	// retry after an unknown outcome reuse it. See journal.Redeemer, which makes
	// and records them.
	OrderID string
	Mobile  string // any form NormaliseMobile accepts; sent in domestic form
	// TicketIDs are the coupons to redeem, each a Coupon's RedeemTicketID; empty
	// when only points are redeemed (sent as [""], as documented).
	TicketIDs []string
	// Points to deduct; 0 when only coupons are redeemed.
	Points int64
}

// redeemBody is the wire form of POST /v1/ticket/redeem-ocard-member-tickets-points,
// in the documented field order.
type redeemBody struct {
	ShopID    string   `json:"shop_id"`
	OrderID   string   `json:"order_id"`
	TicketIDs []string `json:"ticket_ids"`
	Mobile    string   `json:"mobile"`
	Points    int64    `json:"points"`
}

// Body checks r and returns the exact JSON that Redeem sends. Bad input is an
// *Error of KindInvalidInput.
func (r RedeemRequest) Body() ([]byte, error) {
	shop, num, err := checkShopAndMobile("redeem", r.ShopID, r.Mobile)
	if err != nil {
		return nil, err
	}
	invalid := func(detail string) error { return &Error{Kind: KindInvalidInput, Op: "redeem", Detail: detail} }
	if r.OrderID == "" || len(r.OrderID) > maxOrderID || strings.IndexFunc(r.OrderID, notPrintableASCII) >= 0 {
		return nil, invalid("order id is empty, too long or not printable ASCII")
	}
	if r.Points < 0 {
		return nil, invalid("points must not be negative")
	}
	tickets := []string{""} // the documented "no coupon"
	if len(r.TicketIDs) > 0 {
		tickets = make([]string, 0, len(r.TicketIDs))
		for _, id := range r.TicketIDs {
			id = strings.TrimSpace(id)
			if id == "" || strings.IndexFunc(id, unicode.IsControl) >= 0 {
				return nil, invalid("a coupon id is empty or not printable")
			}
			tickets = append(tickets, id)
		}
	}
	if r.Points == 0 && len(r.TicketIDs) == 0 {
		return nil, invalid("nothing to redeem: no points and no coupon")
	}
	b, err := json.Marshal(redeemBody{ShopID: shop, OrderID: r.OrderID, TicketIDs: tickets, Mobile: num, Points: r.Points})
	if err != nil {
		return nil, invalid("cannot encode the request")
	}
	return b, nil
}

func notPrintableASCII(r rune) bool { return r <= ' ' || r > '~' }

// Redeem sends one redemption (POST {BaseURL}/v1/ticket/redeem-ocard-member-tickets-points)
// and reports its outcome. It never sends the request more than once on its own:
//
//   - nil: the server answered 2xx (documented: 204 No Content); the redemption is made.
//   - KindInvalidInput, or a token failure before the send: nothing was sent.
//   - 401: the token is replaced and the SAME bytes are sent once more (a 401 means
//     the first was not acted on); a second 401, or a 403, is KindAuth.
//   - another 4xx: KindRejected, with the server's message in APIMessage.
//   - timeout, dropped connection, 5xx, or ctx canceled after the send began:
//     KindOutcomeUnknown (ErrOutcomeUnknown). The caller refetches the member to
//     compare the balance and lets the cashier retry with the same OrderID or abandon.
//   - a redirect is not followed: KindServer (a write goes to one place only).
//
// When ctx is canceled before anything is sent the error wraps context.Canceled
// and is not an *Error.
func (c *Client) Redeem(ctx context.Context, r RedeemRequest) error {
	body, err := r.Body()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return contextError("redeem", ctx)
	}
	shop, num, _ := checkShopAndMobile("redeem", r.ShopID, r.Mobile) // checked by Body
	x := c.exchange(ctx, c.redeemHTTP, "redeem", http.MethodPost, c.redeemURL, body, shop, num)
	return redeemOutcome(x)
}

// redeemOutcome classifies what came back for a redemption.
func redeemOutcome(x exchanged) error {
	switch {
	case x.sent && x.status/100 == 2:
		// The server said yes; a body that then broke off changes nothing.
		return nil
	case x.err != nil && (!x.sent || neverSent(x.err)):
		return x.err // no token, or no connection: nothing went out
	case x.err != nil:
		detail := "no answer arrived; the redemption may or may not have been made"
		if errors.Is(x.err, context.Canceled) {
			detail = "canceled while the request was under way; the redemption may or may not have been made"
		}
		return &Error{Kind: KindOutcomeUnknown, Op: "redeem", Detail: detail, Err: x.err}
	}
	e := &Error{Op: "redeem", StatusCode: x.status, BodyExcerpt: excerpt(x.body, x.red)}
	if ae, ok := DecodeAPIError(x.body); ok {
		e.APICode = cleanText(x.red.Replace(ae.Code), 64)
		e.APIMessage = cleanText(x.red.Replace(ae.Message), maxAPIMessage)
	}
	switch {
	case x.status == http.StatusUnauthorized || x.status == http.StatusForbidden:
		e.Kind, e.Detail = KindAuth, "the API refused the access token; nothing was redeemed"
	case x.status/100 == 5:
		e.Kind, e.Detail = KindOutcomeUnknown, "server error; the redemption may or may not have been made"
	case x.status/100 == 4:
		e.Kind, e.Detail = KindRejected, "the server refused the redemption"
	default:
		e.Kind, e.Detail = KindServer, "unexpected status (a redirect is not followed for a redemption)"
	}
	return e
}

// neverSent reports whether err shows the request cannot have left this machine:
// the name did not resolve or the connection was never made.
func neverSent(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || errors.As(err, &op) && op.Op == "dial"
}

// APIError is the platform's error body as seen on other endpoints:
// {"code":"WX0099","message":"…"}, {"code":1001,"message":"…"} or {"message":"…"}.
type APIError struct {
	Code    string // as text; a numeric code keeps its JSON spelling
	Message string
}

// DecodeAPIError reads an error body tolerantly and reports whether it held a
// code or a message. Keys match case-insensitively; OAuth2's error and
// error_description stand in when code and message are missing. Nothing is
// redacted here: the caller does that before showing the text.
func DecodeAPIError(body []byte) (APIError, bool) {
	body = bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf"))
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return APIError{}, false
	}
	var w [4]string
	objectFields(gjson.Parse(string(body)), []string{"code", "message", "error", "error_description"}, w[:])
	var ae APIError
	var oauthCode, oauthDesc string
	d := decoder{}
	d.str(&ae.Code, w[0], "code")
	d.str(&ae.Message, w[1], "message")
	if d.err != nil {
		return APIError{}, false
	}
	d.str(&oauthCode, w[2], "error")
	d.str(&oauthDesc, w[3], "error_description")
	if d.err == nil {
		ae.Code = cmpOr(ae.Code, oauthCode)
		ae.Message = cmpOr(ae.Message, oauthDesc)
	}
	return ae, ae.Code != "" || ae.Message != ""
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
