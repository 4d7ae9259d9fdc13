package demo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The seed's three response examples, exactly as the API documentation prints them.
const (
	seedMember = `{
"member": {
"head_image": "https://d3egcl3bvwgcig.cloudfront.net/user/51eed9112f1c1d944d3f4a257b9cc187_m.jpg",
"id": "-JR04E188",
"name": "Chien YH",
"mobile": "0903515908",
"group_id": "01",
"group_name": "VIP_LV1 測試",
"carrier": "/XXX1XXX"
},
"point_card": {
"point": "14518",
"spend": "1579",
"convert": "100",
"available_gift_count": "10",
"title": "電子集點",
"content": "電子集點",
"expire": {
"date": "2026/12/31",
"point": 14488
}
}
}`
	seedMemberNoExpire = `{
"member": {
"head_image": "https://d3egcl3bvwgcig.cloudfront.net/user/51eed9112f1c1d944d3f4a257b9cc187_m.jpg",
"id": "-JR04E188",
"name": "Chien YH",
"mobile": "0903515908",
"group_id": "01",
"group_name": "VIP_LV1 測試"
},
"point_card": {
"point": "14518",
"spend": "1579",
"convert": "100",
"available_gift_count": "10",
"title": "電子集點",
"content": "電子集點"
}
}`
	seedNotMember = `{
"member": {
"head_image": null,
"id": null,
"name": null,
"mobile": null,
"group_id": null,
"group_name": null
},
"point_card": null
}`
)

// fixedNow is the demo's clock in these tests: 2026-03-10 15:04 local time.
var fixedNow = time.Date(2026, 3, 10, 15, 4, 0, 0, time.Local)

// testClock is fixedNow plus an offset a test may move forward.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time { return fixedNow.Add(time.Duration(c.offset.Load())) }

func startTest(t *testing.T, opts Options) *Server {
	t.Helper()
	return startWith(t, opts, new(testClock), testHooks{})
}

func startWith(t *testing.T, opts Options, clock *testClock, hooks testHooks) *Server {
	t.Helper()
	s, err := start(opts, clock.now, hooks)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func postToken(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.TokenURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func goodForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientID}, "client_secret": {ClientSecret}, "scope": {"api"}}
}

func token(t *testing.T, s *Server) string {
	t.Helper()
	status, body := postToken(t, s, goodForm())
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	return tok
}

// getMember asks for mobile with token ("" for none) and returns status and body.
func getMember(t *testing.T, ctx context.Context, s *Server, token, query string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL()+"/v1/user/ocard?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func memberQuery(mobile string) string {
	return url.Values{"shop_id": {ShopID}, "mobile": {mobile}}.Encode()
}

func TestTokenEndpoint(t *testing.T) {
	s := startTest(t, Options{})
	status, body := postToken(t, s, goodForm())
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["scope"] != "api" || body["expires_in"] != float64(2592000) {
		t.Errorf("good credentials: %d %v", status, body)
	}
	without := func(key, value string) url.Values {
		f := goodForm()
		if value == "" {
			f.Del(key)
		} else {
			f.Set(key, value)
		}
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"wrong secret", without("client_secret", "guess"), 401, "invalid_client"},
		{"no secret", without("client_secret", ""), 401, "invalid_client"},
		{"wrong client id", without("client_id", "someone"), 401, "invalid_client"},
		{"wrong grant", without("grant_type", "password"), 400, "unsupported_grant_type"},
		{"no grant", without("grant_type", ""), 400, "invalid_request"},
		{"unknown scope", without("scope", "admin"), 400, "invalid_scope"},
		{"no scope is fine", without("scope", ""), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, s, tt.form)
			if status != tt.status || (tt.code != "" && body["error"] != tt.code) {
				t.Errorf("got %d %v, want %d %s", status, body, tt.status, tt.code)
			}
		})
	}
}

func TestTokenEndpointTakesCredentialsOnlyFromTheBody(t *testing.T) {
	s := startTest(t, Options{})
	resp, err := http.PostForm(s.TokenURL()+"?"+goodForm().Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("credentials in the query string were accepted")
	}
	resp, err = http.Get(s.TokenURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET token: %d, want 405", resp.StatusCode)
	}
}

func TestMemberEndpointRefusals(t *testing.T) {
	s := startTest(t, Options{})
	tok := token(t, s)
	ctx := context.Background()
	tests := []struct {
		name, token, query string
		status             int
	}{
		{"no token", "", memberQuery("0903123123"), 401},
		{"unknown token", "not-a-token", memberQuery("0903123123"), 401},
		{"no shop_id", tok, "mobile=0903123123", 400},
		{"empty shop_id", tok, "shop_id=&mobile=0903123123", 400},
		{"no mobile", tok, "shop_id=" + ShopID, 400},
		{"good", tok, memberQuery("0903123123"), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, _ := getMember(t, ctx, s, tt.token, tt.query)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", h.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestExpiredTokenIsRefused(t *testing.T) {
	clock := new(testClock)
	s := startWith(t, Options{}, clock, testHooks{})
	tok := token(t, s)
	clock.offset.Store(int64(tokenLifetime))
	if status, _, _ := getMember(t, context.Background(), s, tok, memberQuery("0903123123")); status != 401 {
		t.Errorf("expired token: %d, want 401", status)
	}
}

func TestSeedExamplesVerbatim(t *testing.T) {
	s := startTest(t, Options{SeedAvatarURLs: true})
	tok := token(t, s)
	for mobile, want := range map[string]string{
		"0903123123": seedMember,
		"0903515908": seedMember,
		"0912345678": seedMemberNoExpire,
		"0987654321": seedNotMember,
		"0999999999": seedNotMember,
	} {
		status, h, body := getMember(t, context.Background(), s, tok, memberQuery(mobile))
		if status != 200 || body != want {
			t.Errorf("%s: %d\n%s\nwant byte for byte\n%s", mobile, status, body, want)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", mobile, ct)
		}
	}
}

// The demo must not reach the internet: every avatar it names is its own.
func TestDemoAvatarsAreLocal(t *testing.T) {
	s := startTest(t, Options{})
	tok := token(t, s)
	for _, n := range Numbers() {
		_, _, body := getMember(t, context.Background(), s, tok, memberQuery(n.Mobile))
		for _, url := range regexp.MustCompile(`https?://[^"]+`).FindAllString(body, -1) {
			if !strings.HasPrefix(url, s.BaseURL()) {
				t.Errorf("%s: the answer names %s", n.Mobile, url)
			}
		}
	}
}
