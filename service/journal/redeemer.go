package journal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// Sender sends one redemption; *service.Client is one.
type Sender interface {
	Redeem(ctx context.Context, r service.RedeemRequest) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, r service.RedeemRequest) error

// Redeem calls f.
func (f SenderFunc) Redeem(ctx context.Context, r service.RedeemRequest) error { return f(ctx, r) }

// ErrOrderReused is returned when an order id already in the journal is used for
// a different redemption (another member, amount or coupon); nothing is sent.
var ErrOrderReused = errors.New("this order id was used for a different redemption")

// Result is what became of one call to Redeemer.Redeem.
type Result struct {
	OrderID string
	// State is Done, Failed or Unknown (never Pending).
	State State
	// Err is the service's error for Failed and Unknown (errors.Is with
	// service.ErrOutcomeUnknown, service.ErrRejected, …), nil for Done.
	Err error
	// Replayed is true when the journal already said Done and nothing was sent.
	Replayed bool
	// JournalErr is set when the outcome could not be written after the send: the
	// journal then still says pending, which the next start shows as unknown.
	JournalErr error
	Unwritten  *Entry
}

// Redeemer sends redemptions through a Sender with the journal's guarantees:
// each is journaled pending (fsynced) before it is sent and again with its outcome;
// a journal that cannot be written stops it before anything is sent; concurrent
// calls for one order id share one send; an order the journal has as Done is not
// sent again. A retry after Unknown or Failed is the caller's explicit choice:
// call Redeem again with the same OrderID and the same request.
type Redeemer struct {
	j *Journal
	s Sender

	mu      sync.Mutex
	flights map[string]*flight
	// joined, when set (tests), is called as a call joins a send in progress;
	// locking as a call is about to take the send lock.
	joined, locking func()
}

type flight struct {
	done chan struct{}
	res  Result
	err  error
}

// NewRedeemer returns a Redeemer over j and s.
func NewRedeemer(j *Journal, s Sender) *Redeemer {
	return &Redeemer{j: j, s: s, flights: map[string]*flight{}}
}

// NewOrderID hands out a new order id for shopID (see Journal.NextOrderID). The
// window takes one when the cashier opens a redemption and keeps it for retries.
func (r *Redeemer) NewOrderID(shopID string) (string, error) { return r.j.NextOrderID(shopID) }

// Redeem sends req once, journaled. An empty req.OrderID gets a new one. The
// error is for what stopped the redemption before anything was sent (invalid
// input, ErrJournal, ErrOrderReused, canceled while waiting); once sent, the
// outcome is in the Result.
func (r *Redeemer) Redeem(ctx context.Context, o Order) (Result, error) {
	req := o.RedeemRequest
	check := req
	if check.OrderID == "" {
		check.OrderID = "X" // checked before an id is spent on it
	}
	if _, err := check.Body(); err != nil {
		return Result{OrderID: req.OrderID}, err
	}
	if req.OrderID == "" {
		id, err := r.j.NextOrderID(req.ShopID)
		if err != nil {
			return Result{}, err
		}
		req.OrderID = id
	}
	r.mu.Lock()
	if f, ok := r.flights[req.OrderID]; ok {
		// A second confirm while the first is under way: its answer, not a second POST.
		r.mu.Unlock()
		if r.joined != nil {
			r.joined()
		}
		select {
		case <-f.done:
			return f.res, f.err
		case <-ctx.Done():
			return Result{OrderID: req.OrderID}, fmt.Errorf("redeem: waiting for order %s: %w", req.OrderID, ctx.Err())
		}
	}
	f := &flight{done: make(chan struct{})}
	r.flights[req.OrderID] = f
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.flights, req.OrderID)
		r.mu.Unlock()
		close(f.done)
	}()
	f.res, f.err = r.redeem(ctx, req)
	return f.res, f.err
}

func (r *Redeemer) redeem(ctx context.Context, req service.RedeemRequest) (Result, error) {
	res := Result{OrderID: req.OrderID}
	// One redemption at a time on this computer, across processes (the window and
	// the command line): a pending entry seen under this lock was left by a process
	// that died (the kernel drops a dead holder's lock), never by one still waiting
	// for its answer, so treating it as a retry cannot send an order twice at once.
	if r.locking != nil {
		r.locking()
	}
	unlock, err := r.j.lockSends()
	if err != nil {
		return res, err
	}
	defer unlock()
	entry := r.entry(req)
	prev, err := r.previous(req.OrderID)
	if err != nil {
		return res, err
	}
	if prev != nil {
		if !sameRedemption(*prev, entry) {
			return res, fmt.Errorf("redeem: order %s: %w", req.OrderID, ErrOrderReused)
		}
		if prev.State == Done {
			res.State, res.Replayed = Done, true
			return res, nil
		}
	}
	entry.State = Pending
	if err := r.j.Append(entry); err != nil {
		return res, err // nothing sent
	}
	sendErr := r.s.Redeem(ctx, req)
	entry.State, entry.Message = outcome(sendErr)
	entry.Time = r.j.now().UTC()
	res.State, res.Err = entry.State, sendErr
	res.JournalErr = r.j.Append(entry)
	return res, nil
}

// entry is req as the journal records it, without its state.
func (r *Redeemer) entry(req service.RedeemRequest) Entry {
	var tickets []string
	for _, t := range req.TicketIDs {
		tickets = append(tickets, strings.TrimSpace(t))
	}
	return Entry{OrderID: req.OrderID, ShopID: strings.TrimSpace(req.ShopID),
		Mobile: service.MaskMobile(req.Mobile), MobileKey: r.j.MobileKey(req.Mobile),
		Points: req.Points, TicketIDs: tickets}
}

// previous returns the journal's last entry for orderID, or nil. It reads the
// file, not a cache, because another process may have written it.
func (r *Redeemer) previous(orderID string) (*Entry, error) {
	entries, _, err := r.j.Entries(timeZero)
	if err != nil {
		return nil, fmt.Errorf("redeem: %w: %w", ErrJournal, err)
	}
	var last *Entry
	for i := range entries {
		if entries[i].OrderID == orderID {
			last = &entries[i]
		}
	}
	return last, nil
}

func sameRedemption(a, b Entry) bool {
	return a.ShopID == b.ShopID && a.MobileKey == b.MobileKey && a.Points == b.Points &&
		slices.Equal(a.TicketIDs, b.TicketIDs)
}

// outcome maps the service's answer to a journal state and message. Only an
// answer that proves nothing was charged is Failed; everything else after the
// send began is Unknown.
func outcome(err error) (State, string) {
	var se *service.Error
	switch {
	case err == nil:
		return Done, ""
	case errors.Is(err, service.ErrOutcomeUnknown):
		return Unknown, err.Error()
	case errors.As(err, &se) && se.APIMessage != "":
		return Failed, se.APIMessage
	case errors.As(err, &se):
		return Failed, err.Error()
	}
	// A plain error is a cancellation before the send (the service's contract).
	return Failed, "not sent: " + err.Error()
}

var timeZero time.Time
