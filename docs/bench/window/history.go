//go:build linux

package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/session"
)

// HistoryRes is the start with a year of redemptions against the start without
// (issue 24: "start does not grow with history").
type HistoryRes struct {
	Lines int `json:"lines"` // journal lines written before the first start
	// FirstFullReadyMs is the first start on the full journal, which moves the year's
	// settled orders into monthly archives (once, after an upgrade).
	FirstFullReadyMs float64 `json:"first_full_ready_ms"`
	// ActiveLines and Archives are what that first start left.
	ActiveLines  int       `json:"active_lines"`
	Archives     int       `json:"archives"`
	EmptyReadyMs []float64 `json:"empty_ready_ms"`
	FullReadyMs  []float64 `json:"full_ready_ms"`
}

// historyPhase starts the app in turn with an empty config folder and with one whose
// demo journal holds o.history lines (a year up to now, as a busy desk writes them:
// the last days' orders stay in the active file), o.runs times each, interleaved.
func historyPhase(o options, x *xServer, env []string, procs *reaper) (*HistoryRes, error) {
	res := &HistoryRes{Lines: o.history}
	empty, err := os.MkdirTemp("", "ocard-bench-empty-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(empty)
	full, err := os.MkdirTemp("", "ocard-bench-history-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(full)
	dir := filepath.Join(full, "ocard-desk", session.DemoJournalName)
	if err := writeYear(dir, o.history, time.Now()); err != nil {
		return nil, err
	}
	start := func(cfg string) (float64, error) {
		// The later XDG_CONFIG_HOME wins (os/exec keeps the last of a duplicated key).
		penv := append(append([]string(nil), appEnv...), "XDG_CONFIG_HOME="+cfg)
		p, err := launch(x, penv, procs, o.app, appArgs...)
		if err != nil {
			return 0, err
		}
		defer p.stop()
		l, _, ok := p.waitState(0, 30*time.Second, func(s stateLine) bool { return s.State == "idle" })
		if !ok {
			return 0, fmt.Errorf("the app logged no idle state:\n%s", p.text())
		}
		return max(ms(p.mapped.at.Sub(p.started)), ms(l.at.Sub(p.started))), nil
	}
	if _, err := start(empty); err != nil { // warms the page cache; not recorded
		return nil, err
	}
	if res.FirstFullReadyMs, err = start(full); err != nil {
		return nil, err
	}
	if lines, _, err := journal.ReadFile(filepath.Join(dir, journal.FileName)); err == nil {
		res.ActiveLines = len(lines)
	}
	archives, _ := filepath.Glob(filepath.Join(dir, "*"))
	res.Archives = len(archives) - 1
	fmt.Fprintf(os.Stderr, "  first start on %d lines: ready %.1f ms; then %d lines active, %d other files\n",
		o.history, res.FirstFullReadyMs, res.ActiveLines, res.Archives)
	for round := 0; round < o.runs; round++ {
		for _, isFull := range []bool{round%2 == 0, round%2 != 0} {
			cfg := empty
			if isFull {
				cfg = full
			}
			ready, err := start(cfg)
			if err != nil {
				return nil, err
			}
			if isFull {
				res.FullReadyMs = append(res.FullReadyMs, ready)
			} else {
				res.EmptyReadyMs = append(res.EmptyReadyMs, ready)
			}
			fmt.Fprintf(os.Stderr, "  %-7s ready %6.1f ms\n", map[bool]string{true: "history", false: "empty"}[isFull], ready)
			time.Sleep(200 * time.Millisecond)
		}
	}
	return res, nil
}

// writeYear writes n journal lines spread over the year before now, in the journal's
// own format: settled orders (done, a few failed, a few unknown then resolved) and, at
// the end, a few still unknown. The mobile keys are stand-ins of the right shape.
func writeYear(dir string, n int, now time.Time) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, journal.FileName), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	rng := rand.New(rand.NewPCG(1, 2))
	from := now.AddDate(-1, 0, 0)
	for order, lines := 0, 0; lines < n; order++ {
		at := from.Add(time.Duration(float64(now.Sub(from)) * float64(lines) / float64(n)))
		mobile := fmt.Sprintf("09%08d", rng.IntN(5000))
		key := sha256.Sum256([]byte(mobile))
		e := journal.Entry{Time: at.UTC(), OrderID: fmt.Sprintf("000030%s%016d", at.Format("060102"), order),
			State: journal.Pending, ShopID: "000030", Mobile: service.MaskMobile(mobile),
			MobileKey: hex.EncodeToString(key[:]), Points: int64(50 * (1 + rng.IntN(6))), What: "Latte"}
		states := []journal.State{journal.Done}
		switch r := rng.IntN(100); {
		case n-lines < 40:
			states = []journal.State{journal.Unknown} // the unresolved few, recent
		case r < 5:
			states = []journal.State{journal.Failed}
		case r < 7:
			states = []journal.State{journal.Unknown, journal.Resolved}
		}
		if err := enc.Encode(e); err != nil {
			return err
		}
		lines++
		for _, s := range states {
			e.State = s
			if s == journal.Resolved {
				e.Resolution = journal.ResolutionCharged
			}
			if err := enc.Encode(e); err != nil {
				return err
			}
			lines++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
