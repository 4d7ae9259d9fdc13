package service_test

// Benchmarks for docs/BENCHMARKS.md (issue 6), run by `make bench` (docs/bench/run.sh):
//
//	P1  BenchmarkRoundTrips       HTTP requests per lookup, counted by the demo server
//	                              and by Client.TokenRequests (run with -benchtime 1000x)
//	P2  BenchmarkLookupOverhead   LookupMember vs a bare net/http GET + json.Unmarshal of
//	                              the same response, same server, same loopback
//
// They are benchmarks, not tests: nothing here asserts a duration or a count; the
// figures are reported as metrics and judged in the document.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// benchMobile is a demo member with loopback-only data: three expiring batches, a
// carrier and an avatar URL on the demo server (the seed examples' avatars are on the
// internet, and benchmarks send nothing off this machine).
const benchMobile = "0911111111"

// memoryTokenCache is a service.TokenCache kept in memory: a restart's stored token
// without any store's own behaviour, to show what the client does with it.
type memoryTokenCache struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	loads int
	saves int
}

func (c *memoryTokenCache) LoadToken() (*oauth2.Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loads++
	if c.tok == nil {
		return nil, nil
	}
	t := *c.tok
	return &t, nil
}

func (c *memoryTokenCache) SaveToken(t *oauth2.Token) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saves++
	saved := *t
	c.tok = &saved
	return nil
}

func startBenchDemo(b *testing.B) *demo.Server {
	b.Helper()
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newBenchClient is a client as the app builds it: default timeout and transport, a
// logger at Info level (lookups log at Debug, so nothing is written).
func newBenchClient(b *testing.B, srv *demo.Server, cache service.TokenCache) *service.Client {
	b.Helper()
	cfg := srv.Config()
	cfg.TokenCache = cache
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := service.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func lookupOnce(b *testing.B, c *service.Client) {
	m, err := c.LookupMember(context.Background(), demo.ShopID, benchMobile)
	if err != nil || m.ID == "" {
		b.Fatalf("lookup: %v (member %q)", err, m.ID)
	}
}

// BenchmarkRoundTrips counts requests, not time (P1). Run it with -benchtime 1000x:
//
//	warm          one lookup fetches the token, then b.N lookups follow; reports member
//	              requests per lookup (over the b.N) and token requests in all
//	stored        a second client starts with a TokenCache holding the first client's
//	              still-valid token (a restart with a stored token); reports token
//	              requests at start (after its first lookup) and in all
//	stored-file   the same with the app's on-disk store (settings.NewFileStore, the
//	              fallback when no OS keyring answers) bound by settings.TokenCacheFor
func BenchmarkRoundTrips(b *testing.B) {
	b.Run("token=warm", func(b *testing.B) {
		srv := startBenchDemo(b)
		c := newBenchClient(b, srv, nil)
		lookupOnce(b, c) // fetches the token
		before := srv.Stats()
		for b.Loop() {
			lookupOnce(b, c)
		}
		after := srv.Stats()
		b.ReportMetric(float64(after.MemberRequests-before.MemberRequests)/float64(b.N), "member-reqs/lookup")
		b.ReportMetric(float64(after.TokenRequests), "server-token-reqs")
		b.ReportMetric(float64(c.TokenRequests()), "client-token-reqs")
	})
	b.Run("token=stored", func(b *testing.B) {
		srv := startBenchDemo(b)
		cache := &memoryTokenCache{}
		first := newBenchClient(b, srv, cache) // the previous run, which stored its token
		lookupOnce(b, first)
		if cache.saves != 1 {
			b.Fatalf("the previous run saved %d tokens, want 1", cache.saves)
		}
		benchRestart(b, srv, cache)
	})
	b.Run("token=stored-file", func(b *testing.B) {
		// The app's own store when no OS keyring answers (settings.NewFileStore, the
		// 0600 file), bound to the connection settings as cli.ParseDesk binds it.
		srv := startBenchDemo(b)
		dir := b.TempDir()
		cfg := srv.Config()
		first := newBenchClient(b, srv, settings.TokenCacheFor(settings.NewFileStore(dir), cfg))
		lookupOnce(b, first)
		// The restart: a new store over the same directory, a new client.
		benchRestart(b, srv, settings.TokenCacheFor(settings.NewFileStore(dir), cfg))
	})
}

// benchRestart is a restart with cache holding the previous run's token: a new client
// makes one lookup (token requests at start), then b.N more.
func benchRestart(b *testing.B, srv *demo.Server, cache service.TokenCache) {
	start := srv.Stats()
	c := newBenchClient(b, srv, cache)
	lookupOnce(b, c)
	atStart := srv.Stats()
	clientAtStart := c.TokenRequests()
	for b.Loop() {
		lookupOnce(b, c)
	}
	after := srv.Stats()
	b.ReportMetric(float64(atStart.TokenRequests-start.TokenRequests), "server-token-reqs-at-start")
	b.ReportMetric(float64(clientAtStart), "client-token-reqs-at-start")
	b.ReportMetric(float64(c.TokenRequests()), "client-token-reqs")
	b.ReportMetric(float64(after.MemberRequests-atStart.MemberRequests)/float64(b.N), "member-reqs/lookup")
}

// reportCPU adds cpu-ns/op: the process's CPU time (client and in-process server,
// all threads) per operation since start. Unlike ns/op it does not grow when other
// processes take the cores, so the client/bare ratio of it is the steadier one on a
// shared machine.
func reportCPU(b *testing.B, start time.Duration) {
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// bareResponse is the documented wire shape of GET /v1/user/ocard, as the shortest
// client would decode it. Point fields are `any` because the API sends numbers and
// numeric strings (DOMAIN.md); the rest are the documented strings.
type bareResponse struct {
	Member *struct {
		HeadImage *string `json:"head_image"`
		ID        *string `json:"id"`
		Name      *string `json:"name"`
		Mobile    *string `json:"mobile"`
		GroupID   *string `json:"group_id"`
		GroupName *string `json:"group_name"`
		Carrier   *string `json:"carrier"`
	} `json:"member"`
	PointCard *struct {
		Point              any    `json:"point"`
		Spend              any    `json:"spend"`
		Convert            any    `json:"convert"`
		AvailableGiftCount any    `json:"available_gift_count"`
		Title              string `json:"title"`
		Content            string `json:"content"`
		Expire             []struct {
			Date  string `json:"date"`
			Point any    `json:"point"`
		} `json:"expire"`
	} `json:"point_card"`
}

// BenchmarkLookupOverhead is P2: impl=client is Client.LookupMember (normalising,
// token source, per-attempt timeout, redactor, capped read, tolerant decode);
// impl=bare is a net/http GET with the same headers on a clone of the default
// transport, io.ReadAll and json.Unmarshal of the same response. Both run against the
// same demo server in one process; compare with `benchstat -col /impl`.
func BenchmarkLookupOverhead(b *testing.B) {
	srv := startBenchDemo(b)
	c := newBenchClient(b, srv, nil)
	lookupOnce(b, c)

	// The bare client needs a token too; fetching it is not part of either figure.
	resp, err := http.PostForm(srv.TokenURL(), url.Values{"grant_type": {"client_credentials"},
		"client_id": {demo.ClientID}, "client_secret": {demo.ClientSecret}, "scope": {"api"}})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		b.Fatalf("token: %v", err)
	}
	u := srv.BaseURL() + "/v1/user/ocard?" + url.Values{"shop_id": {demo.ShopID}, "mobile": {benchMobile}}.Encode()
	bare := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	bareOnce := func(b *testing.B) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Accept", "application/json")
		resp, err := bare.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("GET: %d %v", resp.StatusCode, err)
		}
		var r bareResponse
		if err := json.Unmarshal(body, &r); err != nil || r.Member == nil || r.Member.ID == nil {
			b.Fatalf("unmarshal: %v", err)
		}
	}
	bareOnce(b)

	b.Run("impl=client", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			lookupOnce(b, c)
		}
		reportCPU(b, cpu)
	})
	b.Run("impl=bare", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			bareOnce(b)
		}
		reportCPU(b, cpu)
	})
}
