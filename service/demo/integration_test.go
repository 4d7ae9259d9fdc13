package demo_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// These tests drive the real client against the demo server over loopback, so the
// demo data is proven to decode into every state the window shows.

func startDemo(t *testing.T) *demo.Server {
	t.Helper()
	// The slow number sleeps for an hour: it can only finish by being abandoned.
	srv, err := demo.Start(demo.Options{SlowDelay: time.Hour, AvatarDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func newDemoClient(t *testing.T, srv *demo.Server) *service.Client {
	t.Helper()
	cfg := srv.Config()
	cfg.Timeout = 300 * time.Millisecond // for the slow number; loopback answers take microseconds
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := service.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLookupEveryDemoNumber(t *testing.T) {
	srv := startDemo(t)
	c := newDemoClient(t, srv)
	ctx := context.Background()
	today := time.Now()
	tests := []struct {
		mobile   string
		kind     service.Kind // 0: a member or ErrNotMember
		notFound bool
		check    func(t *testing.T, m service.Member)
	}{
		{mobile: "0903123123", check: func(t *testing.T, m service.Member) {
			c := m.Card
			if m.Name != "Chien YH" || !m.Carrier.Valid || c == nil || c.Points != 14518 || len(c.Expiring) != 1 ||
				c.Expiring[0].Points != 14488 || c.Expiring[0].Date.Format(time.DateOnly) != "2026-12-31" {
				t.Errorf("%+v %+v", m, c)
			}
		}},
		{mobile: "0903515908", check: func(t *testing.T, m service.Member) {
			if m.ID != "-JR04E188" {
				t.Errorf("%+v", m)
			}
		}},
		{mobile: "0912345678", check: func(t *testing.T, m service.Member) {
			if m.Card == nil || len(m.Card.Expiring) != 0 || m.Carrier.Code != "" {
				t.Errorf("%+v %+v", m, m.Card)
			}
		}},
		{mobile: "0911111111", check: func(t *testing.T, m service.Member) {
			e := m.Card.Expiring
			if len(e) != 3 || !e[0].Date.Before(e[1].Date) || !e[1].Date.Before(e[2].Date) ||
				e[0].Points != 120 || e[0].Date.Sub(today) > 30*24*time.Hour || e[0].Date.Before(today.AddDate(0, 0, -1)) {
				t.Errorf("expiring %+v: want 3 sorted, the first within 30 days", e)
			}
			if !m.Carrier.Valid || m.Carrier.Code != "/AB1.+-C" {
				t.Errorf("carrier %+v", m.Carrier)
			}
		}},
		{mobile: "0922222222", check: func(t *testing.T, m service.Member) {
			if len([]rune(m.Name)) < 12 || m.Carrier.Code != "" || m.Carrier.Valid {
				t.Errorf("%+v", m)
			}
		}},
		{mobile: "0933333333", check: func(t *testing.T, m service.Member) {
			if m.Carrier.Code != "ABC123" || m.Carrier.Valid {
				t.Errorf("carrier %+v", m.Carrier)
			}
		}},
		{mobile: "0944444444", check: func(t *testing.T, m service.Member) {
			if m.Card != nil || m.Name == "" {
				t.Errorf("%+v: want a member without a card", m)
			}
		}},
		{mobile: "0955555555", check: func(t *testing.T, m service.Member) {
			c := m.Card
			if c.Points != 9876543 || c.Spent != 1234567 || c.AvailableGifts != 128 || len(c.Expiring) != 2 || c.Expiring[0].Points != 1500000 {
				t.Errorf("%+v", c)
			}
		}},
		{mobile: "0966666666", check: func(t *testing.T, m service.Member) {
			if m.AvatarURL != srv.BaseURL()+"/avatars/slow.png" {
				t.Errorf("avatar %q", m.AvatarURL)
			}
		}},
		{mobile: "0977777777", check: func(t *testing.T, m service.Member) {
			if m.AvatarURL != srv.BaseURL()+"/avatars/broken.png" {
				t.Errorf("avatar %q", m.AvatarURL)
			}
		}},
		{mobile: "0987654321", notFound: true},
		{mobile: "0900000001", kind: service.KindTimeout},
		{mobile: "0900000002", kind: service.KindServer},
		{mobile: "0900000004", kind: service.KindMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.mobile, func(t *testing.T) {
			m, err := c.LookupMember(ctx, demo.ShopID, tt.mobile)
			switch {
			case tt.notFound:
				if !errors.Is(err, service.ErrNotMember) {
					t.Fatalf("err = %v, want ErrNotMember", err)
				}
			case tt.kind != 0:
				if got := service.KindOf(err); got != tt.kind {
					t.Fatalf("err = %v (kind %v), want kind %v", err, got, tt.kind)
				}
			case err != nil:
				t.Fatal(err)
			default:
				tt.check(t, m)
			}
		})
	}
	if n := c.TokenRequests(); n != 1 {
		t.Errorf("%d token requests for all numbers, want 1", n)
	}
	var e *service.Error
	if _, err := c.LookupMember(ctx, demo.ShopID, "0900000002"); !errors.As(err, &e) || e.StatusCode != 500 {
		t.Errorf("500 number: %v", err)
	}
}

func TestLookupRevokedOnce(t *testing.T) {
	srv := startDemo(t)
	c := newDemoClient(t, srv)
	m, err := c.LookupMember(context.Background(), demo.ShopID, "0900000003")
	if err != nil || m.Name != "周怡君" {
		t.Fatalf("%+v, %v: want the member after one retry", m, err)
	}
	if n, st := c.TokenRequests(), srv.Stats(); n != 2 || st.TokenRequests != 2 || st.MemberRequests != 2 {
		t.Errorf("client counted %d token requests, server %+v; want 2 token and 2 member requests", n, st)
	}
}

func TestLookupWrongSecretIsAuth(t *testing.T) {
	srv := startDemo(t)
	cfg := srv.Config()
	cfg.ClientSecret = "wrong"
	c, err := service.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupMember(context.Background(), demo.ShopID, "0903123123"); !errors.Is(err, service.ErrAuth) {
		t.Errorf("err = %v, want an authentication error", err)
	}
	if st := srv.Stats(); st.MemberRequests != 0 {
		t.Errorf("the member API was called %d times with refused credentials", st.MemberRequests)
	}
}

func TestDemoAvatarsThroughFetcher(t *testing.T) {
	srv := startDemo(t)
	f := service.NewAvatarFetcher(service.AvatarOptions{Timeout: 200 * time.Millisecond})
	ctx := context.Background()
	img, err := f.Fetch(ctx, srv.BaseURL()+"/avatars/normal.png")
	if err != nil || img.Bounds().Dx() != 128 {
		t.Errorf("normal avatar: %v", err)
	}
	if _, err := f.Fetch(ctx, srv.BaseURL()+"/avatars/broken.png"); service.KindOf(err) != service.KindMalformed {
		t.Errorf("broken avatar: %v, want malformed", err)
	}
	if _, err := f.Fetch(ctx, srv.BaseURL()+"/avatars/slow.png"); service.KindOf(err) != service.KindTimeout {
		t.Errorf("slow avatar: %v, want a timeout", err)
	}
}
