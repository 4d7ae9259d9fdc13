package service

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Defaults applied by NewClient to zero-valued Config fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB: a member record is a few hundred bytes
)

// defaultScopes is the OAuth2 scope the member API documents ("api").
var defaultScopes = []string{"api"}

// Config is everything a Client needs to reach one tenant's member API. Each brand
// runs its own tenant, so the URLs and credentials are per-deployment settings.
//
// Surrounding white space in the URLs and credentials is ignored, because these
// values are usually pasted into a settings form.
type Config struct {
	// BaseURL is the API base, e.g. https://api.example.com; the lookup is
	// GET {BaseURL}/v1/user/ocard. A path prefix is kept.
	BaseURL string
	// TokenURL is the OAuth2 token endpoint, e.g. https://login.example.com/oauth/v1/token.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Scopes requested with the client-credentials grant; default []string{"api"}.
	Scopes []string
	// Timeout bounds each HTTP attempt (token fetch or member GET); default DefaultTimeout.
	Timeout time.Duration
	// MaxBodyBytes caps every response body, API and token alike; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// UserAgent is sent with every request; default UserAgent().
	UserAgent string
	// Transport is the HTTP transport (tests inject one); default a clone of
	// http.DefaultTransport, so that our settings never leak into other users of it.
	Transport http.RoundTripper
	// TokenCache optionally persists the access token across runs (tokens live 30 days).
	TokenCache TokenCache
	// Logger receives Debug lines per request; default slog.Default().
	Logger *slog.Logger
}

// TokenCache persists the access token so that a restart does not cost a token
// request. Implementations must be safe to call from any goroutine; the Client
// calls LoadToken once, at first use, and SaveToken after each successful fetch.
type TokenCache interface {
	// LoadToken returns the stored token, or (nil, nil) when none is stored.
	LoadToken() (*oauth2.Token, error)
	// SaveToken stores t, replacing any earlier token.
	SaveToken(t *oauth2.Token) error
}

// Validate reports the first problem with c as an *Error of KindConfig whose Field
// names the setting at fault ("base_url", "token_url", "client_id", "client_secret",
// "scopes", "timeout", "max_body_bytes"). It sends nothing: an unsafe URL is refused
// before any traffic. Zero values that NewClient would default are accepted.
func (c Config) Validate() error {
	if err := checkEndpoint(c.BaseURL, "base_url"); err != nil {
		return err
	}
	if err := checkEndpoint(c.TokenURL, "token_url"); err != nil {
		return err
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return configError("client_id", "client id is required")
	}
	if strings.TrimSpace(c.ClientSecret) == "" {
		return configError("client_secret", "client secret is required")
	}
	for _, s := range c.Scopes {
		// A scope list is space-separated on the wire (RFC 6749 §3.3), so a scope
		// containing a space would silently become two.
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return configError("scopes", "each scope must be a non-empty token without spaces")
		}
	}
	if c.Timeout < 0 {
		return configError("timeout", "timeout must not be negative")
	}
	if c.MaxBodyBytes < 0 {
		return configError("max_body_bytes", "body limit must not be negative")
	}
	return nil
}

// withDefaults returns c trimmed and with every zero field defaulted. It assumes
// Validate has passed.
func (c Config) withDefaults() Config {
	c.BaseURL = strings.TrimSpace(c.BaseURL)
	c.TokenURL = strings.TrimSpace(c.TokenURL)
	c.ClientID = strings.TrimSpace(c.ClientID)
	c.ClientSecret = strings.TrimSpace(c.ClientSecret)
	if len(c.Scopes) == 0 {
		c.Scopes = defaultScopes
	}
	c.Scopes = append([]string(nil), c.Scopes...) // the caller may reuse its slice
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = UserAgent()
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			c.Transport = t.Clone()
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// checkEndpoint refuses URLs that could expose the credentials or the bearer
// token: anything but https, except plain http to this machine (the demo server
// and tests), and URLs carrying user info, a query or a fragment.
func checkEndpoint(raw, field string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return configError(field, "URL is required")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		// The parse error is not wrapped: it quotes the URL, which may hold secrets.
		return configError(field, "not an absolute URL")
	}
	if u.User != nil {
		return configError(field, "URL must not contain user info; use the client id and secret settings")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return configError(field, "URL must not contain a query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return configError(field, "plain http is only allowed to this machine (localhost, 127.0.0.0/8, ::1); use https")
		}
	default:
		return configError(field, "URL scheme must be https")
	}
	return nil
}

// isLoopback reports whether host names this machine without any lookup: a name
// that needs DNS could resolve anywhere, so only "localhost" and loopback IPs count.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func configError(field, detail string) error {
	return &Error{Kind: KindConfig, Op: "config", Field: field, Detail: detail}
}
