package journal

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// unknownThen answers the first send as unknown and every later one with later.
type unknownThen struct {
	sends int
	later error
}

func (s *unknownThen) Redeem(context.Context, service.RedeemRequest) error {
	s.sends++
	if s.sends == 1 {
		return &service.Error{Kind: service.KindOutcomeUnknown, Op: "redeem"}
	}
	return s.later
}

// Issue 21 point 3: once sent with an unknown outcome, a retry refused with a 4xx
// ("order id already used") proves nothing about the first send: it stays
// unknown, with the server's message; only a 2xx makes it done. (Failed before:
// the retry's answer was taken as the outcome.)
func TestRetryOfAnUnknownOrderRefusedStaysUnknown(t *testing.T) {
	j := openTest(t, t.TempDir())
	refused := &service.Error{Kind: service.KindRejected, Op: "redeem", StatusCode: 400, APIMessage: "order id already used"}
	s := &unknownThen{later: refused}
	r := NewRedeemer(j, s)
	first, err := r.Redeem(context.Background(), pointsReq("", 5))
	if err != nil || first.State != Unknown {
		t.Fatalf("first: %+v %v", first, err)
	}
	retry, err := r.Redeem(context.Background(), pointsReq(first.OrderID, 5))
	if err != nil || retry.State != Unknown || !errors.Is(retry.Err, service.ErrRejected) {
		t.Fatalf("retry refused: %+v %v, want unknown with the server's error", retry, err)
	}
	entries, _, _ := j.Entries(time.Time{})
	last := entries[len(entries)-1]
	if last.State != Unknown || last.Message != "order id already used" || last.What != "5 points" {
		t.Errorf("journaled %+v", last)
	}
	if u, _ := j.Unresolved(); len(u) != 1 || u[0].OrderID != first.OrderID {
		t.Errorf("unresolved %+v", u)
	}
	s.later = nil
	if done, err := r.Redeem(context.Background(), pointsReq(first.OrderID, 5)); err != nil || done.State != Done {
		t.Errorf("retry answered 204: %+v %v", done, err)
	}
}

// A pending line left by a dead process is as sticky as unknown.
func TestRetryOfAnOrderLeftPendingRefusedStaysUnknown(t *testing.T) {
	j := openTest(t, t.TempDir())
	r := NewRedeemer(j, &countingSender{err: &service.Error{Kind: service.KindRejected, Op: "redeem", StatusCode: 400, APIMessage: "dup"}})
	e := r.entry(pointsReq("000030261204111", 5))
	e.State = Pending
	j.Append(e)
	if res, err := r.Redeem(context.Background(), pointsReq("000030261204111", 5)); err != nil || res.State != Unknown {
		t.Errorf("retry of a pending order refused: %+v %v", res, err)
	}
}

// Issue 21 point 2: a new redemption exactly like an unresolved one is held
// (nothing sent, the order named); a different amount goes ahead; once the
// first is resolved, the same one goes ahead too. (Before: a second order was sent.)
func TestTwinOfAnUnresolvedOrderIsHeld(t *testing.T) {
	j := openTest(t, t.TempDir())
	s := &unknownThen{}
	r := NewRedeemer(j, s)
	first, _ := r.Redeem(context.Background(), pointsReq("", 5))
	res, err := r.Redeem(context.Background(), pointsReq("", 5))
	var twin *TwinError
	if !errors.Is(err, ErrUnresolvedTwin) || !errors.As(err, &twin) || twin.Order.OrderID != first.OrderID ||
		!strings.Contains(err.Error(), first.OrderID) || s.sends != 1 || res.OrderID != "" {
		t.Fatalf("twin: %+v %v (%d sends)", res, err, s.sends)
	}
	other := pointsReq("", 5)
	other.TicketIDs = []string{"c1"}
	if res, err := r.Redeem(context.Background(), other); err != nil || res.State != Done {
		t.Errorf("another coupon: %+v %v", res, err)
	}
	if res, err := r.Redeem(context.Background(), pointsReq("", 6)); err != nil || res.State != Done || s.sends != 3 {
		t.Errorf("another amount: %+v %v", res, err)
	}
	if _, err := j.Resolve(first.OrderID, ResolutionNotCharged); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Redeem(context.Background(), pointsReq("", 5)); err != nil || res.State != Done || res.OrderID == first.OrderID {
		t.Errorf("after resolving: %+v %v", res, err)
	}
}

// Resolve writes a line of its own; the order leaves Unresolved and is never sent again.
func TestResolveRecordsALineAndSettlesTheOrder(t *testing.T) {
	j := openTest(t, t.TempDir())
	s := &unknownThen{}
	r := NewRedeemer(j, s)
	o := pointsReq("", 5)
	o.What = "Latte"
	first, _ := r.Redeem(context.Background(), o)
	before, _, _ := j.Entries(time.Time{})
	if u, err := j.Unresolved(); err != nil || len(u) != 1 || u[0].What != "Latte" {
		t.Fatalf("unresolved %+v %v", u, err)
	}
	e, err := j.Resolve(first.OrderID, ResolutionCharged)
	if err != nil || e.State != Resolved || e.Resolution != ResolutionCharged || e.What != "Latte" || e.Mobile != "0903***908" ||
		e.MobileKey != j.MobileKey(testMobile) || e.Points != 5 {
		t.Fatalf("resolve: %+v %v", e, err)
	}
	after, _, _ := j.Entries(time.Time{})
	if len(after) != len(before)+1 || !reflect.DeepEqual(after[:len(before)], before) {
		t.Errorf("resolve rewrote the journal: %+v", after)
	}
	if u, _ := j.Unresolved(); len(u) != 0 {
		t.Errorf("still unresolved: %+v", u)
	}
	if _, err := j.Resolve(first.OrderID, ResolutionNotCharged); !errors.Is(err, ErrNotUnresolved) {
		t.Errorf("resolved twice: %v", err)
	}
	if _, err := j.Resolve("nope", ResolutionCharged); !errors.Is(err, ErrNoSuchOrder) {
		t.Errorf("no such order: %v", err)
	}
	if _, err := j.Resolve(first.OrderID, "maybe"); err == nil {
		t.Error("a resolution of neither kind accepted")
	}
	if _, err := r.Redeem(context.Background(), pointsReq(first.OrderID, 5)); !errors.Is(err, ErrOrderSettled) || s.sends != 1 {
		t.Errorf("retry of a resolved order: %v (%d sends)", err, s.sends)
	}
	done, _ := NewRedeemer(j, &countingSender{}).Redeem(context.Background(), pointsReq("", 7))
	if _, err := j.Resolve(done.OrderID, ResolutionCharged); !errors.Is(err, ErrNotUnresolved) {
		t.Errorf("resolving a done order: %v", err)
	}
}

// Unresolved lists every day's pending and unknown orders, not only today's.
func TestUnresolvedListsEveryDay(t *testing.T) {
	j := openTest(t, t.TempDir())
	old := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	j.Append(Entry{Time: old, OrderID: "A", State: Pending, ShopID: "000030", What: "Tea"})
	j.Append(Entry{Time: old, OrderID: "B", State: Pending, ShopID: "000030"})
	j.Append(Entry{Time: old, OrderID: "B", State: Done, ShopID: "000030"})
	j.Append(Entry{Time: old.Add(time.Hour), OrderID: "C", State: Pending, ShopID: "000030"})
	j.Append(Entry{Time: old.Add(time.Hour), OrderID: "C", State: Unknown, ShopID: "000030", Message: "timeout"})
	u, err := j.Unresolved()
	if err != nil || len(u) != 2 || u[0].OrderID != "A" || u[0].What != "Tea" || u[1].OrderID != "C" || u[1].State != Unknown {
		t.Errorf("unresolved %+v %v", u, err)
	}
}

// Issue 21 point 4: a desk set up from a copy of another's folder (cp -r) makes
// other order ids. (Before: both made …00001, …00002 with the same desk digits.)
func TestCopiedJournalFolderMakesOtherOrderIDs(t *testing.T) {
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/v1/token" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"T","expires_in":3600,"token_type":"Bearer"}`))
			return
		}
		var body struct {
			OrderID string `json:"order_id"`
		}
		decodeJSON(r, &body)
		seen[body.OrderID]++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := service.NewClient(service.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/oauth/v1/token", ClientID: "id", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	a := t.TempDir()
	ja := openTest(t, a)
	NewRedeemer(ja, c).Redeem(context.Background(), pointsReq("", 1))
	b := filepath.Join(t.TempDir(), "desk-b")
	if err := os.CopyFS(b, os.DirFS(a)); err != nil {
		t.Fatal(err)
	}
	jb := openTest(t, b)
	for i := range 5 {
		for _, j := range []*Journal{ja, jb} {
			if res, err := NewRedeemer(j, c).Redeem(context.Background(), pointsReq("", int64(2+i))); err != nil || res.State != Done {
				t.Fatalf("%+v %v", res, err)
			}
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("order id %s sent %d times by two desks", id, n)
		}
	}
	if len(seen) != 11 {
		t.Errorf("%d distinct ids, want 11", len(seen))
	}
}
