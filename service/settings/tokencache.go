package settings

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/ocard-desk/ocard-desk/service"
)

// extraFor is the oauth2.Token extra under which a token carries the fingerprint of
// the settings it was issued for (see TokenCacheFor).
const extraFor = "ocard_desk_for"

// tokenRecord is a token as the stores keep it: enough to reuse it until it expires.
// oauth2.Token's own JSON form drops the extras, hence a record of our own.
type tokenRecord struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"`
	For         string    `json:"for,omitempty"`
}

func recordOf(t *oauth2.Token) tokenRecord {
	rec := tokenRecord{AccessToken: t.AccessToken, TokenType: t.TokenType, Expiry: t.Expiry}
	if v, ok := t.Extra(extraFor).(string); ok {
		rec.For = v
	}
	return rec
}

func (r tokenRecord) token() *oauth2.Token {
	t := &oauth2.Token{AccessToken: r.AccessToken, TokenType: r.TokenType, Expiry: r.Expiry}
	if r.For != "" {
		t = t.WithExtra(map[string]any{extraFor: r.For})
	}
	return t
}

// TokenCacheFor returns a TokenCache over cache that serves a stored token only to
// the settings it was fetched with: the same token URL, API base URL, client id,
// secret and scopes. Without it, a desk moved to another tenant (or given a new
// secret) would send the old tenant's token to the new API host on its first lookup.
func TokenCacheFor(cache service.TokenCache, cfg service.Config) service.TokenCache {
	return &boundCache{cache: cache, fp: fingerprint(cfg)}
}

type boundCache struct {
	cache service.TokenCache
	fp    string
}

// LoadToken returns the stored token if it was issued for these settings.
func (b *boundCache) LoadToken() (*oauth2.Token, error) {
	t, err := b.cache.LoadToken()
	if err != nil || t == nil {
		return nil, err
	}
	if fp, _ := t.Extra(extraFor).(string); fp != b.fp {
		return nil, nil
	}
	return t, nil
}

// SaveToken stores t marked with these settings' fingerprint.
func (b *boundCache) SaveToken(t *oauth2.Token) error {
	if t == nil {
		return b.cache.SaveToken(nil)
	}
	return b.cache.SaveToken(t.WithExtra(map[string]any{extraFor: b.fp}))
}

// fingerprint identifies the settings a token belongs to. It is a hash, so the
// secret is not readable from it even where the token is stored apart from the secret.
func fingerprint(cfg service.Config) string {
	scopes := strings.Fields(strings.Join(cfg.Scopes, " "))
	if len(scopes) == 0 {
		scopes = []string{DefaultScope}
	}
	h := sha256.New()
	for _, part := range []string{cfg.TokenURL, cfg.BaseURL, cfg.ClientID, cfg.ClientSecret, strings.Join(scopes, " ")} {
		h.Write([]byte(strings.TrimSpace(part)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// readOnlyCache serves stored tokens but keeps fetched ones to itself, for
// `ocard-desk lookup`: a test from a terminal should not replace the window's token.
type readOnlyCache struct{ cache service.TokenCache }

// ReadOnlyTokenCache returns a TokenCache that loads from cache and never saves.
func ReadOnlyTokenCache(cache service.TokenCache) service.TokenCache {
	return readOnlyCache{cache}
}

func (r readOnlyCache) LoadToken() (*oauth2.Token, error) { return r.cache.LoadToken() }
func (r readOnlyCache) SaveToken(*oauth2.Token) error     { return nil }
