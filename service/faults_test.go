package service

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The fault suite: what the world does to the client that the tests in
// client_test.go and token_test.go do not already do (see docs/RELIABILITY.md for
// the whole map). Every case runs against an httptest server on 127.0.0.1 with a
// short per-request timeout, and checks the error kind, a readable message, that
// nothing hangs, that no secret, token or full number is in the error, and, for
// the huge bodies, that memory stays bounded.

const (
	// faultTimeout is the per-request limit in the fault suite: a fault that only
	// a timeout can end costs a fraction of a second.
	faultTimeout = 300 * time.Millisecond
	// hangLimit turns a hang into a failure. It is not a timing assertion: a case
	// that is merely slow on a busy machine is still far inside it.
	hangLimit = 20 * time.Second
	// hugeBody is the size of the hostile bodies: 64 MiB, 64 times the default cap.
	hugeBody = 64 << 20
	// maxGrowth is how much a refused huge body may cost in allocations, all of
	// the client's reading and the server's writing included. Reading the body
	// would cost at least 64 MiB.
	maxGrowth = 16 << 20
)

// faultCase is one hostile server behaviour and what the client must make of it.
type faultCase struct {
	name       string
	token, api replyFunc
	want       *Error // the kind sentinel: ErrNetwork, ErrTimeout…
	op         string // "lookup", "token" or "decode"
	status     int
	detail     string // a phrase the Detail must contain
	excerpt    string // a prefix the BodyExcerpt must have
	tokens     int64  // token endpoint requests, when apis >= 0
	apis       int64  // member API requests; -1 when the transport may or may not get there
	bounded    bool   // a huge body: allocations must stay under maxGrowth
}

func runFaultCases(t *testing.T, cases []faultCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			noLeakedGoroutines(t)
			tn := newTenant(t, tc.token, tc.api)
			c := tn.client(t, func(c *Config) { c.Timeout = faultTimeout })
			var before runtime.MemStats
			if tc.bounded {
				runtime.GC()
				runtime.ReadMemStats(&before)
			}
			m, err := lookupWithin(t, c, testMobile)
			if tc.bounded {
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				if grew := after.TotalAlloc - before.TotalAlloc; grew > maxGrowth {
					t.Errorf("refusing the body allocated %d MiB, want under %d MiB", grew>>20, maxGrowth>>20)
				}
			}
			if m.ID != "" || m.Card != nil {
				t.Errorf("member %+v alongside an error", m)
			}
			e := wantFault(t, err, tc.want, tc.op, tc.status)
			if !strings.Contains(e.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", e.Detail, tc.detail)
			}
			if !strings.HasPrefix(e.BodyExcerpt, tc.excerpt) {
				t.Errorf("excerpt %q, want prefix %q", e.BodyExcerpt, tc.excerpt)
			}
			if tc.apis >= 0 {
				tn.wantHits(t, c, tc.tokens, tc.apis)
			}
		})
	}
}

// lookupWithin runs one lookup and fails the test, rather than hanging it, when the
// client does not come back.
func lookupWithin(t *testing.T, c *Client, mobile string) (Member, error) {
	t.Helper()
	type result struct {
		m   Member
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := c.LookupMember(context.Background(), testShop, mobile)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-time.After(hangLimit):
		t.Fatalf("the lookup hung (per-request timeout %s)", c.cfg.Timeout)
		return Member{}, nil
	}
}

// wantFault checks err's kind, op and status, that its message reads as one
// sentence of what went wrong, and that nothing in it or its chain holds the
// secret, a token or the full number.
func wantFault(t *testing.T, err error, want *Error, op string, status int) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *Error of kind %v", err, err, want.Kind)
	}
	if !errors.Is(err, want) || KindOf(err) != want.Kind || e.Op != op || e.StatusCode != status {
		t.Errorf("got kind %v op %q status %d (%v), want %v %q %d", e.Kind, e.Op, e.StatusCode, err, want.Kind, op, status)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, op+": "+want.Kind.String()) || e.Detail == "" || len(msg) > 200 ||
		strings.ContainsAny(msg, "\r\n\x1b") {
		t.Errorf("message %q: want %q, a detail, one short line", msg, op+": "+want.Kind.String()+"…")
	}
	if status != 0 && !strings.Contains(msg, fmt.Sprintf("(HTTP %d)", status)) {
		t.Errorf("message %q does not give the status", msg)
	}
	assertNoSecrets(t, errorTexts(err)...)
	return e
}

// errorTexts is every text an error could be shown or logged as: each link of the
// chain, plain and with %+v, and the *Error's excerpt.
func errorTexts(err error) []string {
	var texts []string
	for e := err; e != nil; e = errors.Unwrap(e) {
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
	}
	var se *Error
	if errors.As(err, &se) {
		texts = append(texts, se.BodyExcerpt)
	}
	return texts
}

// assertNoSecrets fails for any text holding the test secret (as sent or
// encoded), a token the fake tenant issued, or the test number in full.
func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, bad := range []string{testSecret, url.QueryEscape(testSecret), jsonEscape(testSecret), tokenPrefix, testMobile, testMobile[1:]} {
			if strings.Contains(text, bad) {
				t.Errorf("%q leaked in %q", bad, text)
			}
		}
	}
}

// noLeakedGoroutines fails the test if, once it and its cleanups are done, a
// goroutine of this package or of net/http is still running: a handler that
// never returned, a token fetch or an avatar download left behind, a connection
// nobody closed. It waits for them to wind down (closing a connection takes a
// scheduling round or two) and reports their stacks.
func noLeakedGoroutines(t *testing.T) {
	t.Cleanup(func() { // registered first, so it runs after the servers' cleanups
		deadline := time.Now().Add(5 * time.Second)
		for {
			leaked := leakedGoroutines()
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutines left behind:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(5 * time.Millisecond) // a poll for a condition, with a deadline
		}
	})
}

// leakedGoroutines returns the stacks of goroutines that belong to this package's
// code under test or to HTTP connections, leaving out the test framework's own.
func leakedGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var leaked []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.tRunner") || strings.Contains(g, "testing.(*M)") ||
			strings.Contains(g, "leakedGoroutines") {
			continue
		}
		if strings.Contains(g, "ocard-desk/service.") || strings.Contains(g, "net/http.") {
			leaked = append(leaked, g)
		}
	}
	return leaked
}

// hijack takes the connection over and writes raw bytes, for faults no
// well-behaved handler can produce. rst makes the close a TCP reset.
func hijack(t *testing.T, raw string, rst bool) replyFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		if tc, ok := conn.(*net.TCPConn); ok && rst {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// partialHeaders is the start of a 200 that promises more body than it sends.
const partialHeaders = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"

// stallAfter sends the headers and the first bytes of body, then goes quiet until
// the client gives up or the test ends.
func stallAfter(t *testing.T, status int, first string) replyFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return func(w http.ResponseWriter, r *http.Request, _ int64) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, first)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
}

// trickle sends the headers, then one byte of a never-ending body every few
// milliseconds: a per-read idle timeout would never fire; only a deadline on the
// whole exchange ends it.
func trickle(t *testing.T, status int) replyFunc {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	return func(w http.ResponseWriter, r *http.Request, _ int64) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"access_token":"`)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-stop:
				return
			case <-tick.C:
				if _, err := io.WriteString(w, "x"); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}
}

// huge answers status with a 64 MiB body of pattern, with or without a
// Content-Length. It writes from one small buffer, so the server's own memory
// stays flat, and stops as soon as the client hangs up.
func huge(status int, pattern string, withLength bool) replyFunc {
	chunk := []byte(strings.Repeat(pattern, (64<<10)/len(pattern)))
	return func(w http.ResponseWriter, r *http.Request, _ int64) {
		w.Header().Set("Content-Type", "application/json")
		if withLength {
			w.Header().Set("Content-Length", fmt.Sprint(hugeBody))
		}
		w.WriteHeader(status)
		for sent := 0; sent < hugeBody && r.Context().Err() == nil; sent += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), hugeBody-sent)]); err != nil {
				return
			}
		}
	}
}

// echoPage is an HTML error page of the kind proxies and frameworks produce, with
// the request echoed into it: the number, the bearer token and all.
func echoPage(status int, header ...string) replyFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int64) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body><h1>%[2]s</h1>\n<p>GET %s</p><pre>Authorization: %s</pre>\n%s</body></html>",
			status, http.StatusText(status), r.URL, r.Header.Get("Authorization"), strings.Repeat("<!-- padding -->", 50))
	}
}

// nested is a JSON value n arrays deep.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

// TestFaultsMemberAPI: the member API misbehaves; the token endpoint is fine.
func TestFaultsMemberAPI(t *testing.T) {
	noLeakedGoroutines(t)
	runFaultCases(t, []faultCase{
		// The connection breaks.
		{name: "closed before answering", api: hijack(t, "", false),
			want: ErrNetwork, op: "lookup", tokens: 1, apis: -1},
		{name: "reset mid-body", api: hijack(t, partialHeaders+`{"member":{"id":"M1",`, false),
			want: ErrNetwork, op: "lookup", tokens: 1, apis: 1, detail: "connection broke"},
		{name: "reset mid-body (TCP RST)", api: hijack(t, partialHeaders+`{"member":{"id":"M1",`, true),
			want: ErrNetwork, op: "lookup", tokens: 1, apis: -1},
		{name: "garbage instead of HTTP", api: hijack(t, "SSH-2.0-OpenSSH_9.2\r\n", false),
			want: ErrNetwork, op: "lookup", tokens: 1, apis: -1},
		// Slow: the headers never come is in TestLookupMemberErrors ("timeout").
		{name: "slow body (stalls after the headers)", api: stallAfter(t, 200, `{"member":{"id":"M1",`),
			want: ErrTimeout, op: "lookup", tokens: 1, apis: 1, detail: "no complete answer in time"},
		{name: "slow body (one byte every 5 ms)", api: trickle(t, 200),
			want: ErrTimeout, op: "lookup", tokens: 1, apis: 1},
		{name: "slow error page", api: stallAfter(t, 502, `<html>`),
			want: ErrServer, op: "lookup", status: 502, tokens: 1, apis: 1, excerpt: "<html>"},
		// Error statuses with HTML pages that echo the request back.
		{name: "401 HTML twice", api: echoPage(401, "WWW-Authenticate", `Bearer error="invalid_token"`),
			want: ErrAuth, op: "lookup", status: 401, tokens: 2, apis: 2, excerpt: "<html> <head><title>401 Unauthorized</title>"},
		{name: "403 HTML", api: echoPage(403),
			want: ErrAuth, op: "lookup", status: 403, tokens: 1, apis: 1, excerpt: "<html> <head><title>403 Forbidden</title>"},
		{name: "404 HTML", api: echoPage(404),
			want: ErrServer, op: "lookup", status: 404, tokens: 1, apis: 1, excerpt: "<html> <head><title>404 Not Found</title>"},
		// One request, no retry storm: the cashier's Retry (or the next scan) asks again.
		{name: "429 HTML with Retry-After", api: echoPage(429, "Retry-After", "30"),
			want: ErrServer, op: "lookup", status: 429, tokens: 1, apis: 1, excerpt: "<html> <head><title>429 Too Many Requests</title>"},
		{name: "500 HTML", api: echoPage(500),
			want: ErrServer, op: "lookup", status: 500, tokens: 1, apis: 1, excerpt: "<html> <head><title>500 Internal Server Error</title>"},
		{name: "502 HTML", api: echoPage(502),
			want: ErrServer, op: "lookup", status: 502, tokens: 1, apis: 1, excerpt: "<html> <head><title>502 Bad Gateway</title>"},
		{name: "503 HTML with Retry-After", api: echoPage(503, "Retry-After", "120"),
			want: ErrServer, op: "lookup", status: 503, tokens: 1, apis: 1, excerpt: "<html> <head><title>503 Service Unavailable</title>"},
		// Bodies the decoder must refuse (the shapes it accepts are in decode_test.go).
		{name: "deep nesting: member", api: replyBody(`{"member":` + nested(100_000) + `}`),
			want: ErrMalformed, op: "decode", tokens: 1, apis: 1},
		{name: "deep nesting: unknown field", api: replyBody(`{"member":{"id":"M1","x":` + nested(100_000) + `}}`),
			want: ErrMalformed, op: "decode", tokens: 1, apis: 1},
		{name: "deep nesting: expire", api: replyBody(body(testMemberJSON, cardJSON(`,"expire":`+nested(100_000)))),
			want: ErrMalformed, op: "decode", tokens: 1, apis: 1},
		{name: "deep nesting: objects", api: replyBody(`{"member":{"id":"M1"},"x":` + strings.Repeat(`{"a":`, 100_000) + `1` + strings.Repeat(`}`, 100_000) + `}`),
			want: ErrMalformed, op: "decode", tokens: 1, apis: 1},
		// 64 MiB: refused at the cap (1 MiB by default) with bounded memory.
		{name: "64 MiB with Content-Length", api: huge(200, " ", true), bounded: true,
			want: ErrMalformed, op: "lookup", tokens: 1, apis: 1, detail: "response larger than 1048576 bytes"},
		{name: "64 MiB chunked", api: huge(200, `{"member":{"id":"M1"}}`, false), bounded: true,
			want: ErrMalformed, op: "lookup", tokens: 1, apis: 1, detail: "response larger than 1048576 bytes"},
		{name: "64 MiB error page", api: huge(500, "<p>oops</p>", false), bounded: true,
			want: ErrServer, op: "lookup", status: 500, tokens: 1, apis: 1, excerpt: "<p>oops</p><p>oops</p>"},
	})
}

// TestFaultsTokenEndpoint: the token endpoint misbehaves. No case may reach the
// member API.
func TestFaultsTokenEndpoint(t *testing.T) {
	noLeakedGoroutines(t)
	echoSecret := func(status int) replyFunc {
		return func(w http.ResponseWriter, r *http.Request, _ int64) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><body><h1>Error</h1><p>client_secret=%s</p><p>%s</p></body></html>", testSecret, r.PostForm.Encode())
		}
	}
	runFaultCases(t, []faultCase{
		// Slow: no headers at all is in TestTokenErrors ("timeout").
		{name: "slow body", token: stallAfter(t, 200, `{"access_token":"`),
			want: ErrTimeout, op: "token", tokens: 1, apis: 0},
		{name: "slow body (one byte every 5 ms)", token: trickle(t, 200),
			want: ErrTimeout, op: "token", tokens: 1, apis: 0},
		{name: "reset mid-body", token: hijack(t, partialHeaders+`{"access_token":"`, false),
			want: ErrNetwork, op: "token", tokens: 1, apis: 0, detail: "connection broke"},
		{name: "500 HTML echoing the secret", token: echoSecret(500),
			want: ErrServer, op: "token", status: 500, tokens: 1, apis: 0, excerpt: "<html><body><h1>Error</h1><p>client_secret=[secret]</p>"},
		{name: "200 HTML login page", token: func(w http.ResponseWriter, _ *http.Request, _ int64) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!DOCTYPE html><html><body><form action=/login>Sign in</form></body></html>")
		}, want: ErrMalformed, op: "token", tokens: 1, apis: 0, detail: "not understood"},
		{name: "token of the wrong type", token: replyBody(`{"access_token":{"value":"x"},"expires_in":2592000}`),
			want: ErrMalformed, op: "token", tokens: 1, apis: 0},
		{name: "deep nesting", token: replyBody(`{"access_token":"x","extra":` + nested(100_000) + `}`),
			want: ErrMalformed, op: "token", tokens: 1, apis: 0},
		{name: "64 MiB token reply", token: huge(200, " ", false), bounded: true,
			want: ErrMalformed, op: "token", tokens: 1, apis: 0, detail: "response larger than"},
		{name: "64 MiB error page", token: huge(502, "<p>oops</p>", true), bounded: true,
			want: ErrServer, op: "token", status: 502, tokens: 1, apis: 0, excerpt: "<p>oops</p>"},
	})
}

// TestTokenLifetimes: a token without a usable expires_in is kept until the API
// refuses it, then replaced once; one that is already expired costs one token
// request per lookup, never a loop.
func TestTokenLifetimes(t *testing.T) {
	noLeakedGoroutines(t)
	for _, tc := range []struct {
		name      string
		expiresIn string // the JSON member, "" for none
		// tokens is how many token requests three lookups cost when the API refuses
		// the first token on the third lookup.
		tokens int64
	}{
		{name: "no expires_in", tokens: 2},
		{name: "expires_in 0", expiresIn: `,"expires_in":0`, tokens: 2},
		{name: "expires_in as a string", expiresIn: `,"expires_in":"2592000"`, tokens: 2},
		{name: "expires_in huge", expiresIn: `,"expires_in":99999999999999`, tokens: 2},
		// Already expired (or inside x/oauth2's 10 s margin): a new token every lookup.
		{name: "expires_in negative", expiresIn: `,"expires_in":-60`, tokens: 3},
		{name: "expires_in 5", expiresIn: `,"expires_in":5`, tokens: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var refuseFirst atomic.Bool
			tn := newTenant(t, func(w http.ResponseWriter, _ *http.Request, n int64) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"access_token":"%s%d","token_type":"Bearer"%s}`, tokenPrefix, n, tc.expiresIn)
			}, func(w http.ResponseWriter, r *http.Request, n int64) {
				if refuseFirst.Load() && r.Header.Get("Authorization") == bearer(1) {
					echoPage(401)(w, r, n)
					return
				}
				replyBody(readSeed(t, "seed-member.json"))(w, r, n)
			})
			c := tn.client(t, func(c *Config) { c.Timeout = faultTimeout })
			for i := range 3 {
				refuseFirst.Store(i == 2)
				if _, err := lookupWithin(t, c, testMobile); err != nil {
					t.Fatalf("lookup %d: %v", i+1, err)
				}
			}
			if got := tn.tokenHits.Load(); got != tc.tokens {
				t.Errorf("%d token requests for 3 lookups, want %d", got, tc.tokens)
			}
		})
	}
}

// TestDecodeMemberDeepNesting: nesting far beyond anything real is refused
// without a stack overflow, wherever it is.
func TestDecodeMemberDeepNesting(t *testing.T) {
	for _, b := range []string{
		nested(1_000_000),
		`{"member":` + nested(1_000_000) + `}`,
		`{"member":{"id":"M1"},"point_card":{"expire":` + nested(1_000_000) + `}}`,
		`{"member":{"id":"M1"},"point_card":{"expire":[` + strings.Repeat(`{"date":`, 500_000) + `}`,
	} {
		if _, err := DecodeMember([]byte(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.40q…: err = %v, want ErrMalformed", b, err)
		}
	}
}

// TestAvatarCacheHoldsBoundedBytes: the avatar cache is bounded by the memory its
// images hold, not only by their number. Each image here is 16 MiB decoded (a
// 2048×2048 photo, well inside MaxPixels); 64 of them at the pixel limit would
// hold 4 GiB.
func TestAvatarCacheHoldsBoundedBytes(t *testing.T) {
	const n, side = 8, 2048
	f := NewAvatarFetcher(AvatarOptions{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		f.mu.Lock()
		f.rememberLocked(fmt.Sprintf("https://img.example/%d.png", i), image.NewNRGBA(image.Rect(0, 0, side, side)))
		f.mu.Unlock()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	const budget = 32 << 20
	if retained := int64(after.HeapAlloc) - int64(before.HeapAlloc); retained > budget+8<<20 {
		t.Errorf("the cache holds %d MiB after %d avatars of %d MiB, want about %d MiB at most",
			retained>>20, n, side*side*4>>20, budget>>20)
	}
	f.mu.Lock()
	_, newest := f.byURL[fmt.Sprintf("https://img.example/%d.png", n-1)]
	f.mu.Unlock()
	if !newest {
		t.Error("the newest avatar was not kept")
	}
	runtime.KeepAlive(f)
}

// TestExcerptDropsASecretCutAtThePeek: a body cut at errorBodyPeek may end in part of
// the secret, which redaction cannot recognise; the excerpt must not contain it.
func TestExcerptDropsASecretCutAtThePeek(t *testing.T) {
	secret := "S3cr3t-Value-That-Must-Not-Leak"
	red := newRedactor(secret, "", "")
	body := strings.Repeat(" ", errorBodyPeek-10) + secret + strings.Repeat("x", 100)
	if got := excerpt([]byte(body), red); strings.Contains(got, secret[:10]) {
		t.Fatalf("excerpt holds part of the secret: %q", got)
	}
}
