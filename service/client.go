package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/oauth2"
)

const (
	// maxRedirects bounds same-host redirects; more suggests a loop.
	maxRedirects = 3
	// maxExcerpt bounds Error.BodyExcerpt; errorBodyPeek is how much of an error
	// body is read to make it (redaction happens before the cut).
	maxExcerpt    = 200
	errorBodyPeek = 4 << 10
	// maxShopID bounds the store id; real ones are a handful of digits.
	maxShopID = 64
)

// Client looks members up in one tenant's member API. It is safe for concurrent
// use; one token serves all lookups until the API refuses it or it expires.
type Client struct {
	cfg      Config
	endpoint *url.URL // {BaseURL}/v1/user/ocard
	// rewardsURL and redeemURL are the login (rewards) and redeem endpoints.
	rewardsURL, redeemURL string
	http                  *http.Client
	// redeemHTTP follows no redirect: a write is sent to one place, once.
	redeemHTTP *http.Client
	tokens     *tokenSource
	log        *slog.Logger
}

// NewClient validates cfg (see Config.Validate), applies the defaults and returns a
// Client. It sends nothing; the first lookup fetches the token.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	base, err := url.Parse(cfg.BaseURL)
	if err != nil { // unreachable after Validate, kept so a future change cannot panic
		return nil, configError("base_url", "not an absolute URL")
	}
	c := &Client{
		cfg:      cfg,
		endpoint: base.JoinPath("v1", "user", "ocard"),
		log:      cfg.Logger,
		// No http.Client.Timeout: each attempt gets its own context deadline,
		// which also covers reading the body.
		http: &http.Client{Transport: cfg.Transport, CheckRedirect: checkRedirect},
	}
	c.rewardsURL = base.JoinPath("v1", "user", "ocard", "login").String()
	c.redeemURL = base.JoinPath("v1", "ticket", "redeem-ocard-member-tickets-points").String()
	c.redeemHTTP = &http.Client{Transport: http1Only(cfg.Transport), CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	c.tokens = newTokenSource(cfg, checkRedirect)
	return c, nil
}

// LookupMember asks the member API about the holder of mobile at store shopID
// (GET {BaseURL}/v1/user/ocard?shop_id=…&mobile=…).
//
// The store id (surrounding spaces ignored, leading zeros kept) and the number
// (see NormaliseMobile) are checked before anything is sent: bad input is an *Error
// of KindInvalidInput. A number that belongs to nobody is ErrNotMember. If the API
// refuses the token with 401, the token is replaced and the GET retried once. When
// ctx is canceled the error wraps context.Canceled (errors.Is) and is not an *Error;
// every other failure is an *Error (see Kind).
func (c *Client) LookupMember(ctx context.Context, shopID, mobile string) (Member, error) {
	shop := strings.TrimSpace(shopID)
	if shop == "" || len(shop) > maxShopID || strings.IndexFunc(shop, unicode.IsControl) >= 0 {
		return Member{}, &Error{Kind: KindInvalidInput, Op: "lookup", Detail: "store id is empty or not printable"}
	}
	num, err := NormaliseMobile(mobile)
	if err != nil {
		return Member{}, err
	}
	if ctx.Err() != nil {
		return Member{}, contextError("lookup", ctx)
	}
	u := *c.endpoint
	u.RawQuery = url.Values{"shop_id": {shop}, "mobile": {num}}.Encode()
	// The GET is idempotent, so exchange may send it twice (after a 401).
	x := c.exchange(ctx, c.http, "lookup", http.MethodGet, u.String(), nil, shop, num)
	if err := x.readError("lookup", "member API"); err != nil {
		return Member{}, err
	}
	return DecodeMember(x.body)
}

// exchanged is what exchange got: the last attempt's status and body, or its error.
type exchanged struct {
	status int
	body   []byte
	err    error
	// sent reports whether the last attempt was handed to the transport, i.e.
	// whether the server may have seen it (false when the token could not be had).
	sent bool
	red  *redactor
}

// exchange sends one request to the API with the bearer token. When the API
// refuses the token with 401 (a rotated secret or a revoked token: x/oauth2 would
// keep serving the refused token until it expires), the token is replaced and the
// same bytes are sent once more; a 401 means the request was not acted on, so even
// a write may be sent again. Nothing else is retried.
func (c *Client) exchange(ctx context.Context, hc *http.Client, op, method, u string, body []byte, shop, num string) exchanged {
	for attempt := 1; ; attempt++ {
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return exchanged{err: err}
		}
		red := newRedactor(c.cfg.ClientSecret, tok.AccessToken, num)
		start := time.Now()
		status, respBody, err := c.send(ctx, hc, op, method, u, body, tok, red)
		c.logAttempt(ctx, op, shop, num, attempt, status, time.Since(start), err)
		if err == nil && status == http.StatusUnauthorized && attempt == 1 {
			c.tokens.invalidate(tok)
			continue
		}
		return exchanged{status: status, body: respBody, err: err, sent: true, red: red}
	}
}

// readError turns a failed exchange for a read (lookup) into its error, or nil
// for a 2xx answer. api names the API in the detail.
func (x exchanged) readError(op, api string) error {
	switch {
	case x.err != nil:
		return x.err
	case x.status == http.StatusUnauthorized || x.status == http.StatusForbidden:
		return &Error{Kind: KindAuth, Op: op, StatusCode: x.status,
			Detail: api + " refused the access token", BodyExcerpt: excerpt(x.body, x.red)}
	case x.status/100 != 2:
		return &Error{Kind: KindServer, Op: op, StatusCode: x.status,
			Detail: "unexpected status", BodyExcerpt: excerpt(x.body, x.red)}
	}
	return nil
}

// CheckConnection fetches a fresh token, so that a settings screen's "Test
// connection" proves the URL and credentials now rather than trusting a cached
// token. It returns nil or an *Error (KindAuth for refused credentials).
func (c *Client) CheckConnection(ctx context.Context) error {
	if ctx.Err() != nil {
		return contextError("token", ctx)
	}
	_, err := c.tokens.fresh(ctx)
	return err
}

// TokenRequests reports how many requests the Client has sent to the token
// endpoint, so tests and benchmarks can prove that tokens are reused.
func (c *Client) TokenRequests() int64 { return c.tokens.requests.Load() }

// send makes one attempt (a GET, or a POST of a JSON body) under its own
// timeout. A 2xx body is returned whole (up to MaxBodyBytes); any other status
// comes with the start of its body. op names the request in errors.
func (c *Client) send(ctx context.Context, hc *http.Client, op, method, u string, body []byte, tok *oauth2.Token, red *redactor) (int, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, u, rd)
	if err != nil {
		return 0, nil, configError("base_url", "cannot build the request")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Set here rather than by an oauth2.Transport so the header is ours to reason
	// about: checkRedirect keeps it on the configured host.
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, transportError(op, ctx, err, red, c.cfg.Timeout)
	}
	defer resp.Body.Close()
	var respBody []byte
	if resp.StatusCode/100 == 2 {
		respBody, err = readCapped(resp, c.cfg.MaxBodyBytes)
	} else {
		// The status already says what went wrong; a partial excerpt will do.
		respBody, _ = io.ReadAll(io.LimitReader(resp.Body, errorBodyPeek))
	}
	if err != nil {
		return resp.StatusCode, nil, transportError(op, ctx, err, red, c.cfg.Timeout)
	}
	return resp.StatusCode, respBody, nil
}

// logAttempt writes the one Debug line per request. The number is masked: logs
// end up in support tickets.
func (c *Client) logAttempt(ctx context.Context, op, shop, num string, attempt, status int, d time.Duration, err error) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	args := []any{"shop_id", shop, "mobile", MaskMobile(num), "attempt", attempt, "status", status, "duration", d}
	if err != nil {
		args = append(args, "error", err.Error()) // *Error texts are safe by construction
	}
	c.log.DebugContext(ctx, "ocard "+op, args...)
}

// checkRedirect keeps every hop on the scheme and host the request started with,
// because a redirect elsewhere would carry the bearer token (or, for the token
// endpoint, the client secret in a 307's body) to a host nobody configured.
func checkRedirect(req *http.Request, via []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return &redirectError{status: status, reason: "redirect to another host refused"}
	}
	if len(via) > maxRedirects {
		return &redirectError{status: status, reason: "too many redirects"}
	}
	return nil
}

type redirectError struct {
	status int
	reason string
}

func (e *redirectError) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.reason, e.status) }

// bodyReadError is a failure while reading a body: the server was reached and
// had started to answer, so "could not reach the server" would mislead.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the response: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return fmt.Sprintf("response larger than %d bytes", e.limit)
}

// readCapped reads a whole body of at most limit bytes. It refuses early on a
// declared Content-Length and otherwise reads one byte more than allowed to tell
// "exactly at the limit" from "over it".
func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, &bodyTooLargeError{limit}
	}
	n := limit
	if n < math.MaxInt64 {
		n++
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, n))
	if err != nil {
		return nil, &bodyReadError{err}
	}
	if int64(len(b)) > limit {
		return nil, &bodyTooLargeError{limit}
	}
	return b, nil
}

// transportError classifies a request that got no usable reply. ctx is the
// caller's context: its cancellation is reported as such, while a deadline (the
// caller's or the per-attempt one) is KindTimeout.
func transportError(op string, ctx context.Context, err error, red *redactor, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return contextError(op, ctx)
	}
	var big *bodyTooLargeError
	if errors.As(err, &big) {
		return &Error{Kind: KindMalformed, Op: op, Detail: big.Error(), Err: big}
	}
	var rd *redirectError
	if errors.As(err, &rd) {
		return &Error{Kind: KindServer, Op: op, StatusCode: rd.status, Detail: rd.reason, Err: rd}
	}
	// url.Error's text quotes the URL, and the lookup URL holds the phone number.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: red.Replace(ue.URL), Err: ue.Err}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &Error{Kind: KindTimeout, Op: op, Detail: fmt.Sprintf("no complete answer in time (limit %s per request)", timeout), Err: err}
	}
	detail := "could not reach the server"
	var cut *bodyReadError
	if errors.As(err, &cut) {
		detail = "the connection broke before the whole answer arrived"
	}
	return &Error{Kind: KindNetwork, Op: op, Detail: detail, Err: err}
}

// contextError reports that ctx ended: a deadline is KindTimeout; a cancellation
// (a newer lookup replaced this one) is returned as a plain wrapped error, since it
// is no failure to show anyone.
func contextError(op string, ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &Error{Kind: KindTimeout, Op: op, Detail: "deadline exceeded", Err: err}
}

// http1Only returns rt for the redeem POST: a copy of an *http.Transport that
// never speaks HTTP/2. Over HTTP/1.1 Go's transport resends a request only when
// it is idempotent (GET, HEAD, … or an Idempotency-Key header, which the redeem
// never carries) or when nothing of it was written; the HTTP/2 transport also
// retries a request whose body it can rewind after some connection failures
// (GOAWAY, a refused stream), which for a redemption is a second charge the
// cashier never asked for. Another RoundTripper (tests) is used as it is.
func http1Only(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	t.ForceAttemptHTTP2 = false
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	t.Protocols = new(http.Protocols)
	t.Protocols.SetHTTP1(true)
	if t.TLSClientConfig != nil {
		t.TLSClientConfig.NextProtos = slices.DeleteFunc(slices.Clone(t.TLSClientConfig.NextProtos),
			func(p string) bool { return p == "h2" })
	}
	return t
}
