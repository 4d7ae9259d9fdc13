package journal

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// rotationDay is "today" for the rotation tests; history lies before it.
var rotationDay = time.Date(2026, 12, 20, 10, 0, 0, 0, time.UTC)

// writeHistory writes a journal with settled orders older and newer than the
// rotation age, an unknown order from weeks ago and an unreadable line; it
// returns the order ids: old done, old unknown, old resolved, recent done.
func writeHistory(t *testing.T, dir string) (oldDone, oldUnknown, oldResolved, recent string) {
	t.Helper()
	j, _, _, err := OpenWith(dir, Options{Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	oldDone, oldUnknown, oldResolved, recent = "000030261110"+"1111", "000030261130"+"2222", "000030261129"+"3333", "000030261219"+"4444"
	at := func(d, h int) time.Time {
		return time.Date(2026, time.Month(11+(d-1)/30), 1+(d-1)%30, h, 0, 0, 0, time.UTC)
	}
	add := func(id string, s State, tm time.Time, res string) {
		if err := j.Append(Entry{Time: tm, OrderID: id, State: s, ShopID: "000030", Mobile: "0903***908",
			MobileKey: j.MobileKey(testMobile), Points: 5, What: "5 points", Resolution: res}); err != nil {
			t.Fatal(err)
		}
	}
	add(oldDone, Pending, at(10, 9), "")
	add(oldDone, Done, at(10, 9), "")
	add(oldResolved, Pending, at(29, 9), "")
	add(oldResolved, Unknown, at(29, 9), "")
	add(oldUnknown, Pending, at(30, 9), "")
	add(oldUnknown, Unknown, at(30, 9), "")
	f, _ := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()
	add(oldResolved, Resolved, at(32, 9), ResolutionNotCharged) // 2 December
	add(recent, Pending, at(49, 9), "")                         // 19 December
	add(recent, Done, at(49, 9), "")
	return
}

func lineKeys(es []Entry) []string {
	var out []string
	for _, e := range es {
		b, _ := json.Marshal(e)
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// Issue 21 point 5: settled orders older than a few days move into monthly
// archives (by line), unresolved ones stay whatever their age, unreadable lines
// stay; every line is still read once; a second start moves nothing.
func TestRotationMovesSettledOrdersIntoArchives(t *testing.T) {
	dir := t.TempDir()
	oldDone, oldUnknown, oldResolved, recent := writeHistory(t, dir)
	all, _, _ := ReadFile(filepath.Join(dir, FileName))
	now := func() time.Time { return rotationDay }
	j, problems, unresolved, err := OpenWith(dir, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if len(problems) != 1 || len(unresolved) != 1 || unresolved[0].OrderID != oldUnknown {
		t.Fatalf("problems %v unresolved %+v", problems, unresolved)
	}
	active, activeProblems, _ := ReadFile(j.Path())
	var ids []string
	for _, e := range Latest(active) {
		ids = append(ids, e.OrderID)
	}
	if !slices.Equal(ids, []string{oldUnknown, recent}) || len(activeProblems) != 1 {
		t.Errorf("active file holds %v (problems %v), want the unknown and the recent order and the unreadable line", ids, activeProblems)
	}
	nov, _, _ := ReadFile(filepath.Join(dir, "redeem-journal-2026-11.jsonl"))
	dec, _, _ := ReadFile(filepath.Join(dir, "redeem-journal-2026-12.jsonl"))
	if len(nov) != 4 || len(dec) != 1 || dec[0].State != Resolved {
		t.Errorf("archives: November %d lines, December %+v", len(nov), dec)
	}
	got, _, err := j.Entries(time.Time{})
	if err != nil || !slices.Equal(lineKeys(got), lineKeys(all)) {
		t.Errorf("entries after rotation differ:\n%v\nwant\n%v", lineKeys(got), lineKeys(all))
	}
	if recentOnly, _, _ := j.Entries(time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC)); len(recentOnly) != 2 {
		t.Errorf("since 19 December: %+v", recentOnly)
	}
	if since, _, _ := ReadDir(dir, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); len(since) != 3 {
		t.Errorf("since 1 December: %d lines, want the resolution and the recent order", len(since))
	}
	// An archived order is still known: a retry of a done one is not sent again.
	s := &countingSender{}
	res, err := NewRedeemer(j, s).Redeem(context.Background(), pointsReq(oldDone, 5))
	if err != nil || !res.Replayed || s.sends.Load() != 0 {
		t.Errorf("retry of an archived done order: %+v %v (%d sends)", res, err, s.sends.Load())
	}
	if _, err := j.Resolve(oldResolved, ResolutionCharged); !errors.Is(err, ErrNotUnresolved) {
		t.Errorf("resolving an archived order: %v", err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "redeem-journal-2026-11.jsonl"))
	j2, _, _, err := OpenWith(dir, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	j2.Close()
	if after, _ := os.ReadFile(filepath.Join(dir, "redeem-journal-2026-11.jsonl")); string(after) != string(before) {
		t.Error("a second start rewrote the archive")
	}
}

// An append by a process whose journal was opened before another process's
// rotation replaced the file goes to the new file, not to the old one's inode.
func TestAppendAfterAnotherProcessRotatedIsKept(t *testing.T) {
	dir := t.TempDir()
	writeHistory(t, dir)
	early, _, _, err := OpenWith(dir, Options{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer early.Close()
	late, _, _, err := OpenWith(dir, Options{Now: func() time.Time { return rotationDay }}) // rotates
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if err := early.Append(Entry{OrderID: "000030261220" + "5555", State: Pending, ShopID: "000030"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := late.Unresolved(); len(u) != 2 || u[1].OrderID != "0000302612205555" {
		t.Errorf("the other process's append was lost: %+v", u)
	}
	b, _ := os.ReadFile(late.Path())
	if !strings.Contains(string(b), "0000302612205555") {
		t.Error("not in the active file")
	}
}
