// Package demo is Ocard Desk's built-in demo server: a real HTTP server on the loopback
// interface that speaks the same protocol as a Wixtar/Ocard tenant (the OAuth2
// client-credentials token endpoint and GET /v1/user/ocard) and answers from embedded
// data. It lets the window, the lookup command and the tests run with no account, and
// it has numbers for every state the window can show, faults included (see Numbers).
//
// It runs in-process for the app's demo mode and the tests (Start), or standalone
// through `ocard-desk demo-server`.
package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// The demo tenant's fixed credentials and shop. They are public on purpose: the demo
// server only listens on loopback and serves invented people.
const (
	ClientID     = "ocard-desk-demo"
	ClientSecret = "demo-secret"
	ShopID       = "000030"
)

// tokenPath is the documented token path on the login host.
const tokenPath = "/oauth/v1/token"

// Options tunes a demo server. The zero value is ready to use.
type Options struct {
	// Addr is the loopback address to listen on; default "127.0.0.1:0" (any free port).
	// A non-loopback address is refused.
	Addr string
	// SlowDelay is how long the "slower than the timeout" number takes, and how long
	// the commit-then-time-out redemption waits before answering; default 15s, longer
	// than the client's default 10s timeout.
	SlowDelay time.Duration
	// AvatarDelay is how long /avatars/slow.png takes; default 2s.
	AvatarDelay time.Duration
	// SeedAvatarURLs keeps the seed examples' internet avatar URL, so their answers
	// are the API doc's byte for byte (tests); otherwise every demo avatar is served
	// by the demo server itself.
	SeedAvatarURLs bool
}

// Stats counts the requests a demo server has received, for tests and diagnostics.
type Stats struct {
	TokenRequests  int64 // POSTs (and other attempts) to the token endpoint
	MemberRequests int64 // requests to /v1/user/ocard, refused ones included
	AvatarRequests int64 // requests under /avatars/
	// RewardsRequests and RedeemRequests count requests to the login (rewards) and
	// redeem endpoints, refused ones included: tests count POSTs with them.
	RewardsRequests int64
	RedeemRequests  int64
}

// Server is a running demo server. Close it when done.
type Server struct {
	opts    Options
	baseURL string
	srv     *http.Server
	// now is the clock for token expiry and the relative expiry dates in the data.
	now   func() time.Time
	hooks testHooks

	tokenRequests, memberRequests, avatarRequests atomic.Int64
	rewardsRequests, redeemRequests               atomic.Int64

	// rw is the rewards state: points deducted, coupons used, order ids seen. It
	// lasts as long as this server.
	rw rewardsState

	mu sync.Mutex
	// tokens holds every issued, unexpired and unrevoked access token.
	tokens map[string]tokenInfo
	// revokedAny records that the revoked-once number has revoked a token: tokens
	// issued from then on are never revoked, so the client's retry succeeds.
	revokedAny bool
	closed     bool

	// inflight lets Close wait for handlers, so no slow handler outlives the server.
	inflight  sync.WaitGroup
	cancel    context.CancelFunc
	closeOnce sync.Once
	closeErr  error
}

// testHooks let tests see a slow handler start and stop sleeping; nil in production.
type testHooks struct {
	sleepStarted func()
	sleepEnded   func(completed bool)
}

// Start listens on opts.Addr and serves the demo tenant until Close.
func Start(opts Options) (*Server, error) {
	return start(opts, time.Now, testHooks{})
}

// start is Start with the clock and hooks set before the first request can arrive.
func start(opts Options, now func() time.Time, hooks testHooks) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 15 * time.Second
	}
	if opts.AvatarDelay <= 0 {
		opts.AvatarDelay = 2 * time.Second
	}
	if err := CheckLoopback(opts.Addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:    opts,
		baseURL: "http://" + ln.Addr().String(),
		now:     now,
		hooks:   hooks,
		tokens:  make(map[string]tokenInfo),
		cancel:  cancel,
	}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		// Every request context derives from ctx, so Close wakes sleeping handlers.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// CheckLoopback returns an error unless addr (host:port) names a loopback host: the
// demo's credentials are public, so it must not be reachable from the network.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("demo server: bad address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("demo server: address %q is not a loopback address (use 127.0.0.1:PORT)", addr)
}

// BaseURL is the API base URL, e.g. "http://127.0.0.1:41234" (no trailing slash).
func (s *Server) BaseURL() string { return s.baseURL }

// TokenURL is the token endpoint, BaseURL + "/oauth/v1/token".
func (s *Server) TokenURL() string { return s.baseURL + tokenPath }

// Config returns a client configuration for this server with the connection
// settings and credentials filled in; everything else is left to the client's
// defaults.
func (s *Server) Config() service.Config {
	return service.Config{
		BaseURL:      s.BaseURL(),
		TokenURL:     s.TokenURL(),
		ClientID:     ClientID,
		ClientSecret: ClientSecret,
	}
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	return Stats{
		TokenRequests:   s.tokenRequests.Load(),
		MemberRequests:  s.memberRequests.Load(),
		AvatarRequests:  s.avatarRequests.Load(),
		RewardsRequests: s.rewardsRequests.Load(),
		RedeemRequests:  s.redeemRequests.Load(),
	}
}

// Close stops the server, cancels requests in progress and waits for their handlers
// to return. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.closeErr = s.srv.Close()
		s.inflight.Wait()
		if errors.Is(s.closeErr, http.ErrServerClosed) {
			s.closeErr = nil
		}
	})
	return s.closeErr
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc(tokenPath, s.handleToken)
	mux.HandleFunc("/v1/user/ocard", s.handleMember)
	mux.HandleFunc("/avatars/{name}", s.handleAvatar)
	mux.HandleFunc(rewardsPath, s.handleRewards)
	mux.HandleFunc(redeemPath, s.handleRedeem)
	return s.track(mux)
}

// track counts a handler in inflight unless the server is closing; the check and the
// Add happen under mu so that Close's Wait never races with a late Add.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			http.Error(w, "demo server is closing", http.StatusServiceUnavailable)
			return
		}
		s.inflight.Add(1)
		s.mu.Unlock()
		defer s.inflight.Done()
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// handleIndex tells someone who points curl or a browser at the base URL what is here.
func (s *Server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Ocard Desk demo server\n\ntoken:  POST %s (client_id=%s, client_secret=%s, grant_type=client_credentials)\n",
		s.TokenURL(), ClientID, ClientSecret)
	fmt.Fprintf(w, "member: GET %s/v1/user/ocard?shop_id=%s&mobile=NUMBER (Authorization: Bearer TOKEN)\n", s.baseURL, ShopID)
	fmt.Fprintf(w, "rewards: POST %s%s {\"store_id\",\"phone_number\"}\n", s.baseURL, rewardsPath)
	fmt.Fprintf(w, "redeem: POST %s%s {\"shop_id\",\"order_id\",\"ticket_ids\",\"mobile\",\"points\"}\n", s.baseURL, redeemPath)
	fmt.Fprint(w, "(redemptions last while this server runs; a repeated order_id is answered 204 without deducting again)\n\n")
	for _, n := range Numbers() {
		fmt.Fprintf(w, "  %s  %s\n", n.Mobile, n.Label)
	}
}

// sleep waits for d or until ctx is done (the client hung up or the server is
// closing), and reports whether the full delay passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) (completed bool) {
	if s.hooks.sleepStarted != nil {
		s.hooks.sleepStarted()
	}
	if s.hooks.sleepEnded != nil {
		defer func() { s.hooks.sleepEnded(completed) }()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
