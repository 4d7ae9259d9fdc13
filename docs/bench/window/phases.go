//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// appEnv is env plus -app-env, for the app's processes only.
var appEnv []string

var appArgs = []string{"--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0"}

func startupPhase(o options, x *xServer, env []string, procs *reaper) (*StartupRes, error) {
	res := &StartupRes{AppArgs: appArgs, SettleSeconds: o.settle.Seconds()}
	one := func(app bool, record bool) error {
		bin, args, penv := o.hello, []string(nil), env
		if app {
			bin, args, penv = o.app, appArgs, appEnv
		} else if o.helloIsApp {
			args, penv = appArgs, appEnv
		}
		p, err := launch(x, penv, procs, bin, args...)
		if err != nil {
			return err
		}
		mapMs := ms(p.mapped.at.Sub(p.started))
		var idleMs float64
		if app || o.helloIsApp {
			l, _, ok := p.waitState(0, 10*time.Second, func(s stateLine) bool { return s.State == "idle" })
			if !ok {
				p.stop()
				return fmt.Errorf("the app logged no idle state:\n%s", p.text())
			}
			idleMs = ms(l.at.Sub(p.started))
		}
		time.Sleep(o.settle)
		rss, hwm := memStatus(p.cmd.Process.Pid)
		p.stop()
		if !record {
			return nil
		}
		if app {
			res.AppMapMs = append(res.AppMapMs, mapMs)
			res.AppIdleLogMs = append(res.AppIdleLogMs, idleMs)
			res.AppReadyMs = append(res.AppReadyMs, max(mapMs, idleMs))
			res.AppRSSKiB = append(res.AppRSSKiB, rss)
			res.AppHWMKiB = append(res.AppHWMKiB, hwm)
			res.AppTitle = p.title
		} else {
			res.HelloMapMs = append(res.HelloMapMs, mapMs)
			if o.helloIsApp {
				res.HelloIdleLogMs = append(res.HelloIdleLogMs, idleMs)
				res.HelloReadyMs = append(res.HelloReadyMs, max(mapMs, idleMs))
			} else {
				res.HelloReadyMs = append(res.HelloReadyMs, mapMs)
			}
			res.HelloRSSKiB = append(res.HelloRSSKiB, rss)
			res.HelloHWMKiB = append(res.HelloHWMKiB, hwm)
			res.HelloTitle = p.title
		}
		fmt.Fprintf(os.Stderr, "  %-5s map %6.1f ms  idle %6.1f ms  rss %6.1f MiB\n", map[bool]string{true: "app", false: "hello"}[app], mapMs, idleMs, float64(rss)/1024)
		return nil
	}
	// Round 0 warms the page cache and font caches and is not recorded; then the
	// order alternates so neither binary always runs first.
	for round := 0; round <= o.runs; round++ {
		order := []bool{round%2 == 0, round%2 != 0}
		for _, app := range order {
			if err := one(app, round > 0); err != nil {
				return nil, err
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return res, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// recorder is the demo server behind a reverse proxy that notes every number asked
// for, in order: the app's log masks numbers, the proxy sees them whole.
type recorder struct {
	srv   *demo.Server
	url   string
	mu    sync.Mutex
	seen  []string
	close func()
}

func startRecorder() (*recorder, error) {
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		return nil, err
	}
	target, _ := url.Parse(srv.BaseURL())
	rp := httputil.NewSingleHostReverseProxy(target)
	rec := &recorder{srv: srv}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/user/ocard" {
			rec.mu.Lock()
			rec.seen = append(rec.seen, r.URL.Query().Get("mobile"))
			rec.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	rec.url = "http://" + ln.Addr().String()
	rec.close = func() { _ = hs.Close(); _ = srv.Close() }
	return rec, nil
}

func (r *recorder) numbers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// launchOnRecorder starts the app configured for the recorder (not --demo, so the
// proxy sees every request) and gives its window the keyboard focus.
func launchOnRecorder(x *xServer, _ []string, procs *reaper, bin string, rec *recorder) (*proc, error) {
	env := append(append([]string(nil), appEnv...), "OCARD_CLIENT_SECRET="+demo.ClientSecret)
	p, err := launch(x, env, procs, bin, "--base-url", rec.url, "--token-url", rec.url+"/oauth/v1/token",
		"--client-id", demo.ClientID, "--shop-id", demo.ShopID, "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	if err != nil {
		return nil, err
	}
	if _, _, ok := p.waitState(0, 10*time.Second, func(s stateLine) bool { return s.State == "idle" }); !ok {
		p.stop()
		return nil, fmt.Errorf("the app did not reach idle:\n%s", p.text())
	}
	if _, err := x.tool("windowfocus", "--sync", strconv.FormatUint(p.mapped.window, 10)); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// expectedMembers asks the demo server, through the real client, which member each
// number belongs to ("" for not a member).
func expectedMembers(rec *recorder, numbers []string) (map[string]string, error) {
	cfg := rec.srv.Config()
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := service.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range numbers {
		if _, ok := out[n]; ok {
			continue
		}
		m, err := c.LookupMember(context.Background(), demo.ShopID, n)
		switch {
		case errors.Is(err, service.ErrNotMember):
			out[n] = ""
		case err != nil:
			return nil, fmt.Errorf("%s: %w", service.MaskMobile(n), err)
		default:
			out[n] = m.ID
		}
	}
	return out, nil
}

// loopbackMembers are demo members whose avatar is served by the demo server itself
// (the seed examples' avatars are on the internet; the fault numbers are slow or fail).
var loopbackMembers = []string{"0911111111", "0922222222", "0933333333", "0944444444", "0955555555"}

func memoryPhase(o options, x *xServer, env []string, procs *reaper) (*MemoryRes, error) {
	rec, err := startRecorder()
	if err != nil {
		return nil, err
	}
	defer rec.close()
	want, err := expectedMembers(rec, loopbackMembers)
	if err != nil {
		return nil, err
	}
	before := rec.srv.Stats()
	p, err := launchOnRecorder(x, env, procs, o.app, rec)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	pid := p.cmd.Process.Pid
	res := &MemoryRes{Warmup: o.warmup, Lookups: o.lookups, Numbers: loopbackMembers}
	time.Sleep(o.settle)
	res.IdleRSSKiB, _ = memStatus(pid)
	res.IdleKinds = memKinds(pid, "memory-idle")

	i := 0
	scanAndWait := func() (time.Duration, bool, bool) {
		n := loopbackMembers[i%len(loopbackMembers)]
		i++
		from := len(p.states())
		if err := x.scan(n); err != nil {
			return 0, false, false
		}
		typed := time.Now()
		l, _, ok := p.waitState(from, 10*time.Second, func(s stateLine) bool {
			return s.State == "found" || s.State == "not_member" || s.State == "error" || s.State == "invalid"
		})
		if !ok {
			fmt.Fprintf(os.Stderr, "  no answer to a scan in 10 s; the app's log ends:\n%s\n", tail(p.text(), 5))
			return 0, false, false
		}
		return l.at.Sub(typed), true, l.st.State == "found" && l.st.MemberID == want[n] && l.st.Mobile == service.MaskMobile(n)
	}
	res.WarmRSSKiB = res.IdleRSSKiB
	if o.warmup > 0 {
		for w := 0; w < o.warmup; w++ {
			scanAndWait()
		}
		if o.rest > 0 { // like the rest figure: the empty screen, textures expired
			rss, kinds, err := restOnEmptyScreen(o, x, p, "memory-warm")
			if err != nil {
				return nil, err
			}
			res.WarmRSSKiB, res.WarmKinds = rss, kinds
		} else {
			time.Sleep(o.settle)
			res.WarmRSSKiB, _ = memStatus(pid)
			res.WarmKinds = memKinds(pid, "memory-warm")
		}
	}
	start := time.Now()
	for k := 1; k <= o.lookups; k++ {
		lat, answered, right := scanAndWait()
		if answered {
			res.Answered++
			res.LatencyMs = append(res.LatencyMs, ms(lat))
		} else {
			res.Unanswered++
		}
		if answered && !right {
			res.WrongMember++
		}
		if k%100 == 0 || k == o.lookups {
			rss, _ := memStatus(pid)
			res.Samples = append(res.Samples, Sample{Lookups: k, RSSKiB: rss})
			fmt.Fprintf(os.Stderr, "  %4d lookups  rss %6.1f MiB\n", k, float64(rss)/1024)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	time.Sleep(o.settle)
	res.EndRSSKiB, res.EndHWMKiB = memStatus(pid)
	res.EndKinds = memKinds(pid, "memory-end")
	if o.rest > 0 {
		rss, kinds, err := restOnEmptyScreen(o, x, p, "memory-rest")
		if err != nil {
			return nil, err
		}
		res.RestSeconds, res.RestRSSKiB, res.RestKinds = o.rest.Seconds(), rss, kinds
	}
	after := rec.srv.Stats()
	res.MemberReqs = after.MemberRequests - before.MemberRequests
	res.TokenReqs = after.TokenRequests - before.TokenRequests
	res.AvatarReqs = after.AvatarRequests - before.AvatarRequests
	return res, nil
}

// restOnEmptyScreen brings the desk back to its empty screen (Esc), waits o.rest (Fyne
// frees the texture of a text not drawn for a minute), presses Esc once more (a state
// change, so the desk's trim runs 2 s later, as it did before the idle figure) and
// reads RSS o.settle later: the same screen and moment as the idle figure.
func restOnEmptyScreen(o options, x *xServer, p *proc, name string) (int64, RSSKinds, error) {
	esc := func(what string) error {
		from := len(p.states())
		if _, err := x.tool("key", "Escape"); err != nil {
			return err
		}
		if _, _, ok := p.waitState(from, 10*time.Second, func(s stateLine) bool { return s.State == "idle" }); !ok {
			return fmt.Errorf("%s logged no idle state:\n%s", what, tail(p.text(), 5))
		}
		return nil
	}
	if err := esc("Esc"); err != nil {
		return 0, RSSKinds{}, err
	}
	time.Sleep(o.rest)
	if err := esc("the second Esc"); err != nil {
		return 0, RSSKinds{}, err
	}
	time.Sleep(o.settle)
	pid := p.cmd.Process.Pid
	rss, _ := memStatus(pid)
	kinds := memKinds(pid, name)
	fmt.Fprintf(os.Stderr, "  %s: empty screen, %s after Esc: rss %6.1f MiB\n", name, o.rest, float64(rss)/1024)
	return rss, kinds, nil
}
