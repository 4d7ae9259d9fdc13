// Command report writes docs/BENCHMARKS.md from the raw results that docs/bench/run.sh
// leaves in build/bench: go test -bench output (P1–P3), the window tool's JSON (P4–P6)
// and the sizes. It computes every median and ratio itself, so the document holds
// only figures that were measured in that run.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "build/bench", "raw results of docs/bench/run.sh")
	findings := flag.String("findings", "docs/bench/findings.md", "hand-written analysis appended to the report")
	out := flag.String("out", "docs/BENCHMARKS.md", "the report")
	flag.Parse()
	in, err := load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	notes, err := os.ReadFile(*findings)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(render(in, string(notes))), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// inputs is everything one run of run.sh produced.
type inputs struct {
	meta, size   map[string]string
	nm           []string
	p1, p2, p3   []benchLine
	p7           []benchLine // optional: runs before issue 21 had none
	p2stat       string
	avatarPassed bool
	avatarLog    string
	win          windowResults
}

// benchLine is one line of `go test -bench` output.
type benchLine struct {
	name    string // without the -GOMAXPROCS suffix
	n       int64
	metrics map[string]float64 // by unit: "ns/op", "cpu-ns/op", "member-reqs/lookup", …
}

// windowResults mirrors the JSON of docs/bench/window (only what the report reads).
type windowResults struct {
	Started  string   `json:"started"`
	Finished string   `json:"finished"`
	LoadAvg  []string `json:"loadavg"`
	Startup  *startup `json:"startup"`
	Memory   *memory  `json:"memory"`
	Storm    *storm   `json:"storm"`
	History  *history `json:"history"`
}

type history struct {
	Lines            int       `json:"lines"`
	FirstFullReadyMs float64   `json:"first_full_ready_ms"`
	ActiveLines      int       `json:"active_lines"`
	Archives         int       `json:"archives"`
	EmptyReadyMs     []float64 `json:"empty_ready_ms"`
	FullReadyMs      []float64 `json:"full_ready_ms"`
}

type startup struct {
	AppMapMs      []float64 `json:"app_map_ms"`
	HelloMapMs    []float64 `json:"hello_map_ms"`
	AppIdleLogMs  []float64 `json:"app_idle_log_ms"`
	AppReadyMs    []float64 `json:"app_ready_ms"`
	HelloReadyMs  []float64 `json:"hello_ready_ms"`
	AppRSSKiB     []float64 `json:"app_rss_kib"`
	HelloRSSKiB   []float64 `json:"hello_rss_kib"`
	AppTitle      string    `json:"app_title"`
	HelloTitle    string    `json:"hello_title"`
	AppArgs       []string  `json:"app_args"`
	SettleSeconds float64   `json:"settle_seconds"`
}

type memory struct {
	IdleRSSKiB float64 `json:"idle_rss_kib"`
	WarmRSSKiB float64 `json:"warm_rss_kib"`
	EndRSSKiB  float64 `json:"end_rss_kib"`
	EndHWMKiB  float64 `json:"end_hwm_kib"`
	// With the window tool's -rest: the empty screen after the lookups, measured as the
	// idle figure is (and the warm figure then too).
	RestSeconds float64 `json:"rest_seconds"`
	RestRSSKiB  float64 `json:"rest_rss_kib"`
	Samples     []struct {
		Lookups int     `json:"lookups"`
		RSSKiB  float64 `json:"rss_kib"`
	} `json:"samples"`
	Warmup      int       `json:"warmup"`
	Lookups     int       `json:"lookups"`
	Answered    int       `json:"answered"`
	Unanswered  int       `json:"unanswered"`
	WrongMember int       `json:"wrong_member"`
	LatencyMs   []float64 `json:"latency_ms"`
	MemberReqs  int64     `json:"member_requests"`
	TokenReqs   int64     `json:"token_requests"`
	AvatarReqs  int64     `json:"avatar_requests"`
	Numbers     []string  `json:"numbers"`
	Seconds     float64   `json:"seconds"`
}

type storm struct {
	Scans          int       `json:"scans"`
	Submissions    int       `json:"submissions"`
	Loading        int       `json:"loading"`
	Invalid        int       `json:"invalid"`
	MissingScans   int       `json:"missing_scans"`
	MaskMismatches int       `json:"mask_mismatches"`
	GarbledAtProxy int       `json:"garbled_at_proxy"`
	GarbledHidden  int       `json:"garbled_hidden"`
	GarbledScans   int       `json:"garbled_scans"`
	OutOfOrder     int       `json:"out_of_order"`
	Completed      int       `json:"completed"`
	Superseded     int       `json:"superseded"`
	NeverCompleted int       `json:"never_completed"`
	Errors         int       `json:"errors"`
	StaleShown     int       `json:"stale_shown"`
	FinalOK        bool      `json:"final_ok"`
	FinalState     string    `json:"final_state"`
	ProxySaw       int       `json:"proxy_saw"`
	MemberReqs     int64     `json:"member_requests"`
	TokenReqs      int64     `json:"token_requests"`
	TypingSeconds  float64   `json:"typing_seconds"`
	GapsMs         []float64 `json:"gaps_ms"`
	Problems       []string  `json:"problems"`
}

func load(dir string) (*inputs, error) {
	in := &inputs{}
	var err error
	if in.meta, err = readKV(filepath.Join(dir, "meta.txt")); err != nil {
		return nil, err
	}
	if in.size, err = readKV(filepath.Join(dir, "size.txt")); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "size.txt")); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "nm="); ok {
				in.nm = append(in.nm, v)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]benchLine
	}{{"p1.txt", &in.p1}, {"p2.txt", &in.p2}, {"p3.txt", &in.p3}} {
		if *f.dst, err = readBench(filepath.Join(dir, f.name)); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "p7.txt")); err == nil {
		if in.p7, err = readBench(filepath.Join(dir, "p7.txt")); err != nil {
			return nil, err
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "p2-benchstat.txt")); err == nil {
		in.p2stat = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "p3-avatar.txt")); err == nil {
		s := string(b)
		in.avatarPassed = strings.Contains(s, "--- PASS: TestTextShowsWhileSlowAvatarLoads")
		if m := regexp.MustCompile(`member text shown after [^\n]*`).FindString(s); m != "" {
			in.avatarLog = m
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "window.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &in.win); err != nil {
		return nil, fmt.Errorf("window.json: %w", err)
	}
	return in, nil
}

func readKV(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			if _, dup := m[k]; !dup {
				m[k] = v
			}
		}
	}
	return m, sc.Err()
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func readBench(path string) ([]benchLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []benchLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		n, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			continue
		}
		l := benchLine{name: procSuffix.ReplaceAllString(fields[0], ""), n: n, metrics: map[string]float64{}}
		for i := 2; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				l.metrics[fields[i+1]] = v
			}
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

// values returns metric unit of every line named name, in file order.
func values(lines []benchLine, name, unit string) []float64 {
	var out []float64
	for _, l := range lines {
		if v, ok := l.metrics[unit]; ok && l.name == name {
			out = append(out, v)
		}
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minMax(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// pairedRatios divides a[i] by b[i]: the runs were interleaved, so each pair shared
// the machine's load of the moment.
func pairedRatios(a, b []float64) []float64 {
	var out []float64
	for i := 0; i < len(a) && i < len(b); i++ {
		if b[i] != 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}
