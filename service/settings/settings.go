// Package settings is Ocard Desk's configuration: the settings a desk runs with, where
// each comes from (flags, environment, a head office's provisioning file, what the
// user saved, defaults), their validation, and the storage of the client secret and
// the access token in the operating system's credential store.
//
// It never imports Fyne: the window hands in its preferences as a KV, so the same code
// serves the window, `ocard-desk lookup` and the tests.
package settings

import (
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ocard-desk/ocard-desk/service"
)

// Field names one setting. The values are the provisioning file's JSON keys, so an
// error about a field names it the way head-office IT wrote it.
type Field string

// The settings, in the order a settings form shows them.
const (
	FieldBaseURL      Field = "base_url"
	FieldTokenURL     Field = "token_url"
	FieldScope        Field = "scope"
	FieldClientID     Field = "client_id"
	FieldClientSecret Field = "client_secret"
	FieldShops        Field = "shops"
	FieldDefaultShop  Field = "default_shop"
	FieldTimeout      Field = "timeout_seconds"
	FieldIdleClear    Field = "idle_clear_seconds"
	FieldLanguage     Field = "language"
	// FieldRedeemEnabled turns redemptions (points and coupons) on; off by default.
	FieldRedeemEnabled Field = "redeem_enabled"
	// FieldRedeemTicketID says which coupon id a redemption sends as ticket_ids:
	// "serial" (default) or "pos_code" (docs/REWARDS.md: the API docs do not say).
	FieldRedeemTicketID Field = "redeem_ticket_id"
)

// Fields returns every Field in form order.
func Fields() []Field {
	return []Field{FieldBaseURL, FieldTokenURL, FieldScope, FieldClientID, FieldClientSecret,
		FieldShops, FieldDefaultShop, FieldTimeout, FieldIdleClear, FieldLanguage,
		FieldRedeemEnabled, FieldRedeemTicketID}
}

// connectionFields are those without which no lookup can be made.
var connectionFields = []Field{FieldBaseURL, FieldTokenURL, FieldScope, FieldClientID,
	FieldClientSecret, FieldShops, FieldDefaultShop}

// Defaults and bounds. The bounds keep a typo (6000 instead of 60) from making the
// desk wait for minutes or keep a member on screen all day.
const (
	DefaultScope            = "api"
	DefaultTimeoutSeconds   = 10
	DefaultIdleClearSeconds = 60
	MaxTimeoutSeconds       = 300
	MinIdleClearSeconds     = 5
	MaxIdleClearSeconds     = 24 * 60 * 60
	maxShopIDLen            = 64 // as service.Client.LookupMember accepts
)

// The values of Settings.RedeemTicketID; "" means TicketIDSerial.
const (
	TicketIDSerial  = "serial"
	TicketIDPOSCode = "pos_code"
)

// Languages the window is translated into; "" follows the system.
var Languages = []string{"", "en", "zh-TW"}

// Shop is one store of the brand. ID is sent as the API's shop_id and keeps its
// leading zeros ("000030"); Name is what the header shows (the ID when empty).
type Shop struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Settings are a desk's non-secret settings. The client secret travels beside them
// (see SecretStore) so that nothing holding a Settings can leak it.
type Settings struct {
	BaseURL  string `json:"base_url,omitempty"`
	TokenURL string `json:"token_url,omitempty"`
	// Scope is one or more OAuth2 scopes separated by spaces; "" means DefaultScope.
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Shops    []Shop `json:"shops,omitempty"`
	// CurrentShop is the ID of the shop lookups are made for, one of Shops. The
	// provisioning file calls it default_shop: it is where a desk starts.
	CurrentShop string `json:"default_shop,omitempty"`
	// TimeoutSeconds bounds each request (default 10).
	TimeoutSeconds int `json:"timeout_seconds"`
	// IdleClearSeconds clears the member off the screen after this long without
	// activity (default 60); 0 means never.
	IdleClearSeconds int `json:"idle_clear_seconds"`
	// Language is "en", "zh-TW" or "" for the system's.
	Language string `json:"language,omitempty"`
	// RedeemEnabled allows redemptions from this desk; off unless turned on.
	RedeemEnabled bool `json:"redeem_enabled,omitempty"`
	// RedeemTicketID is TicketIDSerial or TicketIDPOSCode ("" means serial).
	RedeemTicketID string `json:"redeem_ticket_id,omitempty"`
}

// TicketIDOf returns the id of c that a redemption sends in ticket_ids, as
// RedeemTicketID chooses. This is the one place the choice is made.
func (s Settings) TicketIDOf(c service.Coupon) string {
	if strings.TrimSpace(s.RedeemTicketID) == TicketIDPOSCode {
		return c.POSCode
	}
	return c.Serial
}

// Defaults returns the settings of a desk nobody has configured.
func Defaults() Settings {
	return Settings{Scope: DefaultScope, TimeoutSeconds: DefaultTimeoutSeconds, IdleClearSeconds: DefaultIdleClearSeconds}
}

// Shop returns the shop with the given ID.
func (s Settings) Shop(id string) (Shop, bool) {
	for _, sh := range s.Shops {
		if sh.ID == id {
			return sh, true
		}
	}
	return Shop{}, false
}

// Normalized returns s with white space trimmed (values are pasted into forms and
// files), an empty scope defaulted, and the current shop defaulted to the first shop.
func (s Settings) Normalized() Settings {
	s.BaseURL = strings.TrimSpace(s.BaseURL)
	s.TokenURL = strings.TrimSpace(s.TokenURL)
	s.Scope = strings.Join(strings.Fields(s.Scope), " ")
	if s.Scope == "" {
		s.Scope = DefaultScope
	}
	s.ClientID = strings.TrimSpace(s.ClientID)
	shops := make([]Shop, 0, len(s.Shops))
	for _, sh := range s.Shops {
		shops = append(shops, Shop{ID: strings.TrimSpace(sh.ID), Name: strings.TrimSpace(sh.Name)})
	}
	s.Shops = shops
	s.CurrentShop = strings.TrimSpace(s.CurrentShop)
	if s.CurrentShop == "" && len(s.Shops) > 0 {
		s.CurrentShop = s.Shops[0].ID
	}
	s.Language = strings.TrimSpace(s.Language)
	s.RedeemTicketID = strings.TrimSpace(s.RedeemTicketID)
	return s
}

// ServiceConfig is the client configuration for s and the secret. Zero values are
// left for service.NewClient to default.
func (s Settings) ServiceConfig(secret string) service.Config {
	s = s.Normalized()
	return service.Config{
		BaseURL:      s.BaseURL,
		TokenURL:     s.TokenURL,
		ClientID:     s.ClientID,
		ClientSecret: strings.TrimSpace(secret),
		Scopes:       strings.Fields(s.Scope),
		Timeout:      time.Duration(max(s.TimeoutSeconds, 0)) * time.Second,
	}
}

// Code says what is wrong with a field, so the window can show its own translated
// sentence; Problem.Detail is the English one.
type Code string

// The problem codes.
const (
	CodeRequired      Code = "required"       // empty
	CodeURL           Code = "url"            // not an absolute URL, or one with user info, a query or a fragment
	CodeHTTPS         Code = "https"          // a scheme other than https (or http to this machine)
	CodeLoopbackHTTP  Code = "loopback_http"  // plain http to another machine
	CodeInvalid       Code = "invalid"        // a scope with odd characters, an unknown language
	CodeShopID        Code = "shop_id"        // a shop id that is empty, too long or has spaces/control characters
	CodeDuplicateShop Code = "duplicate_shop" // two shops with one id
	CodeUnknownShop   Code = "unknown_shop"   // the current shop is not one of the shops
	CodeRange         Code = "range"          // a number outside its bounds
	CodeStore         Code = "store"          // the credential store refused the secret (Save only)
	CodeSettingsFile  Code = "settings_file"  // the settings file could not be written (Save only)
)

// Problem is one thing wrong with one field.
type Problem struct {
	Field  Field
	Code   Code
	Detail string // plain English, for logs and the terminal; never contains the secret
}

func (p Problem) String() string { return string(p.Field) + ": " + p.Detail }

// Validate reports every problem with s and the secret, at most one per field, in
// form order; nil means a desk can connect with them. It sends nothing.
func (s Settings) Validate(secret string) []Problem {
	s = s.Normalized()
	var ps []Problem
	add := func(f Field, c Code, detail string) { ps = append(ps, Problem{f, c, detail}) }
	if c, d := checkURL(s.BaseURL); c != "" {
		add(FieldBaseURL, c, d)
	}
	if c, d := checkURL(s.TokenURL); c != "" {
		add(FieldTokenURL, c, d)
	}
	if strings.ContainsAny(s.Scope, "\"\\") || strings.IndexFunc(s.Scope, unicode.IsControl) >= 0 {
		add(FieldScope, CodeInvalid, "scopes are words separated by spaces, without quotes or backslashes")
	}
	if s.ClientID == "" {
		add(FieldClientID, CodeRequired, "client id is required")
	}
	if strings.TrimSpace(secret) == "" {
		add(FieldClientSecret, CodeRequired, "client secret is required")
	}
	if c, d := checkShops(s.Shops); c != "" {
		add(FieldShops, c, d)
	}
	if _, ok := s.Shop(s.CurrentShop); !ok && len(s.Shops) > 0 {
		add(FieldDefaultShop, CodeUnknownShop, "the current shop "+quote(s.CurrentShop)+" is not in the list of shops")
	}
	if s.TimeoutSeconds < 1 || s.TimeoutSeconds > MaxTimeoutSeconds {
		add(FieldTimeout, CodeRange, "request timeout must be 1 to 300 seconds")
	}
	if s.IdleClearSeconds != 0 && (s.IdleClearSeconds < MinIdleClearSeconds || s.IdleClearSeconds > MaxIdleClearSeconds) {
		add(FieldIdleClear, CodeRange, "idle clear must be 0 (never) or 5 to 86400 seconds")
	}
	if !slices.Contains(Languages, s.Language) {
		add(FieldLanguage, CodeInvalid, `language must be "en", "zh-TW" or empty (the system's)`)
	}
	if s.RedeemTicketID != "" && s.RedeemTicketID != TicketIDSerial && s.RedeemTicketID != TicketIDPOSCode {
		add(FieldRedeemTicketID, CodeInvalid, `redeem_ticket_id must be "serial" or "pos_code"`)
	}
	return ps
}

// checkShops returns what is wrong with the list of shops, if anything.
func checkShops(shops []Shop) (Code, string) {
	if len(shops) == 0 {
		return CodeRequired, "at least one shop is required"
	}
	seen := map[string]bool{}
	for _, sh := range shops {
		switch {
		case sh.ID == "":
			return CodeShopID, "every shop needs an id"
		case len(sh.ID) > maxShopIDLen || strings.IndexFunc(sh.ID, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r)
		}) >= 0:
			return CodeShopID, "shop id " + quote(sh.ID) + " must be at most 64 characters without spaces"
		case seen[sh.ID]:
			return CodeDuplicateShop, "shop id " + quote(sh.ID) + " appears twice"
		}
		seen[sh.ID] = true
	}
	return "", ""
}

// checkURL applies service.Config.Validate's rules to one URL, so that the form can
// explain every field at once instead of the first failure only. A test holds the
// two to the same verdicts.
func checkURL(raw string) (Code, string) {
	if raw == "" {
		return CodeRequired, "URL is required"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return CodeURL, "not an absolute URL (it should start with https://)"
	case u.User != nil:
		return CodeURL, "URL must not contain a user name or password; use the client id and secret"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return CodeURL, "URL must not contain a query (?…) or fragment (#…)"
	case u.Scheme == "https":
		return "", ""
	case u.Scheme != "http":
		return CodeHTTPS, "URL must start with https://"
	case !isLoopback(u.Hostname()):
		return CodeLoopbackHTTP, "plain http is only allowed to this machine (localhost); use https"
	}
	return "", ""
}

// isLoopback mirrors the service's rule: no DNS, only "localhost" and loopback IPs.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// quote quotes s for a message, shortened: a shop id could be anything pasted.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return `"` + s + `"`
}
