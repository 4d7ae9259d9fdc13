package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fullNumber matches a whole Taiwan mobile number in the forms the client could
// leak it in: 0912345678, 912345678 after +886 or 886, with or without the
// separators people type. Digits or a decimal point in front (a duration, a byte
// count) or digits after make it something else.
var fullNumber = regexp.MustCompile(`(?:^|[^0-9.])(?:\+?886[ -]?|0)9\d{2}[ -]?\d{3}[ -]?\d{3}(?:[^0-9]|$)`)

// leakWatch is an io.Writer for slog handlers that checks every line written
// through it for the test secret (as sent and as the form and JSON encode it), a
// token a fake tenant issued, or a full phone number. It keeps only a count and
// the offending lines, so every test can log through it at debug level.
type leakWatch struct {
	mu     sync.Mutex
	lines  int
	leaks  []string
	tokens []string // more forbidden strings: tokens a test's server issued
}

func (w *leakWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.lines++
		if why := leakIn(line, w.tokens); why != "" {
			w.leaks = append(w.leaks, why+" in: "+line)
		}
	}
	return len(p), nil
}

// forbid adds strings that must never be logged.
func (w *leakWatch) forbid(s ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tokens = append(w.tokens, s...)
}

func (w *leakWatch) result() (lines int, leaks []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lines, append([]string(nil), w.leaks...)
}

// logger logs everything at debug level, as text and as JSON (the two encodings
// escape differently), through w.
func (w *leakWatch) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(slog.NewMultiHandler(slog.NewTextHandler(w, opts), slog.NewJSONHandler(w, opts)))
}

// check fails t if anything leaked.
func (w *leakWatch) check(t *testing.T) {
	t.Helper()
	if _, leaks := w.result(); len(leaks) > 0 {
		t.Errorf("the debug log leaked:\n%s", strings.Join(leaks, "\n"))
	}
}

func leakIn(line string, more []string) string {
	for _, bad := range append([]string{testSecret, url.QueryEscape(testSecret), jsonEscape(testSecret),
		strings.ReplaceAll(jsonEscape(testSecret), "/", `\/`), tokenPrefix}, more...) {
		if bad != "" && strings.Contains(line, bad) {
			return fmt.Sprintf("%q", bad)
		}
	}
	if m := fullNumber.FindString(line); m != "" {
		return fmt.Sprintf("full number %q", m)
	}
	return ""
}

// TestLeakWatchCatches: the watch itself must be able to fail.
func TestLeakWatchCatches(t *testing.T) {
	for _, line := range []string{
		"mobile=0903123123", `"mobile":"+886 903 123 123"`, "url=/v1?mobile=886903123123&x", "0903-123-123",
		"secret=" + testSecret, "form=" + url.QueryEscape(testSecret), "auth=Bearer " + tokenPrefix + "1",
	} {
		if leakIn(line, nil) == "" {
			t.Errorf("%q not caught", line)
		}
	}
	for _, line := range []string{
		"mobile=0903***123", "duration=1.0903123123s", "bytes=10903123123", "status=401 attempt=2", "shop_id=000030",
	} {
		if why := leakIn(line, nil); why != "" {
			t.Errorf("%q flagged: %s", line, why)
		}
	}
}

// TestNoSecretsAcrossOperations runs what a day at the counter does to the
// client, faults included, with every log line at debug level captured: lookups
// of several numbers in the forms staff type them, a token the API revokes (so a
// refresh and a retry), a token refused for good, a 500 page and a 200 body that
// echo the request, a reset, a timeout, a redirect that carries the token
// elsewhere, "Test connection", and avatars that fail. No log line and no error
// may hold the secret, an issued token or a full number; the avatar host never
// sees the bearer token.
func TestNoSecretsAcrossOperations(t *testing.T) {
	noLeakedGoroutines(t)
	watch := &leakWatch{}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })

	var avatarAuth atomic.Value // the last Authorization header the avatar host saw
	avatarAuth.Store("")
	avatars := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		avatarAuth.Store(r.Header.Get("Authorization"))
		switch r.URL.Path {
		case "/404.png":
			http.Error(w, "<html>no such avatar for "+r.URL.RawQuery+"</html>", 404)
		case "/slow.png":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		default:
			_, _ = io.WriteString(w, "<html>not an image</html>")
		}
	}))
	t.Cleanup(avatars.Close)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached another host (Authorization %q)", r.Header.Get("Authorization"))
	}))
	t.Cleanup(elsewhere.Close)

	var tokens atomic.Int64
	token := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"%s%d","expires_in":2592000,"token_type":"Bearer"}`, tokenPrefix, n)
	}))
	t.Cleanup(token.Close)
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><p>%s %s</p><p>%s</p><p>%q</p></html>", r.Method, r.URL, r.Header.Get("Authorization"), r.URL.Query().Get("mobile"))
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mobile := r.URL.Query().Get("mobile")
		switch {
		case r.Header.Get("Authorization") == "Bearer "+tokenPrefix+"1":
			echo(w, r, 401) // revoked: the client must fetch a new token and retry
		case mobile == "0911111111":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"member":{"id":"M1","name":"Amy","mobile":"%s","head_image":"%s/404.png?m=%[1]s"},"point_card":null}`, mobile, avatars.URL)
		case mobile == "0922222222":
			echo(w, r, 500)
		case mobile == "0933333333":
			echo(w, r, 401) // refused for good
		case mobile == "0955555555":
			hijack(t, partialHeaders+`{"member":{"mobile":"`+mobile, true)(w, r, 0)
		case mobile == "0966666666":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case mobile == "0977777777":
			echo(w, r, 200)
		case mobile == "0988888888":
			http.Redirect(w, r, elsewhere.URL+"/steal?"+r.URL.RawQuery+"&auth="+url.QueryEscape(r.Header.Get("Authorization")), http.StatusTemporaryRedirect)
		default:
			_, _ = io.WriteString(w, `{"member":null,"point_card":null}`)
		}
	}))
	t.Cleanup(api.Close)

	c, err := NewClient(Config{
		BaseURL: api.URL, TokenURL: token.URL + "/oauth/v1/token", ClientID: testClientID, ClientSecret: testSecret,
		Timeout: faultTimeout, Logger: watch.logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var errs []error
	for _, mobile := range []string{
		"0911111111", "+886 922 222 222", "0933-333-333", "0944444444", "886955555555",
		"0966 666 666", "+886-977-777-777", "0988.888.888", "００９１１１１１１１１", // full-width, from an IME
	} {
		_, err := c.LookupMember(ctx, testShop, mobile)
		errs = append(errs, err)
	}
	errs = append(errs, c.CheckConnection(ctx))
	f := NewAvatarFetcher(AvatarOptions{Timeout: faultTimeout})
	for _, path := range []string{"/404.png?m=0911111111", "/slow.png?m=0911111111", "/broken.png"} {
		_, err := f.Fetch(ctx, avatars.URL+path)
		if err == nil {
			t.Errorf("avatar %s: no error", path)
		}
		errs = append(errs, err)
	}

	n := tokens.Load()
	for i := int64(1); i <= n; i++ {
		watch.forbid(fmt.Sprintf("%s%d", tokenPrefix, i))
	}
	if n < 3 {
		t.Errorf("%d tokens issued, want a refresh after the revocation and on Test connection", n)
	}
	if got := avatarAuth.Load().(string); got != "" {
		t.Errorf("the avatar host saw Authorization %q", got)
	}
	for _, err := range errs {
		for _, text := range errorTexts(err) {
			if why := leakIn(text, nil); why != "" {
				t.Errorf("error leaked %s: %q", why, text)
			}
		}
	}
	lines, _ := watch.result()
	if lines < 20 { // a line per attempt, text and JSON: the watch saw the traffic
		t.Errorf("only %d log lines: is debug logging on?", lines)
	}
	watch.check(t)
}
