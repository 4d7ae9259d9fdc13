package journal

import (
	"context"
	"fmt"
)

// Resolve records a person's decision on an unresolved order (ResolutionCharged
// or ResolutionNotCharged) as a Resolved line of its own, copying the order's
// shop, masked number, key, points, coupons and what; earlier lines are never
// rewritten. It waits for a send in progress (the send lock), so a retry of the
// same order cannot cross it. An order id the journal does not have is
// ErrNoSuchOrder; one that is done, failed or already resolved is ErrNotUnresolved.
func (j *Journal) Resolve(orderID, resolution string) (Entry, error) {
	if resolution != ResolutionCharged && resolution != ResolutionNotCharged {
		return Entry{}, fmt.Errorf("journal: resolution %q: want %q or %q", resolution, ResolutionCharged, ResolutionNotCharged)
	}
	unlock, err := j.lockSends(context.Background())
	if err != nil {
		return Entry{}, err
	}
	defer unlock()
	lines, err := j.activeLines()
	if err != nil {
		return Entry{}, err
	}
	var mine []Entry
	for _, l := range lines {
		if l.e.OrderID == orderID {
			mine = append(mine, l.e)
		}
	}
	if len(mine) == 0 {
		// Rotation moves settled orders only: an archived one is not unresolved.
		archived, err := j.archivedEntries(orderID, "")
		if err != nil {
			return Entry{}, fmt.Errorf("journal: %w: %w", ErrJournal, err)
		}
		if len(archived) == 0 {
			return Entry{}, fmt.Errorf("journal: order %s: %w", orderID, ErrNoSuchOrder)
		}
		return Entry{}, fmt.Errorf("journal: order %s: %w", orderID, ErrNotUnresolved)
	}
	e := Latest(mine)[0]
	if Settled(e.State) {
		return Entry{}, fmt.Errorf("journal: order %s is %s: %w", orderID, e.State, ErrNotUnresolved)
	}
	e.State, e.Resolution, e.Message = Resolved, resolution, ""
	e.Time = j.now().UTC()
	if err := j.Append(e); err != nil {
		return Entry{}, err
	}
	return e, nil
}
