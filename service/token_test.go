package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// memCache is a TokenCache in memory that records what happened to it.
type memCache struct {
	mu      sync.Mutex
	tok     *oauth2.Token
	loadErr error
	saveErr error
	loads   int
	saved   []string
}

func (m *memCache) LoadToken() (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loads++
	return m.tok, m.loadErr
}

func (m *memCache) SaveToken(t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, t.AccessToken)
	if m.saveErr == nil {
		m.tok = t
	}
	return m.saveErr
}

func (m *memCache) state() (int, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loads, append([]string(nil), m.saved...)
}

func TestTokenCache(t *testing.T) {
	valid := &oauth2.Token{AccessToken: "CACHED-1", TokenType: "Bearer", Expiry: time.Now().Add(24 * time.Hour)}
	for _, tc := range []struct {
		name         string
		cache        *memCache
		api          replyFunc
		tokens, apis int64
		auths, saved []string
	}{
		{name: "valid cached token is used", cache: &memCache{tok: valid},
			tokens: 0, apis: 2, auths: []string{"Bearer CACHED-1", "Bearer CACHED-1"}},
		{name: "nothing stored", cache: &memCache{},
			tokens: 1, apis: 2, auths: []string{bearer(1), bearer(1)}, saved: []string{tokenPrefix + "1"}},
		{name: "expired cached token is replaced",
			cache:  &memCache{tok: &oauth2.Token{AccessToken: "CACHED-1", Expiry: time.Now().Add(-time.Hour)}},
			tokens: 1, apis: 2, auths: []string{bearer(1), bearer(1)}, saved: []string{tokenPrefix + "1"}},
		{name: "revoked cached token is replaced", cache: &memCache{tok: valid},
			api: func(w http.ResponseWriter, r *http.Request, n int64) {
				if r.Header.Get("Authorization") == "Bearer CACHED-1" {
					replyStatus(401, ``)(w, r, n)
					return
				}
				replyBody(readSeed(t, "seed-member.json"))(w, r, n)
			},
			tokens: 1, apis: 3, auths: []string{"Bearer CACHED-1", bearer(1), bearer(1)}, saved: []string{tokenPrefix + "1"}},
		{name: "unreadable cache", cache: &memCache{tok: valid, loadErr: errors.New("keyring locked")},
			tokens: 1, apis: 2, auths: []string{bearer(1), bearer(1)}, saved: []string{tokenPrefix + "1"}},
		{name: "unwritable cache", cache: &memCache{saveErr: errors.New("keyring locked")},
			tokens: 1, apis: 2, auths: []string{bearer(1), bearer(1)}, saved: []string{tokenPrefix + "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := newTenant(t, nil, tc.api)
			c := tn.client(t, func(c *Config) { c.TokenCache = tc.cache })
			for range 2 {
				if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
					t.Fatal(err)
				}
			}
			tn.wantHits(t, c, tc.tokens, tc.apis)
			if got := tn.seenAuths(); !reflect.DeepEqual(got, tc.auths) {
				t.Errorf("Authorization %q, want %q", got, tc.auths)
			}
			loads, saved := tc.cache.state()
			if loads != 1 {
				t.Errorf("LoadToken called %d times, want once", loads)
			}
			if !reflect.DeepEqual(saved, tc.saved) {
				t.Errorf("saved %q, want %q", saved, tc.saved)
			}
		})
	}
}

// TestConcurrentLookupsShareOneToken: many lookups at once cause one token
// request, and after a revocation one more, not one per lookup.
func TestConcurrentLookupsShareOneToken(t *testing.T) {
	const n = 16
	for _, revoke := range []bool{false, true} {
		name := map[bool]string{false: "first token", true: "after 401"}[revoke]
		t.Run(name, func(t *testing.T) {
			release := make(chan struct{})
			tn := newTenant(t, func(w http.ResponseWriter, r *http.Request, k int64) {
				<-release // hold the fetch so the lookups pile up behind it
				issueToken(w, r, k)
			}, func(w http.ResponseWriter, r *http.Request, k int64) {
				if revoke && r.Header.Get("Authorization") == bearer(1) {
					replyStatus(401, ``)(w, r, k)
					return
				}
				replyBody(readSeed(t, "seed-member.json"))(w, r, k)
			})
			c := tn.client(t, nil)
			if revoke {
				close(release) // only the ordering of 401s matters here
			}
			var started, done sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				started.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					started.Done()
					_, err := c.LookupMember(context.Background(), testShop, testMobile)
					errs <- err
				}()
			}
			started.Wait()
			if !revoke {
				close(release)
			}
			done.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			want := int64(1)
			if revoke {
				want = 2
			}
			if got := tn.tokenHits.Load(); got != want {
				t.Errorf("token endpoint saw %d requests, want %d", got, want)
			}
		})
	}
}

// TestCanceledLookupKeepsTokenFetch: the window cancels a lookup when a newer scan
// arrives; the token fetch it started carries on and the newer lookup uses it.
func TestCanceledLookupKeepsTokenFetch(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request, k int64) {
		entered <- struct{}{}
		<-release
		issueToken(w, r, k)
	}, nil)
	c := tn.client(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-entered; cancel() }()
	if _, err := c.LookupMember(ctx, testShop, testMobile); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	close(release)
	if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
		t.Fatal(err)
	}
	tn.wantHits(t, c, 1, 1)
}

func TestCheckConnection(t *testing.T) {
	tn := newTenant(t, nil, nil)
	c := tn.client(t, nil)
	for i := range 2 {
		if err := c.CheckConnection(context.Background()); err != nil {
			t.Fatal(err)
		}
		tn.wantHits(t, c, int64(i+1), 0) // always a fresh token
	}
	if _, err := c.LookupMember(context.Background(), testShop, testMobile); err != nil {
		t.Fatal(err)
	}
	tn.wantHits(t, c, 2, 1)
	if got := tn.seenAuths(); !reflect.DeepEqual(got, []string{bearer(2)}) {
		t.Errorf("Authorization %q", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.CheckConnection(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled CheckConnection = %v", err)
	}
}

func TestCheckConnectionRefused(t *testing.T) {
	tn := newTenant(t, replyStatus(401, `{"error":"invalid_client","error_description":"Client authentication failed"}`), nil)
	c := tn.client(t, nil)
	err := c.CheckConnection(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindAuth || e.Op != "token" || e.StatusCode != 401 {
		t.Fatalf("err = %v, want KindAuth 401 from token", err)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorDescription != "Client authentication failed" {
		t.Errorf("RetrieveError not reachable: %#v", re)
	}
	// A failed fetch is not cached: the next attempt asks again.
	if err := c.CheckConnection(context.Background()); !errors.Is(err, ErrAuth) {
		t.Fatalf("second err = %v", err)
	}
	tn.wantHits(t, c, 2, 0)
}

func TestLookupMemberCanceled(t *testing.T) {
	t.Run("before", func(t *testing.T) {
		tn := newTenant(t, nil, nil)
		c := tn.client(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.LookupMember(ctx, testShop, testMobile)
		if !errors.Is(err, context.Canceled) || KindOf(err) != 0 {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		tn.wantHits(t, c, 0, 0)
	})
	t.Run("during the GET", func(t *testing.T) {
		entered := make(chan struct{}, 1)
		tn := newTenant(t, nil, blockUntilGone(t, entered))
		c := tn.client(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-entered; cancel() }()
		_, err := c.LookupMember(ctx, testShop, testMobile)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestTokenErrors covers every failure of the token endpoint: none of them may
// lead to a member API request.
func TestTokenErrors(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("token request followed a redirect to another host")
	}))
	t.Cleanup(elsewhere.Close)
	runErrorCases(t, []errorCase{
		{name: "refused 401", token: replyStatus(401, `{"error":"invalid_client"}`),
			kind: KindAuth, op: "token", status: 401, tokens: 1, detail: "invalid_client"},
		{name: "refused 400", token: replyStatus(400, `{"error":"invalid_client","error_description":"bad secret"}`),
			kind: KindAuth, op: "token", status: 400, tokens: 1, excerpt: `{"error":"invalid_client","error_description":"bad secret"}`},
		{name: "error in a 200", token: replyStatus(200, `{"error":"unauthorized_client"}`),
			kind: KindAuth, op: "token", status: 200, tokens: 1},
		{name: "500 HTML", token: replyStatus(500, htmlPage), kind: KindServer, op: "token", status: 500, tokens: 1, excerpt: "<html> <head>"},
		{name: "503 text", token: func(w http.ResponseWriter, _ *http.Request, _ int64) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(503)
			io.WriteString(w, "busy")
		}, kind: KindServer, op: "token", status: 503, tokens: 1},
		{name: "404", token: replyStatus(404, `no such endpoint`), kind: KindServer, op: "token", status: 404, tokens: 1},
		{name: "huge 502", token: replyStatus(502, bigBody), edit: func(c *Config) { c.MaxBodyBytes = 200 },
			kind: KindServer, op: "token", status: 502, tokens: 1, excerpt: "xxxx"},
		{name: "garbage", token: replyBody(`<<garbage>>`), kind: KindMalformed, op: "token", tokens: 1},
		{name: "no access_token", token: replyBody(`{"token_type":"Bearer"}`), kind: KindMalformed, op: "token", tokens: 1},
		{name: "oversized", token: replyBody(`{"access_token":"` + bigBody + `"}`), edit: func(c *Config) { c.MaxBodyBytes = 200 },
			kind: KindMalformed, op: "token", tokens: 1, detail: "response larger than 200 bytes"},
		// A 307 would resend the form, secret included.
		{name: "redirect to another host", token: func(w http.ResponseWriter, r *http.Request, _ int64) {
			http.Redirect(w, r, elsewhere.URL+"/oauth/v1/token", http.StatusTemporaryRedirect)
		}, kind: KindServer, op: "token", status: 307, tokens: 1},
		{name: "timeout", token: blockUntilGone(t, nil), edit: func(c *Config) { c.Timeout = 100 * time.Millisecond },
			kind: KindTimeout, op: "token", tokens: 1},
		{name: "connection refused", edit: func(c *Config) { c.TokenURL = closedURL() + "/oauth/v1/token" },
			kind: KindNetwork, op: "token", tokenAttempts: 1},
	})
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNoSecretsInErrorsOrLogs drives servers that echo everything they were sent
// back at the client and checks that neither errors (their whole chain, and the
// excerpt) nor debug logs contain the secret, a token or the full number.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	echo := func(status int) replyFunc {
		return func(w http.ResponseWriter, r *http.Request, _ int64) {
			r.ParseForm()
			w.WriteHeader(status)
			fmt.Fprintf(w, "%s %s\n%q\n%s", r.Method, r.URL, r.Header, r.PostForm.Encode())
		}
	}
	tokenEcho := func(status int) replyFunc {
		return func(w http.ResponseWriter, r *http.Request, _ int64) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client " + testSecret,
				"error_description": "got " + r.PostForm.Encode() + " secret=" + testSecret})
		}
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name       string
		token, api replyFunc
		edit       func(*Config)
	}{
		{name: "success"},
		{name: "500 echo", api: echo(500)},
		{name: "401 echo", api: echo(401)},
		{name: "400 echo", api: echo(400)},
		{name: "200 echo", api: echo(200)},
		{name: "token 400 echo", token: tokenEcho(400)},
		{name: "token 500 echo", token: echo(500)},
		{name: "token 200 error echo", token: tokenEcho(200)},
		{name: "network", edit: func(c *Config) { c.BaseURL = closed.URL }},
		{name: "token network", edit: func(c *Config) { c.TokenURL = closed.URL }},
		{name: "timeout", api: blockUntilGone(t, nil), edit: func(c *Config) { c.Timeout = 300 * time.Millisecond }},
		{name: "redirect", api: func(w http.ResponseWriter, r *http.Request, _ int64) {
			http.Redirect(w, r, "http://localhost:1/?"+r.URL.RawQuery+"&t="+r.Header.Get("Authorization"), http.StatusFound)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			tn := newTenant(t, tc.token, tc.api)
			c := tn.client(t, func(c *Config) {
				c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				if tc.edit != nil {
					tc.edit(c)
				}
			})
			_, err := c.LookupMember(context.Background(), testShop, "+886 903 123 123")
			if (err == nil) != (tc.name == "success") {
				t.Fatalf("err = %v", err)
			}
			var texts []string
			for e := err; e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
			}
			var se *Error
			if errors.As(err, &se) {
				texts = append(texts, se.BodyExcerpt, se.Detail)
			}
			texts = append(texts, logs.String())
			if lookupLogged := tc.token == nil && tc.name != "token network"; lookupLogged &&
				(!strings.Contains(logs.String(), "mobile=0903***123") || !strings.Contains(logs.String(), " duration=")) {
				t.Errorf("debug log lacks the masked number or the duration:\n%s", logs.String())
			}
			for _, text := range texts {
				for _, bad := range []string{testSecret, url.QueryEscape(testSecret), jsonEscape(testSecret), tokenPrefix, testMobile, testMobile[1:]} {
					if strings.Contains(text, bad) {
						t.Errorf("%q leaked in %q", bad, text)
					}
				}
			}
		})
	}
}
