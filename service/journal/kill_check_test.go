package journal

import (
	"context"
	"slices"
	"time"
)

// check opens the journal as the next start does, checks it against the
// tenant's record, and then does what the cashier would: retry each order shown
// unknown whose charge the balance does not show, and confirm a done one again.
func (k *killer) check(step string, ids []string, last string, tl *stepTally, fail func(string, ...any)) {
	j, problems, pending, err := Open(k.dir)
	if err != nil {
		fail("the journal does not open: %v", err)
		return
	}
	defer j.Close()

	// Skipped lines: the earlier ones (torn, then closed by a start) as plain
	// unreadable lines, at most one new one, torn, at the end.
	fresh := len(problems) - k.problems
	for i, p := range problems {
		if i < k.problems && p.Torn || i >= k.problems && !p.Torn {
			fail("problem %v (known before: %d)", p, k.problems)
		}
	}
	switch {
	case fresh < 0 || fresh > 1:
		fail("%d new problems: %v", fresh, problems)
	case (step == "b" || step == "f") && fresh != 1:
		fail("the torn line is not reported: %v", problems)
	case step != "random" && step != "b" && step != "f" && fresh != 0:
		fail("a problem where no line was torn: %v", problems)
	}
	k.problems = len(problems)
	if fresh == 1 {
		k.torn++
	}

	entries, _, err := j.Entries(time.Time{})
	if err != nil {
		fail("reading the journal: %v", err)
		return
	}
	latest, everPending := map[string]State{}, map[string]bool{}
	for _, e := range entries {
		latest[e.OrderID] = e.State
		if e.State == Pending {
			everPending[e.OrderID] = true
		}
		if _, ok := k.handed[e.OrderID]; !ok {
			fail("the journal has order %s, which no desk took", e.OrderID)
		}
	}
	posts, charges := k.tenant.record()
	for id, n := range posts {
		if !everPending[id] {
			fail("order %s was POSTed %d times but never journaled pending", id, n)
		}
	}
	for id, n := range charges {
		switch {
		case n > 1:
			fail("order %s charged %d times", id, n)
		case latest[id] != Pending && latest[id] != Done:
			fail("order %s was charged; the journal says %q", id, latest[id])
		}
	}
	for id, s := range latest {
		if s == Done && charges[id] != 1 {
			fail("order %s done in the journal, charged %d times", id, charges[id])
		}
		if s == Failed || s == Unknown {
			fail("order %s is %s: no answer here should give that", id, s)
		}
	}
	// Shown unknown at this start: the orders left so before, and this kill's.
	shown := map[string]bool{}
	for _, e := range pending {
		shown[e.OrderID] = true
		if !k.abandoned[e.OrderID] && !slices.Contains(ids, e.OrderID) {
			fail("order %s shows as unknown again", e.OrderID)
		}
	}
	for id := range k.abandoned {
		if !shown[id] {
			fail("order %s, left unknown, is no longer shown so (%q)", id, latest[id])
		}
	}

	// This kill's orders: all but the last went through; the last is where it stopped.
	for i, id := range ids {
		if i < len(ids)-1 && (latest[id] != Done || charges[id] != 1) {
			fail("order %s before the last: %q, charged %d", id, latest[id], charges[id])
		}
	}
	var id string
	if len(ids) > 0 {
		id = ids[len(ids)-1]
	}
	type want struct {
		state          State // "" for no line
		posts, charges int
	}
	expect := map[string]want{"a": {"", 0, 0}, "b": {"", 0, 0}, "c": {Pending, 0, 0}, "d1": {Pending, 1, 0},
		"d2": {Pending, 1, 1}, "e": {Pending, 1, 1}, "f": {Pending, 1, 1}, "g": {Done, 1, 1}}
	if w, ok := expect[step]; ok {
		if got := (want{latest[id], posts[id], charges[id]}); id == "" || got != w {
			fail("order %q: journal %q, %d POSTs, %d charges; want %+v", id, got.state, got.posts, got.charges, w)
		}
	} else {
		if last == "c" && posts[id] > 0 {
			last = "d"
		}
		tl.after[last]++
	}
	if id == "" {
		return
	}

	// The cashier, at the next start.
	r := NewRedeemer(j, k.client)
	ctx := context.Background()
	switch {
	case latest[id] == Pending && charges[id] > 0:
		k.abandoned[id] = true // the balance shows it: no retry
	case latest[id] == Pending:
		res, err := r.Redeem(ctx, killReq(id))
		_, charges := k.tenant.record()
		if err != nil || res.State != Done || res.Replayed || res.JournalErr != nil || charges[id] != 1 {
			fail("retry of %s: %+v %v, charged %d times", id, res, err, charges[id])
		}
		k.retried++
	case latest[id] == Done:
		res, err := r.Redeem(ctx, killReq(id))
		after, _ := k.tenant.record()
		if err != nil || res.State != Done || !res.Replayed || after[id] != posts[id] {
			fail("done %s confirmed again: %+v %v, POSTs %d → %d", id, res, err, posts[id], after[id])
		}
		k.replayed++
	}
}
