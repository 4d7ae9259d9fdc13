package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// wireMember is just enough of the API's shape to check what the demo serves.
type wireMember struct {
	Member struct {
		HeadImage *string `json:"head_image"`
		Name      *string `json:"name"`
		Mobile    *string `json:"mobile"`
		Carrier   *string `json:"carrier"`
	} `json:"member"`
	PointCard *struct {
		Point  any             `json:"point"`
		Spend  any             `json:"spend"`
		Expire json.RawMessage `json:"expire"`
	} `json:"point_card"`
}

var carrierShape = regexp.MustCompile(`^/[0-9A-Z.\-+]{7}$`)

func TestVarietyNumbers(t *testing.T) {
	s := startTest(t, Options{})
	tok := token(t, s)
	day := func(n int) string { return fixedNow.AddDate(0, 0, n).Format("2006/01/02") }
	tests := []struct {
		mobile, name, avatar, expire string
		carrierValid, noCard         bool
	}{
		{mobile: "0911111111", name: "林雅婷", avatar: "normal.png", carrierValid: true,
			expire: `[{"date":"` + day(75) + `","point":"500"},{"date":"` + day(12) + `","point":120},{"date":"` + day(200) + `","point":"1000"}]`},
		{mobile: "0922222222", name: "歐陽詠琪・瑪格麗特・伊莉莎白", avatar: "normal.png", expire: "null"},
		{mobile: "0933333333", name: "陳志明", avatar: "normal.png", expire: `{"date":"` + day(45) + `","point":200}`},
		{mobile: "0944444444", name: "王小美", avatar: "normal.png", carrierValid: true, noCard: true},
		{mobile: "0955555555", name: "黃建華", avatar: "normal.png", carrierValid: true,
			expire: `[{"date":"` + day(150) + `","point":"250000"},{"date":"` + day(60) + `","point":1500000}]`},
		{mobile: "0966666666", name: "李佳穎", avatar: "slow.png", carrierValid: true, expire: "[]"},
		{mobile: "0977777777", name: "吳俊傑", avatar: "broken.png", carrierValid: true},
		{mobile: "0900000003", name: "周怡君", avatar: "normal.png", carrierValid: true},
	}
	for _, tt := range tests {
		t.Run(tt.mobile, func(t *testing.T) {
			status, _, body := getMember(t, context.Background(), s, tok, memberQuery(tt.mobile))
			if tt.mobile == "0900000003" { // the first use of a token is refused
				tok = token(t, s)
				status, _, body = getMember(t, context.Background(), s, tok, memberQuery(tt.mobile))
			}
			var m wireMember
			if err := json.Unmarshal([]byte(body), &m); status != 200 || err != nil {
				t.Fatalf("%d %v\n%s", status, err, body)
			}
			if m.Member.Name == nil || *m.Member.Name != tt.name || m.Member.Mobile == nil || *m.Member.Mobile != tt.mobile {
				t.Errorf("name/mobile: %s", body)
			}
			if got, want := deref(m.Member.HeadImage), s.BaseURL()+"/avatars/"+tt.avatar; got != want {
				t.Errorf("head_image %q, want %q", got, want)
			}
			if got := carrierShape.MatchString(deref(m.Member.Carrier)); got != tt.carrierValid {
				t.Errorf("carrier %q valid = %v, want %v", deref(m.Member.Carrier), got, tt.carrierValid)
			}
			if (m.PointCard == nil) != tt.noCard {
				t.Fatalf("point_card: %s", body)
			}
			if m.PointCard != nil && tt.expire != "" {
				var got, want any
				_ = json.Unmarshal(m.PointCard.Expire, &got)
				_ = json.Unmarshal([]byte(tt.expire), &want)
				if g, w := mustJSON(got), mustJSON(want); g != w {
					t.Errorf("expire %s, want %s", g, w)
				}
			}
			if strings.Contains(body, "{{") {
				t.Errorf("a placeholder was left in:\n%s", body)
			}
		})
	}
}

func TestLargeBalanceMixesNumbersAndStrings(t *testing.T) {
	s := startTest(t, Options{})
	_, _, body := getMember(t, context.Background(), s, token(t, s), memberQuery("0955555555"))
	var m wireMember
	if err := json.Unmarshal([]byte(body), &m); err != nil || m.PointCard == nil {
		t.Fatal(err, body)
	}
	if m.PointCard.Point != float64(9876543) || m.PointCard.Spend != "1234567" {
		t.Errorf("point %#v spend %#v, want the number 9876543 and the string \"1234567\"", m.PointCard.Point, m.PointCard.Spend)
	}
}

func TestFaultNumbers(t *testing.T) {
	s := startTest(t, Options{SlowDelay: time.Millisecond, SeedAvatarURLs: true})
	tok := token(t, s)
	ctx := context.Background()

	status, _, body := getMember(t, ctx, s, tok, memberQuery("0900000001"))
	if status != 200 || body != seedMember {
		t.Errorf("slow number after its delay: %d %s", status, body)
	}
	status, h, body := getMember(t, ctx, s, tok, memberQuery("0900000002"))
	if status != 500 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "<html>") {
		t.Errorf("500 number: %d %q %s", status, h.Get("Content-Type"), body)
	}
	status, _, body = getMember(t, ctx, s, tok, memberQuery("0900000004"))
	if status != 200 || json.Valid([]byte(body)) || body == "" {
		t.Errorf("malformed number: %d, valid JSON = %v", status, json.Valid([]byte(body)))
	}
}

func TestTokenRevokedOnce(t *testing.T) {
	s := startTest(t, Options{})
	ctx := context.Background()
	first := token(t, s)
	if status, _, _ := getMember(t, ctx, s, first, memberQuery("0903123123")); status != 200 {
		t.Fatalf("before revocation: %d", status)
	}
	if status, h, _ := getMember(t, ctx, s, first, memberQuery("0900000003")); status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("first use of a token for 0900000003: %d %q, want 401 invalid_token", status, h.Get("WWW-Authenticate"))
	}
	if status, _, _ := getMember(t, ctx, s, first, memberQuery("0903123123")); status != 401 {
		t.Errorf("the revoked token still works: %d", status)
	}
	second := token(t, s)
	for range 2 {
		if status, _, body := getMember(t, ctx, s, second, memberQuery("0900000003")); status != 200 || !strings.Contains(body, "周怡君") {
			t.Errorf("with a fresh token: %d %s", status, body)
		}
	}
	if st := s.Stats(); st.TokenRequests != 2 || st.MemberRequests != 5 {
		t.Errorf("stats %+v, want 2 token and 5 member requests", st)
	}
}

func TestSlowNumberStopsWhenTheClientLeaves(t *testing.T) {
	sleeping, woke := make(chan struct{}, 1), make(chan bool, 1)
	s := startWith(t, Options{SlowDelay: time.Hour}, new(testClock), testHooks{
		sleepStarted: func() { sleeping <- struct{}{} },
		sleepEnded:   func(completed bool) { woke <- completed },
	})
	tok := token(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL()+"/v1/user/ocard?"+memberQuery("0900000001"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-sleeping // the handler is asleep: now hang up
	cancel()
	if err := <-errc; err == nil {
		t.Error("the request succeeded; it should have been cancelled")
	}
	select {
	case completed := <-woke: // the handler noticed and returned long before its hour
		if completed {
			t.Error("the slow handler says it slept its full hour")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the slow handler kept sleeping after the client went away")
	}
}

func TestAvatars(t *testing.T) {
	s := startTest(t, Options{AvatarDelay: time.Millisecond})
	get := func(name string) (int, []byte) {
		resp, err := http.Get(s.BaseURL() + "/avatars/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	for _, name := range []string{"normal.png", "slow.png"} {
		status, body := get(name)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
		if status != 200 || err != nil || format != "png" || cfg.Width != 128 || cfg.Height != 128 {
			t.Errorf("%s: %d %v %s %dx%d", name, status, err, format, cfg.Width, cfg.Height)
		}
	}
	status, body := get("broken.png")
	if _, _, err := image.DecodeConfig(bytes.NewReader(body)); status != 200 || err == nil {
		t.Errorf("broken.png: %d, decodes = %v", status, err == nil)
	}
	if status, _ := get("unknown.png"); status != 404 {
		t.Errorf("unknown avatar: %d", status)
	}
	if st := s.Stats(); st.AvatarRequests < 3 {
		t.Errorf("avatar requests %d", st.AvatarRequests)
	}
}

func TestNumbers(t *testing.T) {
	mobile := regexp.MustCompile(`^09[0-8]\d{7}$`)
	seen := map[string]bool{}
	for _, n := range Numbers() {
		if !mobile.MatchString(n.Mobile) || n.Label == "" || seen[n.Mobile] {
			t.Errorf("bad or repeated demo number %+v", n)
		}
		seen[n.Mobile] = true
	}
	for _, e := range entries {
		if !seen[e.Mobile] {
			t.Errorf("%s is served but not listed", e.Mobile)
		}
		if _, err := files.ReadFile("responses/" + e.file); err != nil {
			t.Errorf("%s: %v", e.Mobile, err)
		}
	}
	if !seen[notMemberExample] {
		t.Error("no not-a-member example listed")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if s, err := Start(Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		if err := CheckLoopback(addr); err != nil {
			t.Errorf("CheckLoopback(%q) = %v", addr, err)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestIndexPage(t *testing.T) {
	s := startTest(t, Options{})
	resp, err := http.Get(s.BaseURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{s.TokenURL(), ShopID, "0900000003"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("index lacks %q:\n%s", want, body)
		}
	}
}
