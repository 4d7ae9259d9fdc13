package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const redeemPath = "/v1/ticket/redeem-ocard-member-tickets-points"

var testRedeem = RedeemRequest{ShopID: "000030", OrderID: "00003026120400001", Mobile: "0903-515-908", Points: 10}

const testRedeemBody = `{"shop_id":"000030","order_id":"00003026120400001","ticket_ids":[""],"mobile":"0903515908","points":10}`

// redeemAPI is a fake redeem endpoint that counts POSTs and checks each one byte
// for byte; reply answers the n-th.
type redeemAPI struct {
	srv   *httptest.Server
	posts atomic.Int64
}

func newRedeemAPI(t *testing.T, wantBody string, reply replyFunc) (*redeemAPI, *Client) {
	t.Helper()
	tn := newTenant(t, nil, nil)
	a := &redeemAPI{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := a.posts.Add(1)
		checkPost(t, r, redeemPath, wantBody)
		reply(w, r, n)
	}))
	t.Cleanup(a.srv.Close)
	c := tn.client(t, func(cfg *Config) { cfg.BaseURL = a.srv.URL; cfg.Timeout = 2 * time.Second })
	return a, c
}

func noContent(w http.ResponseWriter, _ *http.Request, _ int64) { w.WriteHeader(http.StatusNoContent) }

func TestRedeemBodies(t *testing.T) {
	cases := []struct {
		req  RedeemRequest
		want string
	}{
		{testRedeem, testRedeemBody},
		{RedeemRequest{ShopID: "000030", OrderID: "A1", Mobile: "+886903515908", TicketIDs: []string{" T00001 ", "T2"}},
			`{"shop_id":"000030","order_id":"A1","ticket_ids":["T00001","T2"],"mobile":"0903515908","points":0}`},
	}
	for _, tc := range cases {
		a, c := newRedeemAPI(t, tc.want, noContent)
		if err := c.Redeem(context.Background(), tc.req); err != nil {
			t.Fatal(err)
		}
		if a.posts.Load() != 1 {
			t.Errorf("%d POSTs", a.posts.Load())
		}
	}
}

func TestRedeemInvalidInputSendsNothing(t *testing.T) {
	a, c := newRedeemAPI(t, testRedeemBody, noContent)
	for _, edit := range []func(*RedeemRequest){
		func(r *RedeemRequest) { r.OrderID = "" },
		func(r *RedeemRequest) { r.OrderID = "has space" },
		func(r *RedeemRequest) { r.Points = 0 },
		func(r *RedeemRequest) { r.Points = -1 },
		func(r *RedeemRequest) { r.TicketIDs = []string{" "} },
		func(r *RedeemRequest) { r.Mobile = "12345" },
		func(r *RedeemRequest) { r.ShopID = "" },
	} {
		req := testRedeem
		edit(&req)
		if err := c.Redeem(context.Background(), req); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: %v", req, err)
		}
	}
	if a.posts.Load() != 0 {
		t.Errorf("%d POSTs for invalid input", a.posts.Load())
	}
}

// TestRedeemAtMostOnce runs each answer the server can give and counts POSTs:
// only a 401 earns a second one, with the same body.
func TestRedeemAtMostOnce(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request, _ int64) { <-r.Context().Done() }
	drop := func(w http.ResponseWriter, _ *http.Request, _ int64) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	cases := []struct {
		name    string
		reply   replyFunc
		posts   int64
		wantErr error
		apiMsg  string
	}{
		{"204", noContent, 1, nil, ""},
		{"401 then 204", func(w http.ResponseWriter, r *http.Request, n int64) {
			if n == 1 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if r.Header.Get("Authorization") != bearer(2) {
				t.Errorf("resend with %q", r.Header.Get("Authorization"))
			}
			w.WriteHeader(http.StatusNoContent)
		}, 2, nil, ""},
		{"401 twice", replyStatus(http.StatusUnauthorized, ""), 2, ErrAuth, ""},
		{"500", replyStatus(http.StatusInternalServerError, "<html>oops</html>"), 1, ErrOutcomeUnknown, ""},
		{"503 with a message", replyStatus(http.StatusServiceUnavailable, `{"message":"busy"}`), 1, ErrOutcomeUnknown, "busy"},
		{"timeout", hang, 1, ErrOutcomeUnknown, ""},
		{"dropped connection", drop, 1, ErrOutcomeUnknown, ""},
		{"400 string code", replyStatus(400, `{"code":"WX0099","message":"票券狀態不允許銷售 0903515908"}`), 1, ErrRejected, "票券狀態不允許銷售 0903***908"},
		{"400 numeric code", replyStatus(400, `{"code":1001,"message":"點數不足"}`), 1, ErrRejected, "點數不足"},
		{"404 message only", replyStatus(404, `{"message":"查無儲值卡資料"}`), 1, ErrRejected, "查無儲值卡資料"},
		{"422 not JSON", replyStatus(422, `nope`), 1, ErrRejected, ""},
		{"307 not followed", func(w http.ResponseWriter, r *http.Request, _ int64) {
			http.Redirect(w, r, redeemPath+"?again=1", http.StatusTemporaryRedirect)
		}, 1, ErrServer, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, c := newRedeemAPI(t, testRedeemBody, tc.reply)
			if tc.name == "timeout" {
				c.cfg.Timeout = 50 * time.Millisecond // the handler never answers: any limit works
			}
			err := c.Redeem(context.Background(), testRedeem)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := a.posts.Load(); got != tc.posts {
				t.Errorf("%d POSTs, want %d", got, tc.posts)
			}
			var e *Error
			if errors.As(err, &e) && e.APIMessage != tc.apiMsg {
				t.Errorf("APIMessage %q, want %q", e.APIMessage, tc.apiMsg)
			}
			if err != nil && strings.Contains(err.Error(), "0903515908") {
				t.Errorf("full number in %q", err)
			}
		})
	}
}

func TestRedeemCanceledMidRequestIsUnknown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, c := newRedeemAPI(t, testRedeemBody, func(w http.ResponseWriter, r *http.Request, _ int64) {
		cancel() // the cashier closed the window while the server was working
		<-r.Context().Done()
	})
	err := c.Redeem(ctx, testRedeem)
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestRedeemNoConnectionIsNotUnknown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the dial is refused
	tn := newTenant(t, nil, nil)
	c := tn.client(t, func(cfg *Config) { cfg.BaseURL = "http://" + addr })
	err = c.Redeem(context.Background(), testRedeem)
	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("err = %v, want a network error (nothing sent)", err)
	}
}

var apiErrorCases = []struct {
	body string
	want APIError
	ok   bool
}{
	{`{"code":"WX0099","message":"查無儲值卡資料"}`, APIError{"WX0099", "查無儲值卡資料"}, true},
	{`{"code":1001,"message":"x"}`, APIError{"1001", "x"}, true},
	{`{"message":"票券狀態不允許銷售"}`, APIError{"", "票券狀態不允許銷售"}, true},
	{`{"Code":null,"MESSAGE":"m","extra":[1]}`, APIError{"", "m"}, true},
	{`{"error":"invalid_token","error_description":"revoked"}`, APIError{"invalid_token", "revoked"}, true},
	{`{}`, APIError{}, false},
	{`{"message":{"nested":1}}`, APIError{}, false},
	{`<html>`, APIError{}, false},
	{``, APIError{}, false},
}

func TestDecodeAPIError(t *testing.T) {
	for _, tc := range apiErrorCases {
		got, ok := DecodeAPIError([]byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %+v %v, want %+v %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzDecodeAPIError: never panics, and ok means there is something to show.
func FuzzDecodeAPIError(f *testing.F) {
	for _, tc := range apiErrorCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ae, ok := DecodeAPIError(b)
		if ok != (ae.Code != "" || ae.Message != "") {
			t.Fatalf("ok %v for %+v", ok, ae)
		}
		red := newRedactor("", "", "0903515908")
		if msg := cleanText(red.Replace(ae.Message), maxAPIMessage); len(msg) > maxAPIMessage || strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message not cut to one line: %q", msg)
		}
	})
}

// TestRedeemRejectionIsRedacted: a refusal that echoes the token, the secret and
// the number shows none of them.
func TestRedeemRejectionIsRedacted(t *testing.T) {
	body := `{"code":"E1","message":"token ` + tokenPrefix + `1 secret ` + jsonEscape(testSecret) + ` mobile 0903515908 +886903515908"}`
	_, c := newRedeemAPI(t, testRedeemBody, replyStatus(http.StatusBadRequest, body))
	err := c.Redeem(context.Background(), testRedeem)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindRejected {
		t.Fatalf("err = %v", err)
	}
	for _, leak := range []string{tokenPrefix + "1", testSecret, jsonEscape(testSecret), "0903515908", "903515908"} {
		if strings.Contains(e.APIMessage, leak) || strings.Contains(e.BodyExcerpt, leak) || strings.Contains(err.Error(), leak) {
			t.Errorf("%q leaks into %q / %q", leak, e.APIMessage, e.BodyExcerpt)
		}
	}
	if e.APIMessage != "token [token] secret [secret] mobile 0903***908 +886***" {
		t.Errorf("APIMessage %q", e.APIMessage)
	}
}
