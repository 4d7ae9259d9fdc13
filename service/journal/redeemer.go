package journal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

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

// ErrOrderSettled is returned for a retry of an order a person resolved: they
// decided whether it was charged, so nothing is sent under its id again.
var ErrOrderSettled = errors.New("this order was resolved by a person; nothing is sent for it again")

// ErrUnresolvedTwin matches a *TwinError (errors.Is).
var ErrUnresolvedTwin = errors.New("the same redemption is already unresolved")

// TwinError: a new redemption (no order id) asks exactly what an unresolved order
// holds (shop, member, points, coupons). Nothing is sent: if that order was
// charged, a new one would charge the member twice. The way out is to retry
// Order's id or to resolve it.
type TwinError struct{ Order Entry }

func (e *TwinError) Error() string {
	return fmt.Sprintf("redeem: order %s (%s, %s) asked the same and its outcome is unresolved: retry that order id or resolve it first",
		e.Order.OrderID, e.Order.Mobile, whatOf(e.Order))
}

// Is makes errors.Is(err, ErrUnresolvedTwin) true.
func (e *TwinError) Is(target error) bool { return target == ErrUnresolvedTwin }

// Order is what the cashier asked for: the request, and what it is for people.
type Order struct {
	service.RedeemRequest
	// What is the gift's or coupon's title, or "N points"; journaled as it is.
	What string
}

// Result is what became of one call to Redeemer.Redeem.
type Result struct {
	OrderID string
	// State is Done, Failed or Unknown (never Pending).
	State State
	// Err is the service's error for Failed and Unknown (errors.Is with
	// service.ErrOutcomeUnknown, service.ErrRejected, …), nil for Done. For a
	// retry kept Unknown, it is the retry's answer (a 4xx with its message).
	Err error
	// Replayed is true when the journal already said Done and nothing was sent.
	Replayed bool
	// JournalErr is set when the outcome could not be written after the send: the
	// journal then still says pending, which the next start shows as unknown.
	JournalErr error
	// Unwritten is the outcome line JournalErr kept from the journal; the window
	// appends it again (Journal.Append) before it allows the next confirm.
	Unwritten *Entry
}

// Redeemer sends redemptions through a Sender with the journal's guarantees:
// each is journaled pending (fsynced) before it is sent and again with its outcome;
// a journal that cannot be written stops it before anything is sent; concurrent
// calls for one order id share one send; an order the journal has as Done is not
// sent again; a new order that twins an unresolved one is held (TwinError); an
// order once unknown stays unknown until a 2xx. A retry after Unknown or Failed is
// the caller's explicit choice: call Redeem again with the same OrderID.
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

// NewOrderID hands out a new order id for shopID (see Journal.NextOrderID).
func (r *Redeemer) NewOrderID(shopID string) (string, error) { return r.j.NextOrderID(shopID) }

// Redeem sends o once, journaled. An empty OrderID makes a new order, unless it
// twins an unresolved one (ErrUnresolvedTwin, nothing sent). The error is for what
// stopped the redemption before anything was sent (invalid input, ErrJournal,
// ErrOrderReused, ErrOrderSettled, a twin, canceled while waiting); once sent, the
// outcome is in the Result.
func (r *Redeemer) Redeem(ctx context.Context, o Order) (Result, error) {
	check := o.RedeemRequest
	if check.OrderID == "" {
		check.OrderID = "X" // checked before an id is made for it
	}
	if _, err := check.Body(); err != nil {
		return Result{OrderID: o.OrderID}, err
	}
	if o.OrderID == "" {
		return r.redeem(ctx, o)
	}
	r.mu.Lock()
	if f, ok := r.flights[o.OrderID]; ok {
		// A second confirm while the first is under way: its answer, not a second POST.
		r.mu.Unlock()
		if r.joined != nil {
			r.joined()
		}
		select {
		case <-f.done:
			return f.res, f.err
		case <-ctx.Done():
			return Result{OrderID: o.OrderID}, fmt.Errorf("redeem: waiting for order %s: %w", o.OrderID, ctx.Err())
		}
	}
	f := &flight{done: make(chan struct{})}
	r.flights[o.OrderID] = f
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.flights, o.OrderID)
		r.mu.Unlock()
		close(f.done)
	}()
	f.res, f.err = r.redeem(ctx, o)
	return f.res, f.err
}

func (r *Redeemer) redeem(ctx context.Context, o Order) (Result, error) {
	req := o.RedeemRequest
	res := Result{OrderID: req.OrderID}
	// One redemption at a time on this computer, across processes (the window and
	// the command line): a pending entry seen under this lock was left by a process
	// that died (the kernel drops a dead holder's lock), never by one still waiting
	// for its answer, so treating it as a retry cannot send an order twice at once;
	// and two processes agree on which order a twin is.
	if r.locking != nil {
		r.locking()
	}
	unlock, err := r.j.lockSends(ctx)
	if err != nil {
		return res, err
	}
	defer unlock()
	lines, err := r.j.activeLines() // never the archives: a confirm stays cheap
	if err != nil {
		return res, err
	}
	entries := entriesOf(lines)
	entry := r.entry(o)
	sticky := false
	if req.OrderID == "" {
		used := make(map[string]bool, len(entries))
		for _, e := range entries {
			used[e.OrderID] = true
		}
		for _, u := range unresolvedOf(entries) {
			if sameRedemption(u, entry) {
				return res, &TwinError{Order: u}
			}
		}
		if req.OrderID, err = newOrderID(req.ShopID, r.j.now(), used); err != nil {
			return res, err
		}
		res.OrderID, entry.OrderID = req.OrderID, req.OrderID
	} else if prev, err := r.previous(entries, req); err != nil {
		return res, err
	} else if prev != nil {
		switch {
		case !sameRedemption(*prev, entry):
			return res, fmt.Errorf("redeem: order %s: %w", req.OrderID, ErrOrderReused)
		case prev.State == Done:
			res.State, res.Replayed = Done, true
			return res, nil
		case prev.State == Resolved:
			return res, fmt.Errorf("redeem: order %s (%s): %w", req.OrderID, prev.Resolution, ErrOrderSettled)
		}
		// Once sent without an answer, it may have been charged: a refusal of the
		// retry ("order id already used") proves nothing about the first send.
		sticky = prev.State == Unknown || prev.State == Pending
		if entry.What == "" {
			entry.What = prev.What
		}
	}
	entry.State = Pending
	if err := r.j.Append(entry); err != nil {
		return res, err // nothing sent
	}
	sendErr := r.s.Redeem(ctx, req)
	entry.State, entry.Message = outcome(sendErr)
	if sticky && entry.State == Failed {
		entry.State = Unknown
	}
	entry.Time = r.j.now().UTC()
	res.State, res.Err = entry.State, sendErr
	if res.JournalErr = r.j.Append(entry); res.JournalErr != nil {
		res.Unwritten = &entry
	}
	return res, nil
}

// entry is o as the journal records it, without its state.
func (r *Redeemer) entry(o Order) Entry {
	var tickets []string
	for _, t := range o.TicketIDs {
		tickets = append(tickets, strings.TrimSpace(t))
	}
	return Entry{OrderID: o.OrderID, ShopID: strings.TrimSpace(o.ShopID),
		Mobile: service.MaskMobile(o.Mobile), MobileKey: r.j.MobileKey(o.Mobile),
		Points: o.Points, TicketIDs: tickets, What: strings.TrimSpace(o.What)}
}

// previous returns the journal's last entry for req's order (What from its first
// line), or nil: from the active file read under the send lock, or, for an order
// rotated out of it (settled days ago), from the archives of its id's month.
func (r *Redeemer) previous(entries []Entry, req service.RedeemRequest) (*Entry, error) {
	var mine []Entry
	for _, e := range entries {
		if e.OrderID == req.OrderID {
			mine = append(mine, e)
		}
	}
	if len(mine) == 0 {
		var err error
		if mine, err = r.j.archivedEntries(req.OrderID, strings.TrimSpace(req.ShopID)); err != nil {
			return nil, fmt.Errorf("redeem: %w: %w", ErrJournal, err)
		}
	}
	if latest := Latest(mine); len(latest) == 1 {
		return &latest[0], nil
	}
	return nil, nil
}

func sameRedemption(a, b Entry) bool {
	return a.ShopID == b.ShopID && a.MobileKey == b.MobileKey && a.Points == b.Points &&
		slices.Equal(a.TicketIDs, b.TicketIDs)
}

// whatOf is what an entry was for people: its What, or its points and coupons.
func whatOf(e Entry) string {
	if e.What != "" {
		return e.What
	}
	if len(e.TicketIDs) > 0 {
		return fmt.Sprintf("%d points, coupons %s", e.Points, strings.Join(e.TicketIDs, ","))
	}
	return fmt.Sprintf("%d points", e.Points)
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
