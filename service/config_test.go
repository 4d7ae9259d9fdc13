package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// countingTransport counts round trips and fails them, to prove nothing was sent.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no traffic expected")
}

func validConfig() Config {
	return Config{
		BaseURL:      "https://api.example.com",
		TokenURL:     "https://login.example.com/oauth/v1/token",
		ClientID:     "id",
		ClientSecret: "secret",
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		field string // "" means valid
	}{
		{"valid", func(*Config) {}, ""},
		{"http localhost", func(c *Config) { c.BaseURL = "http://localhost:8080"; c.TokenURL = "http://LOCALHOST/token" }, ""},
		{"http 127/8", func(c *Config) { c.BaseURL = "http://127.0.0.2:1"; c.TokenURL = "http://127.255.0.1/t" }, ""},
		{"http ::1", func(c *Config) { c.BaseURL = "http://[::1]:9000/api/" }, ""},
		{"path prefix", func(c *Config) { c.BaseURL = "https://api.example.com/tenant/" }, ""},
		{"pasted with spaces", func(c *Config) { c.BaseURL = " https://api.example.com\n"; c.ClientSecret = " s " }, ""},
		{"explicit defaults", func(c *Config) { c.Scopes = []string{"api", "member"}; c.Timeout = time.Second; c.MaxBodyBytes = 10 }, ""},

		{"base missing", func(c *Config) { c.BaseURL = "" }, "base_url"},
		{"base http remote", func(c *Config) { c.BaseURL = "http://api.example.com" }, "base_url"},
		{"base http private LAN", func(c *Config) { c.BaseURL = "http://192.168.1.10" }, "base_url"},
		{"base http localhost look-alike", func(c *Config) { c.BaseURL = "http://localhost.example.com" }, "base_url"},
		{"base http 127 look-alike", func(c *Config) { c.BaseURL = "http://127.0.0.1.nip.io" }, "base_url"},
		{"base ftp", func(c *Config) { c.BaseURL = "ftp://api.example.com" }, "base_url"},
		{"base relative", func(c *Config) { c.BaseURL = "api.example.com/v1" }, "base_url"},
		{"base user info", func(c *Config) { c.BaseURL = "https://u:p@api.example.com" }, "base_url"},
		{"base query", func(c *Config) { c.BaseURL = "https://api.example.com/?x=1" }, "base_url"},
		{"base fragment", func(c *Config) { c.BaseURL = "https://api.example.com/#x" }, "base_url"},
		{"base garbage", func(c *Config) { c.BaseURL = "https://[::1" }, "base_url"},
		{"token missing", func(c *Config) { c.TokenURL = " " }, "token_url"},
		{"token http remote", func(c *Config) { c.TokenURL = "http://login.example.com/oauth/v1/token" }, "token_url"},
		{"client id missing", func(c *Config) { c.ClientID = "" }, "client_id"},
		{"client secret blank", func(c *Config) { c.ClientSecret = "  " }, "client_secret"},
		{"scope with space", func(c *Config) { c.Scopes = []string{"api member"} }, "scopes"},
		{"empty scope", func(c *Config) { c.Scopes = []string{""} }, "scopes"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
		{"negative body cap", func(c *Config) { c.MaxBodyBytes = -1 }, "max_body_bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.edit(&cfg)
			err := cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindConfig || e.Op != "config" || e.Field != tc.field {
				t.Fatalf("Validate = %#v, want KindConfig for %s", err, tc.field)
			}
			if !errors.Is(err, ErrConfig) {
				t.Error("errors.Is(err, ErrConfig) is false")
			}
		})
	}
}

func TestValidateErrorHidesSecrets(t *testing.T) {
	cfg := validConfig()
	cfg.BaseURL = "https://user:hunter2@api.example.com"
	if err := cfg.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Validate = %v", err)
	}
}

// TestNewClientRefusesPlainHTTPWithoutTraffic: an http URL to another machine is
// refused before a single byte is sent.
func TestNewClientRefusesPlainHTTPWithoutTraffic(t *testing.T) {
	for _, edit := range []func(*Config){
		func(c *Config) { c.BaseURL = "http://api.example.com" },
		func(c *Config) { c.TokenURL = "http://login.example.com/oauth/v1/token" },
	} {
		tr := &countingTransport{}
		cfg := validConfig()
		cfg.Transport = tr
		edit(&cfg)
		c, err := NewClient(cfg)
		if !errors.Is(err, ErrConfig) || c != nil {
			t.Fatalf("NewClient = %v, %v; want KindConfig", c, err)
		}
		if n := tr.n.Load(); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	}
}

func TestNewClientDefaults(t *testing.T) {
	cfg := validConfig()
	cfg.BaseURL = "https://api.example.com/tenant/"
	cfg.ClientSecret = " secret\n"
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := c.cfg
	if got.Timeout != DefaultTimeout || got.MaxBodyBytes != DefaultMaxBodyBytes || got.UserAgent != UserAgent() ||
		len(got.Scopes) != 1 || got.Scopes[0] != "api" || got.Transport == nil || got.Logger == nil {
		t.Errorf("defaults not applied: %+v", got)
	}
	if got.Transport == http.DefaultTransport {
		t.Error("shares http.DefaultTransport")
	}
	if got.ClientSecret != "secret" {
		t.Errorf("secret not trimmed")
	}
	if s := c.endpoint.String(); s != "https://api.example.com/tenant/v1/user/ocard" {
		t.Errorf("endpoint = %s", s)
	}
	if c.tokens.conf.AuthStyle != oauth2.AuthStyleInParams {
		t.Errorf("auth style = %v", c.tokens.conf.AuthStyle)
	}
}

// ExampleNewClient configures a client for a fake tenant on loopback and looks a
// member up.
func ExampleNewClient() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seed, _ := os.ReadFile(filepath.Join("testdata", "seed-member.json"))
		w.Write(seed)
	}))
	defer api.Close()
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"abc","expires_in":2592000,"token_type":"Bearer","scope":"api"}`)
	}))
	defer login.Close()

	c, err := NewClient(Config{
		BaseURL:      api.URL, // plain http is allowed to loopback only
		TokenURL:     login.URL + "/oauth/v1/token",
		ClientID:     "desk",
		ClientSecret: "secret",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.LookupMember(context.Background(), "000030", "0903-515-908")
	switch {
	case errors.Is(err, ErrNotMember):
		fmt.Println("not a member")
	case err != nil:
		fmt.Println("lookup failed:", err)
	default:
		fmt.Println(m.Name, m.GroupName, m.Card.Points, "points")
		for _, e := range m.Card.Expiring {
			fmt.Println(e.Points, "expire on", e.Date.Format("2006-01-02"))
		}
	}
	// Output:
	// Chien YH VIP_LV1 測試 14518 points
	// 14488 expire on 2026-12-31
}
