package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// The child process of TestKillJournalAtEveryStep reads these.
const (
	envKillDir  = "OCARD_JOURNAL_KILL_DIR"
	envKillURL  = "OCARD_JOURNAL_KILL_URL"
	envKillStep = "OCARD_JOURNAL_KILL_STEP" // a step of killSteps, or "random"
)

// killReq is the redemption the kill tests make for an order id: the parent
// rebuilds it from the id alone for the cashier's retry, and the tenant checks
// every POST against it (a reused id would show as another body).
func killReq(orderID string) Order {
	n, _ := strconv.Atoi(orderID[max(0, len(orderID)-5):])
	return Order{RedeemRequest: service.RedeemRequest{ShopID: "000030", OrderID: orderID, Mobile: testMobile, Points: int64(1 + n%97)}}
}

// TestKillChild is the child side of TestKillJournalAtEveryStep: a desk that
// opens the journal and redeems through a real client, printing a marker line
// ("<step> <order id>") at every step ("n" as it asks for the next order id). With a step given it stops there and
// waits to be killed (tearing the line first for b and f); with "random" it
// redeems one order after another until it is killed. Run alone it does nothing.
func TestKillChild(t *testing.T) {
	dir, base, step := os.Getenv(envKillDir), os.Getenv(envKillURL), os.Getenv(envKillStep)
	if dir == "" {
		t.Skip("child of TestKillJournalAtEveryStep only")
	}
	// The parent holds stdin open; when it is gone, so is this process.
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); os.Exit(3) }()
	say := func(step, orderID string) { fmt.Fprintf(os.Stdout, "%s %s\n", step, orderID) }
	wait := func() { <-make(chan struct{}) } // until SIGKILL (or the parent's end)

	j, _, _, err := Open(dir)
	if err != nil {
		say("open-failed", "-")
		t.Fatal(err)
	}
	j.onWrite = func(e Entry, line []byte, written bool) {
		var at string
		switch {
		case e.State == Pending && !written:
			at = "b"
		case e.State == Pending:
			at = "c"
		case !written:
			at = "e"
		default:
			at = "g"
		}
		if step == "random" {
			say(at, e.OrderID)
			return
		}
		if at == "b" && step == "b" || at == "e" && step == "f" {
			at = step
			// What a write cut short leaves: part of the line (at least one byte
			// of its JSON, should it start with a newline), no newline at the end.
			j.f.Write(line[:len(line)-2-rand.IntN(len(line)-3)])
			j.f.Sync()
		}
		say(at, e.OrderID)
		if at == step {
			wait()
		}
	}
	c, err := service.NewClient(service.Config{BaseURL: base, TokenURL: base + "/oauth/v1/token",
		ClientID: "id", ClientSecret: "secret", Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRedeemer(j, c)
	say("ready", "-")
	for {
		// As the window does: the id is taken when the confirmation opens.
		say("n", "-")
		id, err := r.NewOrderID("000030")
		if err != nil {
			say("order-id-failed", "-")
			t.Fatal(err)
		}
		say("a", id)
		if step == "a" {
			wait()
		}
		res, err := r.Redeem(context.Background(), killReq(id))
		if err != nil || res.State != Done || res.JournalErr != nil {
			say("not-done", id)
			t.Fatalf("order %s: %+v %v", id, res, err)
		}
		if step != "random" {
			t.Fatalf("order %s went through step %s without stopping", id, step)
		}
	}
}

// How the kill tests' tenant answers a redemption.
const (
	answerAfterJitter = iota // charge, then answer 204 after 0-2 ms
	holdBeforeCharge         // announce the POST and never answer; nothing charged
	chargeThenHold           // charge, announce, never answer
)

// killTenant is a token endpoint and a redeem endpoint that charges every POST
// it accepts (the worst tenant: a repeated order id is charged again) and counts
// POSTs and charges per order id. Two listeners share it: the child's (whose
// connections the parent waits to see closed) and the parent's own.
type killTenant struct {
	t             *testing.T
	child, parent *httptest.Server

	mu      sync.Mutex
	mode    int
	held    chan string // the order id of a POST being held
	posts   map[string]int
	charges map[string]int
	conns   int // the child listener's open connections
	states  map[net.Conn]http.ConnState
	changed chan struct{} // closed and replaced whenever a connection's state changes
	release chan struct{} // closed (and replaced) once the child is dead: held POSTs end
}

func newKillTenant(t *testing.T) *killTenant {
	k := &killTenant{t: t, held: make(chan string, 1), posts: map[string]int{}, charges: map[string]int{},
		changed: make(chan struct{}), release: make(chan struct{}), states: map[net.Conn]http.ConnState{}}
	k.child = httptest.NewUnstartedServer(http.HandlerFunc(k.serve))
	k.child.Config.ConnState = k.connState
	k.child.Start()
	k.parent = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(func() { k.child.Close(); k.parent.Close() })
	return k
}

func (k *killTenant) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/oauth/v1/token":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"T1","expires_in":2592000,"token_type":"Bearer"}`)
		return
	case "/v1/ticket/redeem-ocard-member-tickets-points":
	default:
		http.NotFound(w, r)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var in struct {
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal(b, &in)
	want, _ := killReq(in.OrderID).Body()
	if len(in.OrderID) != 28 || !bytes.Equal(b, want) || r.Header.Get("Authorization") != "Bearer T1" {
		// The body holds the full number: only the order id is logged.
		k.t.Errorf("tenant: POST for order %q is not the request made for it", in.OrderID)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	k.mu.Lock()
	k.posts[in.OrderID]++
	mode, release := k.mode, k.release
	if mode != holdBeforeCharge {
		k.charges[in.OrderID]++
	}
	k.mu.Unlock()
	switch mode {
	case holdBeforeCharge, chargeThenHold:
		k.held <- in.OrderID
		select {
		case <-r.Context().Done(): // the child is killed; its connection closes
		case <-release: // or the parent has seen it die (Wine may keep the socket open)
		}
		return
	}
	select {
	case <-time.After(time.Duration(rand.IntN(2000)) * time.Microsecond):
	case <-r.Context().Done():
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (k *killTenant) connState(c net.Conn, s http.ConnState) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch s {
	case http.StateNew:
		k.conns++
		k.states[c] = s
	case http.StateClosed, http.StateHijacked:
		k.conns--
		delete(k.states, c)
	default:
		k.states[c] = s
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

// releaseHeld ends the POSTs held for the child that was just killed.
func (k *killTenant) releaseHeld() {
	k.mu.Lock()
	defer k.mu.Unlock()
	close(k.release)
	k.release = make(chan struct{})
}

// quiet waits until every connection of the killed child is closed, so every
// request it got out has been read and charged (a handler returns before its
// connection is reported closed): only then is the server's record final.
//
// Under Wine a killed child's connection can stay open for good (the wineserver, not
// the killed process, holds a socket; seen after the held POSTs of steps d1/d2, and
// once after a random kill). So once lingerWait has passed, a connection that is open
// but not in a request is closed from this side: the dead child can send nothing more,
// and what it sent before has long been read (unread bytes put a connection in a
// request at once). closedHere is how many were closed so; on Linux none ever is.
func (k *killTenant) quiet(lingerWait, timeout time.Duration) (ok bool, closedHere int) {
	linger, deadline := time.After(lingerWait), time.After(timeout)
	for {
		k.mu.Lock()
		n, ch := k.conns, k.changed
		k.mu.Unlock()
		if n == 0 {
			return true, closedHere
		}
		select {
		case <-ch:
		case <-linger:
			k.mu.Lock()
			for c, s := range k.states {
				if s == http.StateIdle || s == http.StateNew {
					c.Close() // the server's read ends and reports it closed
					closedHere++
				}
			}
			k.mu.Unlock()
			linger = time.After(lingerWait) // one in a request may go idle later
		case <-deadline:
			return false, closedHere
		}
	}
}

func (k *killTenant) setMode(m int) {
	k.mu.Lock()
	k.mode = m
	k.mu.Unlock()
}

// record returns copies of the POSTs and charges per order id.
func (k *killTenant) record() (posts, charges map[string]int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	posts, charges = map[string]int{}, map[string]int{}
	for id, n := range k.posts {
		posts[id] = n
	}
	for id, n := range k.charges {
		charges[id] = n
	}
	return posts, charges
}
