package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID = "desk-7"
	testSecret   = "s3cr3t/+&=Zq9" // characters that change under form encoding
	testShop     = "000030"
	testMobile   = "0903123123"
	wantQuery    = "mobile=0903123123&shop_id=000030"
	tokenPrefix  = "TKN-9f8e7d6c-" // issued tokens are tokenPrefix + request number
)

// replyFunc answers the n-th (from 1) request to a fake endpoint, after the
// tenant has checked what the client sent.
type replyFunc func(w http.ResponseWriter, r *http.Request, n int64)

// tenant is a fake Wixtar tenant on loopback: a token endpoint and a member API
// whose handlers assert every request and count them.
type tenant struct {
	tokenSrv, apiSrv   *httptest.Server
	tokenHits, apiHits atomic.Int64

	mu    sync.Mutex
	auths []string // Authorization headers the API saw, in order

	// logs receives the client's log at debug level; at the end of the test it
	// must hold no secret, token or full number (see secrets_test.go).
	logs *leakWatch
}

func newTenant(t *testing.T, tokenReply, apiReply replyFunc) *tenant {
	t.Helper()
	if tokenReply == nil {
		tokenReply = issueToken
	}
	if apiReply == nil {
		apiReply = replyBody(readSeed(t, "seed-member.json"))
	}
	tn := &tenant{logs: &leakWatch{tokens: []string{"CACHED-"}}}
	t.Cleanup(func() { tn.logs.check(t) }) // registered first: runs once the servers are closed
	tn.tokenSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := tn.tokenHits.Add(1)
		checkTokenRequest(t, r)
		tokenReply(w, r, n)
	}))
	t.Cleanup(tn.tokenSrv.Close)
	tn.apiSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := tn.apiHits.Add(1)
		checkAPIRequest(t, r)
		tn.mu.Lock()
		tn.auths = append(tn.auths, r.Header.Get("Authorization"))
		tn.mu.Unlock()
		apiReply(w, r, n)
	}))
	t.Cleanup(tn.apiSrv.Close)
	return tn
}

func (tn *tenant) config() Config {
	return Config{
		BaseURL:      tn.apiSrv.URL,
		TokenURL:     tn.tokenSrv.URL + "/oauth/v1/token",
		ClientID:     testClientID,
		ClientSecret: testSecret,
		Logger:       tn.logs.logger(),
	}
}

func (tn *tenant) client(t *testing.T, edit func(*Config)) *Client {
	t.Helper()
	cfg := tn.config()
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (tn *tenant) seenAuths() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.auths...)
}

func (tn *tenant) wantHits(t *testing.T, c *Client, token, api int64) {
	t.Helper()
	if got := tn.tokenHits.Load(); got != token {
		t.Errorf("token endpoint saw %d requests, want %d", got, token)
	}
	if c != nil && c.TokenRequests() != tn.tokenHits.Load() {
		t.Errorf("TokenRequests() = %d, server saw %d", c.TokenRequests(), tn.tokenHits.Load())
	}
	if got := tn.apiHits.Load(); got != api {
		t.Errorf("member API saw %d requests, want %d", got, api)
	}
}

func checkTokenRequest(t *testing.T, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/oauth/v1/token" {
		t.Errorf("token request %s %s", r.Method, r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("token Content-Type %q", ct)
	}
	if a := r.Header.Get("Authorization"); a != "" {
		t.Errorf("token request has Authorization %q; credentials belong in the body", a)
	}
	if ua := r.Header.Get("User-Agent"); ua != UserAgent() {
		t.Errorf("token User-Agent %q", ua)
	}
	if err := r.ParseForm(); err != nil {
		t.Errorf("token form: %v", err)
	}
	want := url.Values{"client_id": {testClientID}, "client_secret": {testSecret},
		"grant_type": {"client_credentials"}, "scope": {"api"}}
	if !reflect.DeepEqual(r.PostForm, want) {
		t.Errorf("token form %v, want %v", r.PostForm, want)
	}
}

func checkAPIRequest(t *testing.T, r *http.Request) {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/v1/user/ocard") {
		t.Errorf("API request %s %s", r.Method, r.URL.Path)
	}
	if r.URL.RawQuery != wantQuery {
		t.Errorf("API query %q, want %q", r.URL.RawQuery, wantQuery)
	}
	if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "Bearer ") || len(a) < len("Bearer x") {
		t.Errorf("API Authorization %q", a)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("API Accept %q", got)
	}
	if ua := r.Header.Get("User-Agent"); ua != UserAgent() {
		t.Errorf("API User-Agent %q", ua)
	}
}

func issueToken(w http.ResponseWriter, _ *http.Request, n int64) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":"%s%d","expires_in":2592000,"token_type":"Bearer","scope":"api"}`, tokenPrefix, n)
}

func bearer(n int) string { return fmt.Sprintf("Bearer %s%d", tokenPrefix, n) }

func replyBody(body string) replyFunc {
	return replyStatus(http.StatusOK, body)
}

func replyStatus(status int, body string) replyFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestLookupMember(t *testing.T) {
	tn := newTenant(t, nil, nil)
	c := tn.client(t, nil)
	// Shop id with spaces around (kept zeros) and a number in +886 form.
	m, err := c.LookupMember(context.Background(), " "+testShop+" ", "+886 903-123-123")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, seedMember()) {
		t.Errorf("got %s", dumpMember(m))
	}
	tn.wantHits(t, c, 1, 1)
	if got := tn.seenAuths(); !reflect.DeepEqual(got, []string{bearer(1)}) {
		t.Errorf("Authorization = %q", got)
	}
}

func TestLookupMemberRetriesOnceAfter401(t *testing.T) {
	tn := newTenant(t, nil, func(w http.ResponseWriter, r *http.Request, n int64) {
		if r.Header.Get("Authorization") == bearer(1) { // revoked on the server
			replyStatus(http.StatusUnauthorized, `{"error":"invalid_token"}`)(w, r, n)
			return
		}
		replyBody(readSeed(t, "seed-member.json"))(w, r, n)
	})
	c := tn.client(t, nil)
	if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
		t.Fatal(err)
	}
	tn.wantHits(t, c, 2, 2)
	// The replacement token is kept for later lookups.
	if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
		t.Fatal(err)
	}
	tn.wantHits(t, c, 2, 3)
	if got, want := tn.seenAuths(), []string{bearer(1), bearer(2), bearer(2)}; !reflect.DeepEqual(got, want) {
		t.Errorf("Authorization sequence %q, want %q", got, want)
	}
}

// errorCase is one failure and the traffic it may cause; tokenAttempts, when set,
// is what TokenRequests must report (it counts attempts the server never saw).
type errorCase struct {
	name          string
	token, api    replyFunc
	edit          func(*Config)
	kind          Kind
	op            string
	status        int
	tokens, apis  int64
	tokenAttempts int64
	detail        string
	excerpt       string // prefix of BodyExcerpt
}

func runErrorCases(t *testing.T, cases []errorCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenant(t, tc.token, tc.api)
			c := tn.client(t, tc.edit)
			m, err := c.LookupMember(context.Background(), testShop, testMobile)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.Kind != tc.kind || e.Op != tc.op || e.StatusCode != tc.status {
				t.Errorf("got kind %v op %q status %d, want %v %q %d (%v)", e.Kind, e.Op, e.StatusCode, tc.kind, tc.op, tc.status, err)
			}
			if tc.detail != "" && !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", e.Detail, tc.detail)
			}
			if !strings.HasPrefix(e.BodyExcerpt, tc.excerpt) {
				t.Errorf("excerpt %q, want prefix %q", e.BodyExcerpt, tc.excerpt)
			}
			if len(e.BodyExcerpt) > 200 || strings.ContainsAny(e.BodyExcerpt, "\r\n\t\x1b") {
				t.Errorf("excerpt not short and clean: %q", e.BodyExcerpt)
			}
			if !reflect.DeepEqual(m, Member{}) {
				t.Errorf("member %+v alongside an error", m)
			}
			assertNoSecrets(t, errorTexts(err)...) // see faults_test.go
			if tc.tokenAttempts != 0 {
				tn.wantHits(t, nil, tc.tokens, tc.apis)
				if got := c.TokenRequests(); got != tc.tokenAttempts {
					t.Errorf("TokenRequests() = %d, want %d", got, tc.tokenAttempts)
				}
				return
			}
			tn.wantHits(t, c, tc.tokens, tc.apis)
		})
	}
}

// closedURL is the address of a server that is no longer listening.
func closedURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

var (
	bigBody  = strings.Repeat("x", 1000)
	htmlPage = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\x1b[31m" +
		strings.Repeat("oops ", 100) + "</body></html>"
)

// TestLookupMemberErrors covers every failure of the member API; TestTokenErrors
// those of the token endpoint.
func TestLookupMemberErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "401 twice", api: replyStatus(401, `{}`), kind: KindAuth, op: "lookup", status: 401, tokens: 2, apis: 2},
		{name: "403", api: replyStatus(403, `forbidden`), kind: KindAuth, op: "lookup", status: 403, tokens: 1, apis: 1},
		{name: "500 HTML", api: replyStatus(500, htmlPage), kind: KindServer, op: "lookup", status: 500, tokens: 1, apis: 1,
			excerpt: "<html> <head><title>500 Internal Server Error</title></head> <body> [31moops oops"},
		{name: "404", api: replyStatus(404, `not found`), kind: KindServer, op: "lookup", status: 404, tokens: 1, apis: 1, excerpt: "not found"},
		{name: "429", api: replyStatus(429, ``), kind: KindServer, op: "lookup", status: 429, tokens: 1, apis: 1},
		{name: "204 empty", api: replyStatus(204, ``), kind: KindMalformed, op: "decode", tokens: 1, apis: 1},
		{name: "200 HTML", api: replyBody(`<html>maintenance</html>`), kind: KindMalformed, op: "decode", tokens: 1, apis: 1},
		{name: "oversized with length", api: replyBody(bigBody), edit: func(c *Config) { c.MaxBodyBytes = 200 },
			kind: KindMalformed, op: "lookup", tokens: 1, apis: 1, detail: "response larger than 200 bytes"},
		{name: "oversized chunked", edit: func(c *Config) { c.MaxBodyBytes = 200 },
			api: func(w http.ResponseWriter, _ *http.Request, _ int64) {
				w.WriteHeader(200)
				w.(http.Flusher).Flush() // headers out without a Content-Length
				io.WriteString(w, bigBody)
			}, kind: KindMalformed, op: "lookup", tokens: 1, apis: 1, detail: "response larger than 200 bytes"},
		{name: "timeout", api: blockUntilGone(t, nil), edit: func(c *Config) { c.Timeout = time.Second },
			kind: KindTimeout, op: "lookup", tokens: 1, apis: 1},
		{name: "connection refused", edit: func(c *Config) { c.BaseURL = closedURL() },
			kind: KindNetwork, op: "lookup", tokens: 1, apis: 0},
	})
}

func TestLookupMemberCallerDeadline(t *testing.T) {
	tn := newTenant(t, nil, blockUntilGone(t, nil))
	c := tn.client(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.LookupMember(ctx, testShop, testMobile)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want KindTimeout wrapping DeadlineExceeded", err)
	}
}

func TestLookupMemberExcerpt(t *testing.T) {
	tn := newTenant(t, nil, replyStatus(502, "<h1>Bad\r\nGateway</h1>\x00"+strings.Repeat("é", 300)))
	_, err := tn.client(t, nil).LookupMember(context.Background(), testShop, testMobile)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.BodyExcerpt, "<h1>Bad Gateway</h1> éé") || len(e.BodyExcerpt) > 200 {
		t.Errorf("excerpt %q (%d bytes)", e.BodyExcerpt, len(e.BodyExcerpt))
	}
	if !strings.HasSuffix(e.BodyExcerpt, "é") { // cut on a rune boundary
		t.Errorf("excerpt ends mid-rune: %q", e.BodyExcerpt[len(e.BodyExcerpt)-3:])
	}
}

func TestLookupMemberBodyAtLimit(t *testing.T) {
	b := `{"member":{"id":"M1"},"point_card":null}`
	b += strings.Repeat(" ", 200-len(b))
	tn := newTenant(t, nil, replyBody(b))
	m, err := tn.client(t, func(c *Config) { c.MaxBodyBytes = 200 }).LookupMember(context.Background(), testShop, testMobile)
	if err != nil || m.ID != "M1" {
		t.Fatalf("body of exactly MaxBodyBytes: %+v, %v", m, err)
	}
}

// blockUntilGone answers nothing until the client gives up (or the test ends),
// so the only way out is the client's own deadline or cancellation.
func blockUntilGone(t *testing.T, entered chan<- struct{}) replyFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) }) // runs before the servers' Close
	return func(w http.ResponseWriter, r *http.Request, _ int64) {
		if entered != nil {
			entered <- struct{}{}
		}
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

// TestRedirects: the bearer token never leaves the configured host.
func TestRedirects(t *testing.T) {
	var elsewhereHits atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhereHits.Add(1)
		t.Errorf("request reached the other host with Authorization %q", r.Header.Get("Authorization"))
	}))
	t.Cleanup(elsewhere.Close)
	redirectTo := func(status int, target func(r *http.Request) string) replyFunc {
		return func(w http.ResponseWriter, r *http.Request, _ int64) {
			http.Redirect(w, r, target(r), status)
		}
	}
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		t.Run(fmt.Sprintf("other host %d", status), func(t *testing.T) {
			tn := newTenant(t, nil, redirectTo(status, func(r *http.Request) string { return elsewhere.URL + r.URL.RequestURI() }))
			c := tn.client(t, nil)
			_, err := c.LookupMember(context.Background(), testShop, testMobile)
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindServer || e.StatusCode != status {
				t.Fatalf("err = %v, want KindServer %d", err, status)
			}
			tn.wantHits(t, c, 1, 1)
		})
	}
	t.Run("same server under another name", func(t *testing.T) {
		var tn *tenant
		tn = newTenant(t, nil, redirectTo(http.StatusFound, func(r *http.Request) string {
			return strings.Replace(tn.apiSrv.URL, "127.0.0.1", "localhost", 1) + r.URL.RequestURI()
		}))
		c := tn.client(t, nil)
		if _, err := c.LookupMember(context.Background(), testShop, testMobile); !errors.Is(err, ErrServer) {
			t.Fatalf("err = %v, want KindServer", err)
		}
		tn.wantHits(t, c, 1, 1)
	})
	t.Run("same host followed", func(t *testing.T) {
		tn := newTenant(t, nil, func(w http.ResponseWriter, r *http.Request, n int64) {
			if strings.HasPrefix(r.URL.Path, "/old/") {
				http.Redirect(w, r, strings.TrimPrefix(r.URL.Path, "/old")+"?"+r.URL.RawQuery, http.StatusMovedPermanently)
				return
			}
			replyBody(readSeed(t, "seed-member.json"))(w, r, n)
		})
		c := tn.client(t, func(c *Config) { c.BaseURL += "/old" })
		if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
			t.Fatal(err)
		}
		tn.wantHits(t, c, 1, 2)
		if got := tn.seenAuths(); !reflect.DeepEqual(got, []string{bearer(1), bearer(1)}) {
			t.Errorf("Authorization %q", got)
		}
	})
	t.Run("too many", func(t *testing.T) {
		tn := newTenant(t, nil, redirectTo(http.StatusFound, func(r *http.Request) string { return r.URL.RequestURI() }))
		c := tn.client(t, nil)
		_, err := c.LookupMember(context.Background(), testShop, testMobile)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindServer || e.StatusCode != http.StatusFound {
			t.Fatalf("err = %v, want KindServer 302", err)
		}
		tn.wantHits(t, c, 1, 1+maxRedirects)
	})
	if n := elsewhereHits.Load(); n != 0 {
		t.Errorf("other host saw %d requests", n)
	}
}
