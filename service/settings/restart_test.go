package settings

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ocard-desk/ocard-desk/service"
)

// tenant is a token endpoint and member API on loopback that check what they are
// sent and count the tokens they issue.
type tenant struct {
	srv    *httptest.Server
	tokens atomic.Int64
	mu     sync.Mutex
	bearer []string // Authorization headers the API saw, in order
}

func newTenant(t *testing.T) *tenant {
	t.Helper()
	member, err := os.ReadFile("../testdata/seed-member.json")
	if err != nil {
		t.Fatal(err)
	}
	tn := &tenant{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v1/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != "desk" || r.PostForm.Get("client_secret") != goodSecret {
			t.Errorf("token request %v", r.PostForm)
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		n := tn.tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"TOKEN-%d","expires_in":2592000,"token_type":"Bearer","scope":"api"}`, n)
	})
	mux.HandleFunc("GET /v1/user/ocard", func(w http.ResponseWriter, r *http.Request) {
		tn.mu.Lock()
		tn.bearer = append(tn.bearer, r.Header.Get("Authorization"))
		tn.mu.Unlock()
		if r.URL.Query().Get("shop_id") != "000031" {
			t.Errorf("shop_id %q", r.URL.Query().Get("shop_id"))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(member)
	})
	tn.srv = httptest.NewServer(mux)
	t.Cleanup(tn.srv.Close)
	return tn
}

func (tn *tenant) settings() Settings {
	s := good()
	s.BaseURL = tn.srv.URL
	s.TokenURL = tn.srv.URL + "/oauth/v1/token"
	return s
}

func (tn *tenant) seen() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.bearer...)
}

// start is one run of the desk: the store opened afresh, a new Client over it, and
// one lookup. It returns how many token requests that Client made.
func (tn *tenant) start(t *testing.T, dir string, bind bool) int64 {
	t.Helper()
	store := OpenSecretStore(KeyringService, dir)
	cfg := tn.settings().ServiceConfig(goodSecret)
	cfg.TokenCache = store
	if bind {
		cfg.TokenCache = TokenCacheFor(store, cfg)
	}
	before := tn.tokens.Load()
	c, err := service.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenRequests() != 0 || tn.tokens.Load() != before {
		t.Fatal("NewClient fetched a token")
	}
	if _, err := c.LookupMember(context.Background(), "000031", "0903123123"); err != nil {
		t.Fatal(err)
	}
	return c.TokenRequests()
}

// The issue's "a second start sends no token request while the stored token is
// valid", for the fallback file and for the keyring (mock), with the store passed
// straight to the Client and through TokenCacheFor.
func TestTokenReuseAcrossRestart(t *testing.T) {
	for _, backend := range []string{"file", "keyring"} {
		for _, bind := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/bound=%v", backend, bind), func(t *testing.T) {
				if backend == "file" {
					mockKeyring(t, errors.New("no Secret Service on D-Bus"))
				} else {
					mockKeyring(t, nil)
				}
				dir := t.TempDir()
				if kind := OpenSecretStore(KeyringService, dir).Kind(); kind != backend {
					t.Fatalf("store kind %q", kind)
				}
				tn := newTenant(t)
				if n := tn.start(t, dir, bind); n != 1 || tn.tokens.Load() != 1 {
					t.Fatalf("first start: %d token requests (server saw %d), want 1", n, tn.tokens.Load())
				}
				for restart := 1; restart <= 2; restart++ {
					if n := tn.start(t, dir, bind); n != 0 || tn.tokens.Load() != 1 {
						t.Errorf("restart %d: %d token requests (server saw %d), want 0", restart, n, tn.tokens.Load())
					}
				}
				if got := tn.seen(); len(got) != 3 || got[0] != "Bearer TOKEN-1" || got[2] != "Bearer TOKEN-1" {
					t.Errorf("the API saw %v", got)
				}
			})
		}
	}
}

// An expired stored token costs exactly one request, and the new one is stored.
func TestRestartWithExpiredToken(t *testing.T) {
	mockKeyring(t, errors.New("no Secret Service on D-Bus"))
	dir := t.TempDir()
	tn := newTenant(t)
	cfg := tn.settings().ServiceConfig(goodSecret)
	store := OpenSecretStore(KeyringService, dir)
	if err := TokenCacheFor(store, cfg).SaveToken(&oauth2.Token{AccessToken: "OLD", Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if n := tn.start(t, dir, true); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	if n := tn.start(t, dir, true); n != 0 {
		t.Errorf("after renewal: %d token requests, want 0", n)
	}
	if got := tn.seen(); len(got) != 2 || got[0] != "Bearer TOKEN-1" {
		t.Errorf("the API saw %v (never the expired token)", got)
	}
}
