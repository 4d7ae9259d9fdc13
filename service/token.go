package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenSource hands out the access token for the member API. It exists because
// oauth2.ReuseTokenSource cannot be told that the API refused a token (a rotated
// secret or a revoked token would then fail every lookup until the 30-day expiry);
// this one can be invalidated, and it lets concurrent callers share one fetch.
type tokenSource struct {
	conf     *clientcredentials.Config
	client   *http.Client // for the token endpoint only, see tokenTransport
	cache    TokenCache
	timeout  time.Duration
	log      *slog.Logger
	redact   *redactor    // hides the client secret in diagnostics
	requests atomic.Int64 // token endpoint round trips, for TokenRequests

	mu     sync.Mutex
	loaded bool          // cache consulted (at first use, not in NewClient, so startup never waits on a keyring)
	tok    *oauth2.Token // nil when none is known to be usable
	flight *tokenFetch   // the fetch in progress, shared by every waiter
}

// tokenFetch is one request to the token endpoint; done is closed once tok/err are set.
type tokenFetch struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

func newTokenSource(cfg Config, checkRedirect func(*http.Request, []*http.Request) error) *tokenSource {
	s := &tokenSource{
		conf: &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL,
			Scopes:       cfg.Scopes,
			// The docs put the credentials in the form body. Naming the style also
			// stops x/oauth2 from probing with a second request when the first fails.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		cache:   cfg.TokenCache,
		timeout: cfg.Timeout,
		log:     cfg.Logger,
		redact:  newRedactor(cfg.ClientSecret, "", ""),
	}
	s.client = &http.Client{
		Transport: &tokenTransport{
			base:     cfg.Transport,
			maxBody:  cfg.MaxBodyBytes,
			ua:       cfg.UserAgent,
			requests: &s.requests,
			log:      cfg.Logger,
		},
		// A 307/308 would resend the form, secret included, so the same
		// same-host rule as for the API applies.
		CheckRedirect: checkRedirect,
	}
	return s
}

// token returns a usable token: the one in hand, the cached one at first use, or
// a fresh one (joining a fetch already in progress).
func (s *tokenSource) token(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	if !s.loaded {
		s.loaded = true
		s.tok = s.loadCached()
	}
	if s.tok.Valid() {
		t := s.tok
		s.mu.Unlock()
		return t, nil
	}
	f := s.startFetchLocked(ctx)
	s.mu.Unlock()
	return s.wait(ctx, f)
}

// fresh discards the token in hand and fetches a new one, for "Test connection".
func (s *tokenSource) fresh(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	s.loaded = true
	s.tok = nil
	f := s.startFetchLocked(ctx)
	s.mu.Unlock()
	return s.wait(ctx, f)
}

// invalidate forgets stale after the API refused it. Only that exact token is
// dropped: when many lookups get 401 at once, the first one's replacement must
// survive the others' invalidations, so they all share one new fetch.
func (s *tokenSource) invalidate(stale *oauth2.Token) {
	s.mu.Lock()
	if s.tok != nil && stale != nil && s.tok.AccessToken == stale.AccessToken {
		s.tok = nil
	}
	s.mu.Unlock()
}

func (s *tokenSource) loadCached() *oauth2.Token {
	if s.cache == nil {
		return nil
	}
	t, err := s.cache.LoadToken()
	if err != nil {
		// Not fatal: a fetch replaces what the cache could not give.
		s.log.Warn("ocard: token cache unreadable; fetching a new token", "error", err)
		return nil
	}
	return t
}

func (s *tokenSource) startFetchLocked(ctx context.Context) *tokenFetch {
	if s.flight != nil {
		return s.flight
	}
	f := &tokenFetch{done: make(chan struct{})}
	s.flight = f
	// Detached from the caller's cancellation: the window cancels a lookup as soon
	// as a newer scan arrives, and the newer lookup should reuse this fetch rather
	// than start over. The fetch is still bounded by the per-request timeout.
	go s.fetch(context.WithoutCancel(ctx), f)
	return f
}

func (s *tokenSource) fetch(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tok, err := s.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, s.client))
	if err != nil {
		tok, err = nil, s.tokenError(ctx, err)
	} else if s.cache != nil {
		// Saved before waiters are released, so saves happen in fetch order.
		if serr := s.cache.SaveToken(tok); serr != nil {
			s.log.Warn("ocard: could not store the access token", "error", serr)
		}
	}
	s.mu.Lock()
	if err == nil {
		s.tok = tok
	}
	s.flight = nil
	s.mu.Unlock()
	f.tok, f.err = tok, err
	close(f.done)
}

func (s *tokenSource) wait(ctx context.Context, f *tokenFetch) (*oauth2.Token, error) {
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, contextError("token", ctx)
	}
}

// tokenError turns a failed fetch into an *Error. The token endpoint refusing the
// credentials (400/401/403, or an "error" in a 2xx reply) is KindAuth.
func (s *tokenSource) tokenError(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		kind, detail := KindServer, "token endpoint failed"
		if status == http.StatusBadRequest || status == http.StatusUnauthorized ||
			status == http.StatusForbidden || status/100 == 2 {
			kind, detail = KindAuth, "token endpoint refused the client id or secret"
		}
		if code := cleanText(s.redact.Replace(re.ErrorCode), 64); code != "" {
			detail += " (" + code + ")"
		}
		// A copy without the secret, for callers that want the RFC 6749 fields.
		safe := *re
		safe.Body = []byte(s.redact.Replace(string(re.Body)))
		safe.ErrorCode = s.redact.Replace(re.ErrorCode)
		safe.ErrorDescription = s.redact.Replace(re.ErrorDescription)
		safe.ErrorURI = s.redact.Replace(re.ErrorURI)
		return &Error{Kind: kind, Op: "token", StatusCode: status, Detail: detail,
			BodyExcerpt: excerpt(re.Body, s.redact), Err: &safe}
	}
	var ue *url.Error
	if !errors.As(err, &ue) && !errors.Is(err, context.DeadlineExceeded) {
		// What is left comes from x/oauth2 parsing a 2xx reply: not JSON, or no
		// access_token. Its text quotes nothing from the body.
		return &Error{Kind: KindMalformed, Op: "token", Detail: "token endpoint reply not understood", Err: err}
	}
	return transportError("token", ctx, err, s.redact, s.timeout)
}

// tokenTransport wraps the transport for the token endpoint: x/oauth2 makes the
// request, so this is where it is counted, labelled with our User-Agent and
// logged, and where the reply is capped (x/oauth2 silently truncates at 1 MiB,
// which would surface as a puzzling parse error instead of "too large").
type tokenTransport struct {
	base     http.RoundTripper
	maxBody  int64
	ua       string
	requests *atomic.Int64
	log      *slog.Logger
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	req = req.Clone(req.Context()) // a RoundTripper must not modify its argument
	req.Header.Set("User-Agent", t.ua)
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.log.DebugContext(req.Context(), "ocard token request", "host", req.URL.Host,
			"duration", time.Since(start), "error", "round trip failed")
		return nil, err
	}
	var body []byte
	if resp.StatusCode/100 == 2 {
		body, err = readCapped(resp, t.maxBody)
	} else {
		// A refusal or an error page: its start is enough for the diagnostics, and
		// a huge one should still be reported by its status, not its size.
		body, err = io.ReadAll(io.LimitReader(resp.Body, min(t.maxBody, errorBodyPeek)))
	}
	resp.Body.Close()
	t.log.DebugContext(req.Context(), "ocard token request", "host", req.URL.Host,
		"status", resp.StatusCode, "duration", time.Since(start), "bytes", len(body))
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
