//go:build linux

package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// stormNumbers alternates loopback members with numbers nobody has, whose digits
// vary in the first four and last three places (the ones the masked log shows), so a
// dropped or swapped digit shows in the log as well as at the proxy. No two in a row
// are equal (the app ignores a re-scan of the same number within a second), no number
// is a demo fault number, and the last one is a member.
func stormNumbers(n int) []string {
	taken := map[string]bool{}
	for _, d := range demo.Numbers() {
		taken[d.Mobile] = true
	}
	seed := uint32(20261127)
	next := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if i%2 == 1 || i == n-1 {
			out = append(out, loopbackMembers[(i/2)%len(loopbackMembers)])
			continue
		}
		for {
			s := fmt.Sprintf("09%08d", next()%100000000)
			if !taken[s] {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// stormGaps are the pauses after each scan, in turn (xdotool itself adds a few ms).
var stormGaps = []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond,
	80 * time.Millisecond, 100 * time.Millisecond, 120 * time.Millisecond, 140 * time.Millisecond}

func stormPhase(o options, x *xServer, env []string, procs *reaper) (*StormRes, error) {
	rec, err := startRecorder()
	if err != nil {
		return nil, err
	}
	defer rec.close()
	typed := stormNumbers(o.scans)
	want, err := expectedMembers(rec, typed)
	if err != nil {
		return nil, err
	}
	before := rec.srv.Stats()
	p, err := launchOnRecorder(x, env, procs, o.app, rec)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	from := len(p.states())
	proxyFrom := len(rec.numbers())
	time.Sleep(time.Second)

	// 2 ms between keys, Return straight after; between scans a pause that cycles
	// through stormGaps, so that answers land before, during and after the next scan's
	// keys (a scanner emptied by a busy cashier, and the races that come with it).
	start := time.Now()
	for i, n := range typed {
		if err := x.scan(n); err != nil {
			return nil, err
		}
		time.Sleep(stormGaps[i%len(stormGaps)])
	}
	res := &StormRes{Scans: len(typed), Typed: typed, TypingSeconds: time.Since(start).Seconds()}
	for _, g := range stormGaps {
		res.GapsMs = append(res.GapsMs, ms(g))
	}
	// Wait for the answer to the last scan, then for the log to stay quiet a moment
	// (a stale reply would come late).
	last := typed[len(typed)-1]
	p.waitState(from, 30*time.Second, func(s stateLine) bool {
		return s.Mobile == service.MaskMobile(last) && (s.State == "found" || s.State == "not_member" || s.State == "error")
	})
	for quiet := 0; quiet < 20; quiet++ {
		n := len(p.states())
		time.Sleep(250 * time.Millisecond)
		if len(p.states()) == n && quiet >= 4 {
			break
		}
	}
	after := rec.srv.Stats()
	res.MemberReqs = after.MemberRequests - before.MemberRequests
	res.TokenReqs = after.TokenRequests - before.TokenRequests
	states := p.states()[from:]
	seen := rec.numbers()[proxyFrom:]
	res.ProxySaw = len(seen)
	tallyStorm(res, typed, want, states, seen)
	return res, nil
}

func tallyStorm(res *StormRes, typed []string, want map[string]string, states []logLine, seen []string) {
	problem := func(format string, a ...any) {
		if len(res.Problems) < 12 {
			res.Problems = append(res.Problems, fmt.Sprintf(format, a...))
		}
	}
	// Submissions in order: each loading line starts a lookup, each invalid line is a
	// scan the app refused. The terminal line that follows a loading line before the
	// next submission (same masked number) answers that lookup.
	type submission struct {
		invalid  bool
		mask     string
		answered bool
	}
	var subs []submission
	current := -1
	var prev logLine
	for _, l := range states {
		s := l.st
		switch s.State {
		case "loading":
			res.Loading++
			subs = append(subs, submission{mask: s.Mobile})
			current = len(subs) - 1
		case "invalid":
			res.Invalid++
			subs = append(subs, submission{invalid: true})
			current = -1
			problem("a scan was refused as invalid %.0f ms after the previous state line (%s %s)",
				ms(l.at.Sub(prev.at)), prev.st.State, prev.st.Mobile)
		case "found", "not_member", "error":
			if s.State == "error" {
				res.Errors++
				problem("error state after %s: %s", s.Mobile, l.raw)
			}
			if current < 0 || s.Mobile != subs[current].mask {
				res.StaleShown++
				problem("%s %s shown while the newest scan was another", s.State, s.Mobile)
				break
			}
			subs[current].answered = true
			if s.State == "found" && !memberMatches(s, want) {
				res.StaleShown++
				problem("found %s shows member %s", s.Mobile, s.MemberID)
			}
		}
		prev = l
	}
	res.Submissions = len(subs)

	// Align submissions with the typed scans: in order, a scan either arrived intact
	// (its masked number), garbled (refused as invalid, or another number), or not at
	// all (its Return was lost, or the app ignored it).
	k := 0
	for _, sub := range subs {
		if k >= len(typed) {
			res.MaskMismatches++
			problem("a submission after the last scan: %s", sub.mask)
			continue
		}
		if sub.invalid {
			k++ // counted in Invalid
			continue
		}
		if sub.mask == service.MaskMobile(typed[k]) {
			k++
			continue
		}
		skip := 0
		for ahead := 1; ahead <= 3 && k+ahead < len(typed); ahead++ {
			if sub.mask == service.MaskMobile(typed[k+ahead]) {
				skip = ahead
				break
			}
		}
		if skip > 0 {
			res.MissingScans += skip
			problem("scans %d–%d never submitted", k+1, k+skip)
			k += skip + 1
			continue
		}
		res.MaskMismatches++
		problem("scan %d: typed %s, the app looked up %s", k+1, service.MaskMobile(typed[k]), sub.mask)
		k++
	}
	res.MissingScans += len(typed) - k

	for i, sub := range subs {
		switch {
		case sub.invalid:
		case sub.answered:
			res.Completed++
		case i < len(subs)-1:
			res.Superseded++
		default:
			res.NeverCompleted++
			problem("the last lookup (%s) was never answered", sub.mask)
		}
	}

	// Numbers the server saw must all have been typed, in the typed order (a lookup
	// cancelled early may never reach it, so they are a subsequence). A number that was
	// never typed but masks like one that was is garbling the log could not show.
	typedMasks := map[string]bool{}
	typedSet := map[string]bool{}
	for _, t := range typed {
		typedSet[t] = true
		typedMasks[service.MaskMobile(t)] = true
	}
	j := 0
	for _, n := range seen {
		if !typedSet[n] {
			res.GarbledAtProxy++
			if typedMasks[service.MaskMobile(n)] {
				res.GarbledHidden++
			}
			problem("the server was asked for %s, which was never typed", service.MaskMobile(n))
			continue
		}
		k := j
		for k < len(typed) && typed[k] != n {
			k++
		}
		if k == len(typed) {
			res.OutOfOrder++
			problem("the server was asked for %s out of order", service.MaskMobile(n))
			continue
		}
		j = k + 1
	}
	res.GarbledScans = res.Invalid + res.MaskMismatches + res.GarbledHidden

	if len(states) > 0 {
		final := states[len(states)-1].st
		res.FinalState = final.State + " " + final.Mobile
		last := typed[len(typed)-1]
		res.FinalOK = final.Mobile == service.MaskMobile(last) &&
			(final.State == "found" && final.MemberID == want[last] || final.State == "not_member" && want[last] == "")
	}
	if !res.FinalOK {
		res.StaleShown++
		problem("final state %q is not the last number's member", res.FinalState)
	}
}

// memberMatches reports whether a found line shows the member of its number; the
// masked number is enough to tell the members used here apart.
func memberMatches(s stateLine, want map[string]string) bool {
	var ids []string
	for n, id := range want {
		if service.MaskMobile(n) == s.Mobile {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == s.MemberID {
			return true
		}
	}
	return false
}
