//go:build linux

// Command window measures the real Ocard Desk window under Xvfb for docs/BENCHMARKS.md
// (issue 6) and writes the raw figures as JSON; docs/bench/report turns them into the
// document. docs/bench/run.sh builds the binaries and runs it:
//
//	startup  (P4, P5 idle)  the app and the hello-world baseline, started in turn
//	         (interleaved, the order swapped every round): time from fork/exec to the
//	         window's MapNotify, seen by `xev -root` as it happens, and VmRSS a fixed
//	         settle time after the map
//	memory   (P5 growth)    the app on a recording proxy in front of the demo server;
//	         scans typed with xdotool, each waiting for its answer; VmRSS sampled
//	         along the way
//	storm    (P6)           scans typed back to back at 2 ms a key; the app's JSON
//	         state log and the numbers the proxy saw are compared with what was typed
//
// Every process it starts (Xvfb, xev, the app, the baseline) is ended when it stops,
// also on SIGINT/SIGTERM. All traffic stays on the loopback interface.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.app, "app", "", "release build of ocard-desk")
	flag.StringVar(&o.hello, "hello", "", "release build of docs/bench/hello")
	flag.StringVar(&o.out, "out", "window.json", "where to write the results")
	flag.StringVar(&o.phases, "phases", "startup,memory,storm", "phases to run")
	flag.IntVar(&o.runs, "runs", 10, "startup runs of each binary (plus one discarded warm-up round)")
	flag.DurationVar(&o.settle, "settle", 3*time.Second, "wait after the window maps before reading idle RSS")
	flag.DurationVar(&o.rest, "rest", 0, "after the memory phase's end: Esc back to the empty screen, wait this long, read RSS again (0: not done; Fyne frees a text's texture 1 min after it was last drawn)")
	flag.IntVar(&o.warmup, "warmup", 0, "lookups before the memory baseline (0: the baseline is the idle window)")
	flag.IntVar(&o.lookups, "lookups", 1000, "lookups measured for RSS growth")
	flag.IntVar(&o.scans, "scans", 200, "scans in the storm")
	flag.IntVar(&o.history, "history", 100000, "redemption journal lines in the history phase")
	flag.StringVar(&logDir, "logs", "", "directory to keep each process's stderr in (default: not kept)")
	flag.BoolVar(&o.helloIsApp, "hello-is-app", false, "-hello is another build of the app (A/B runs): started with the app's arguments, its idle line waited for")
	flag.StringVar(&o.appEnv, "app-env", "", "extra environment for the app only, comma-separated (experiments, e.g. GOGC=50)")
	flag.Parse()
	if o.app == "" || (strings.Contains(o.phases, "startup") && o.hello == "") {
		fmt.Fprintln(os.Stderr, "usage: window -app BIN -hello BIN [-out FILE] [-phases startup,memory,storm]")
		os.Exit(2)
	}
	procs := &reaper{}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		fmt.Fprintf(os.Stderr, "window: %v: stopping everything started\n", s)
		procs.killAll()
		os.Exit(130)
	}()
	err := run(o, procs)
	procs.killAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "window:", err)
		os.Exit(1)
	}
}

type options struct {
	app, hello, out, phases string
	appEnv                  string
	helloIsApp              bool
	runs, warmup, lookups   int
	scans, history          int
	settle, rest            time.Duration
}

// Results is what the report reads.
type Results struct {
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	LoadAvg  []string       `json:"loadavg"` // /proc/loadavg at the start of each phase and at the end
	Startup  *StartupRes    `json:"startup,omitempty"`
	Memory   *MemoryRes     `json:"memory,omitempty"`
	Storm    *StormRes      `json:"storm,omitempty"`
	History  *HistoryRes    `json:"history,omitempty"`
	Settings map[string]any `json:"settings"`
}

// StartupRes holds one entry per measured run, in run order.
type StartupRes struct {
	AppMapMs     []float64 `json:"app_map_ms"`
	HelloMapMs   []float64 `json:"hello_map_ms"`
	AppIdleLogMs []float64 `json:"app_idle_log_ms"` // first {"msg":"state","state":"idle"} line
	// Ready is the later of the map and the idle line (the content set, the entry
	// focused): the app maps its window before it fills it (issue 24). The hello-world
	// fills its window before it maps it, so its ready is its map.
	AppReadyMs     []float64 `json:"app_ready_ms"`
	HelloReadyMs   []float64 `json:"hello_ready_ms"`
	HelloIdleLogMs []float64 `json:"hello_idle_log_ms,omitempty"` // -hello-is-app only
	AppRSSKiB      []int64   `json:"app_rss_kib"`
	HelloRSSKiB    []int64   `json:"hello_rss_kib"`
	AppHWMKiB      []int64   `json:"app_hwm_kib"`
	HelloHWMKiB    []int64   `json:"hello_hwm_kib"`
	AppTitle       string    `json:"app_title"`
	HelloTitle     string    `json:"hello_title"`
	AppArgs        []string  `json:"app_args"`
	SettleSeconds  float64   `json:"settle_seconds"`
}

// MemoryRes is the RSS over many lookups in one app process.
type MemoryRes struct {
	IdleRSSKiB int64 `json:"idle_rss_kib"`
	// WarmRSSKiB is after the warm-up lookups and a settle; with -rest, on the empty
	// screen, measured as RestRSSKiB is.
	WarmRSSKiB int64 `json:"warm_rss_kib"`
	EndRSSKiB  int64 `json:"end_rss_kib"` // after the measured lookups and a settle
	EndHWMKiB  int64 `json:"end_hwm_kib"`
	// The *Kinds split an RSS figure into its kinds (/proc/PID/status): what grew is the
	// process's own memory (anon) or pages of files it maps (file: the binary's and the
	// shared libraries' code and data read in on first use).
	IdleKinds RSSKinds `json:"idle_kinds"`
	WarmKinds RSSKinds `json:"warm_kinds"`
	EndKinds  RSSKinds `json:"end_kinds"`
	// Rest*: with -rest, after the end figure: the empty screen again (Esc), that wait
	// (Fyne frees a text's texture a minute after it was last drawn), Esc again and the
	// settle (the desk's trim): the same screen and moment as the idle figure, so
	// rest − idle (or − warm) is what the lookups left behind.
	RestSeconds float64   `json:"rest_seconds,omitempty"`
	RestRSSKiB  int64     `json:"rest_rss_kib,omitempty"`
	RestKinds   RSSKinds  `json:"rest_kinds"`
	Samples     []Sample  `json:"samples"`
	Warmup      int       `json:"warmup"`
	Lookups     int       `json:"lookups"`
	Answered    int       `json:"answered"` // measured lookups whose found state was logged
	Unanswered  int       `json:"unanswered"`
	WrongMember int       `json:"wrong_member"`
	LatencyMs   []float64 `json:"latency_ms"` // xdotool done → found line read, per measured lookup
	MemberReqs  int64     `json:"member_requests"`
	TokenReqs   int64     `json:"token_requests"`
	AvatarReqs  int64     `json:"avatar_requests"`
	Numbers     []string  `json:"numbers"`
	Seconds     float64   `json:"seconds"`
}

// RSSKinds is VmRSS split as the kernel counts it: RssAnon + RssFile + RssShmem.
type RSSKinds struct {
	AnonKiB  int64 `json:"anon_kib"`
	FileKiB  int64 `json:"file_kib"`
	ShmemKiB int64 `json:"shmem_kib"`
}

// Sample is VmRSS after a number of measured lookups.
type Sample struct {
	Lookups int   `json:"lookups"`
	RSSKiB  int64 `json:"rss_kib"`
}

// StormRes is the scanner storm's tally.
type StormRes struct {
	Scans          int       `json:"scans"`
	Typed          []string  `json:"typed"`
	Submissions    int       `json:"submissions"`      // loading + invalid lines
	Loading        int       `json:"loading"`          // lookups started
	Invalid        int       `json:"invalid"`          // submissions the app found malformed
	MissingScans   int       `json:"missing_scans"`    // scans with no submission at all
	MaskMismatches int       `json:"mask_mismatches"`  // lookups of another (masked) number than the one typed
	GarbledAtProxy int       `json:"garbled_at_proxy"` // numbers the server saw that were never typed
	GarbledHidden  int       `json:"garbled_hidden"`   // of those, ones whose mask matches a typed number
	GarbledScans   int       `json:"garbled_scans"`    // Invalid + MaskMismatches + GarbledHidden
	OutOfOrder     int       `json:"out_of_order"`     // numbers the server saw out of the typed order
	Completed      int       `json:"completed"`        // answered while still the newest scan
	Superseded     int       `json:"superseded"`       // a newer scan came first; cancelled by design
	NeverCompleted int       `json:"never_completed"`  // neither answered nor superseded
	Errors         int       `json:"errors"`           // error states logged
	StaleShown     int       `json:"stale_shown"`      // answers shown for another number than the newest scan, a wrong member, or a wrong final screen
	FinalOK        bool      `json:"final_ok"`         // the last state shows the last number's member
	FinalState     string    `json:"final_state"`
	ProxySaw       int       `json:"proxy_saw"`
	MemberReqs     int64     `json:"member_requests"`
	TokenReqs      int64     `json:"token_requests"`
	TypingSeconds  float64   `json:"typing_seconds"`
	GapsMs         []float64 `json:"gaps_ms"`  // pauses after each scan, in turn
	Problems       []string  `json:"problems"` // the first few discrepancies, for the report
}

func run(o options, procs *reaper) error {
	res := &Results{Started: time.Now(), Settings: map[string]any{
		"runs": o.runs, "settle": o.settle.String(), "rest": o.rest.String(), "warmup": o.warmup, "lookups": o.lookups, "scans": o.scans,
	}}
	x, err := startX(procs)
	if err != nil {
		return err
	}
	// Fyne keeps preferences under the user's config dir; a private one keeps these
	// runs apart from any other Fyne app (or test) on the machine.
	cfgDir, err := os.MkdirTemp("", "ocard-bench-config-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cfgDir)
	env := append(os.Environ(), "DISPLAY="+x.display, "LANG=en_US.UTF-8", "LANGUAGE=", "LC_ALL=", "XDG_CONFIG_HOME="+cfgDir)
	appEnv = append(append([]string(nil), env...), strings.FieldsFunc(o.appEnv, func(r rune) bool { return r == ',' })...)
	res.Settings["app_env"] = o.appEnv

	for _, phase := range strings.Split(o.phases, ",") {
		res.LoadAvg = append(res.LoadAvg, phase+": "+loadAvg())
		fmt.Fprintf(os.Stderr, "window: %s (load %s)\n", phase, loadAvg())
		switch strings.TrimSpace(phase) {
		case "startup":
			res.Startup, err = startupPhase(o, x, env, procs)
		case "memory":
			res.Memory, err = memoryPhase(o, x, env, procs)
		case "storm":
			res.Storm, err = stormPhase(o, x, env, procs)
		case "history":
			res.History, err = historyPhase(o, x, env, procs)
		default:
			err = fmt.Errorf("unknown phase %q", phase)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", phase, err)
		}
	}
	res.LoadAvg = append(res.LoadAvg, "end: "+loadAvg())
	res.Finished = time.Now()
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.out, append(b, '\n'), 0o644)
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// reaper remembers every process started, so that nothing outlives the tool.
type reaper struct {
	mu    sync.Mutex
	procs []reaped
}

type reaped struct {
	cmd *exec.Cmd
	// waited: another goroutine calls Wait (and so reaps it); otherwise killAll does.
	waited bool
}

func (r *reaper) add(c *exec.Cmd, waited bool) {
	r.mu.Lock()
	r.procs = append(r.procs, reaped{c, waited})
	r.mu.Unlock()
}

func (r *reaper) killAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.procs) - 1; i >= 0; i-- {
		p := r.procs[i]
		if p.cmd.Process == nil || p.cmd.ProcessState != nil {
			continue
		}
		_ = p.cmd.Process.Kill()
		if !p.waited {
			_ = p.cmd.Wait()
		}
	}
	r.procs = nil
}
