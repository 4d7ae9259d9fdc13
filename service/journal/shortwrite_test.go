//go:build linux

package journal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFullDiskMidLineLosesNoLaterEntry fills the "disk" part-way through the
// pending line with a real file size limit (RLIMIT_FSIZE: the write stops short,
// then fails, as on a disk that fills up during it): the redemption stops before
// anything is sent. Once there is room again the next redemption in the same
// process must be journaled readable. Before the fix its pending line was glued
// to the fragment and unreadable: a kill before the outcome then left an order
// charged with no line in the journal.
func TestFullDiskMidLineLosesNoLaterEntry(t *testing.T) {
	dir := t.TempDir()
	j := openTest(t, dir)
	s := &countingSender{}
	r := NewRedeemer(j, s)
	if _, err := r.Redeem(context.Background(), pointsReq("000030261204000100001", 5)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &was); err != nil {
		t.Skip(err)
	}
	limit := was
	limit.Cur = uint64(st.Size()) + 40 // room for part of the next line
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip(err)
	}
	_, err = r.Redeem(context.Background(), pointsReq("000030261204000100002", 6))
	if rerr := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &was); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, ErrJournal) || s.sends.Load() != 1 {
		t.Fatalf("disk full mid-line: %v, %d sends (want ErrJournal, only the first)", err, s.sends.Load())
	}
	if st2, _ := os.Stat(filepath.Join(dir, FileName)); st2.Size() != st.Size()+40 {
		t.Fatalf("the write was not cut short: %d bytes, want %d", st2.Size(), st.Size()+40)
	}

	res, err := r.Redeem(context.Background(), pointsReq("000030261204000100003", 7))
	if err != nil || res.State != Done || res.JournalErr != nil {
		t.Fatalf("with room again: %+v %v", res, err)
	}
	entries, problems, err := j.Entries(time.Time{})
	var got []string
	for _, e := range entries {
		got = append(got, e.OrderID[16:]+" "+string(e.State))
	}
	want := "[00001 pending 00001 done 00003 pending 00003 done]"
	if err != nil || len(problems) != 1 || problems[0].Torn || problems[0].Line != 3 || fmtList(got) != want {
		t.Errorf("journal %s (want %s), problems %v, %v", fmtList(got), want, problems, err)
	}
}

func fmtList(s []string) string { return "[" + strings.Join(s, " ") + "]" }
