package service

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// replayAPI answers the first redeem POST 204 and drops the connection of every
// later one after reading its body, recording what it saw.
type replayAPI struct {
	mu     sync.Mutex
	posts  int
	remote []string
	protos []int
}

func (a *replayAPI) serve(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if r.Header.Get("Idempotency-Key") != "" || r.Header.Get("X-Idempotency-Key") != "" {
			t.Error("the redeem carries an idempotency key: Go's transport may replay it")
		}
		a.mu.Lock()
		a.posts++
		n := a.posts
		a.remote = append(a.remote, r.RemoteAddr)
		a.protos = append(a.protos, r.ProtoMajor)
		a.mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack() // the body was read: then the line goes dead
		if err == nil {
			conn.Close()
		}
	}
}

// seen is what the server recorded, read under its lock.
func (a *replayAPI) seen() (int, []string, []int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.posts, a.remote, a.protos
}

func replayOrder(id string) RedeemRequest {
	return RedeemRequest{ShopID: "000030", OrderID: id, Mobile: "0903515908", Points: 10}
}

// Issue 21 point 15: a server that reads the redeem's body and drops a keep-alive
// connection an earlier request used sees one POST, and the client says unknown.
// Go's HTTP/1.1 transport retries a failed request on a reused connection only
// when it is idempotent or nothing of it was written.
func TestRedeemPOSTIsNotReplayedOnAReusedConnection(t *testing.T) {
	a := &replayAPI{}
	srv := httptest.NewServer(a.serve(t))
	defer srv.Close()
	c := newTenant(t, nil, nil).client(t, func(cfg *Config) { cfg.BaseURL = srv.URL; cfg.Timeout = 2 * time.Second })
	if err := c.Redeem(context.Background(), replayOrder("A1")); err != nil {
		t.Fatal(err)
	}
	err := c.Redeem(context.Background(), replayOrder("A2"))
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("dropped after the body: %v, want unknown", err)
	}
	if posts, remote, _ := a.seen(); posts != 2 || remote[0] != remote[1] {
		t.Fatalf("%d POSTs from %v: want 2 on one reused connection", posts, remote)
	}
}

// The same over TLS with a server that offers HTTP/2: the redeem still goes out
// as HTTP/1.1 (http1Only), so the HTTP/2 transport's own retries never apply;
// one POST, unknown. (Before http1Only the redeem went out as HTTP/2.)
func TestRedeemNeverSpeaksHTTP2(t *testing.T) {
	a := &replayAPI{}
	srv := httptest.NewUnstartedServer(a.serve(t))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := newTenant(t, nil, nil).client(t, func(cfg *Config) {
		cfg.BaseURL, cfg.Timeout, cfg.Transport = srv.URL, 2*time.Second, srv.Client().Transport
	})
	if err := c.Redeem(context.Background(), replayOrder("B1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Redeem(context.Background(), replayOrder("B2")); !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("dropped after the body: %v, want unknown", err)
	}
	if posts, remote, protos := a.seen(); posts != 2 || protos[0] != 1 || protos[1] != 1 || remote[0] != remote[1] {
		t.Fatalf("%d POSTs, HTTP/%v from %v: want 2, HTTP/1.1, one connection", posts, protos, remote)
	}
}
