//go:build linux

package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// xServer is a private Xvfb and an xev watching its root window for maps.
type xServer struct {
	display string
	maps    chan mapEvent
}

type mapEvent struct {
	at     time.Time
	window uint64
}

func startX(procs *reaper) (*xServer, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	xvfb.ExtraFiles = []*os.File{w}
	if err := xvfb.Start(); err != nil {
		return nil, fmt.Errorf("start Xvfb: %w (run `make deps`)", err)
	}
	procs.add(xvfb, false)
	w.Close()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	var display string
	select {
	case n := <-line:
		if n == "" {
			return nil, errors.New("no display number from Xvfb")
		}
		display = ":" + n
	case <-time.After(30 * time.Second):
		return nil, errors.New("no display from Xvfb within 30 s")
	}
	x := &xServer{display: display, maps: make(chan mapEvent, 16)}

	// xev prints (and flushes) each event as it arrives; MapNotify on the root's
	// substructure is the moment a top-level window becomes viewable, which is what
	// `xdotool search --onlyvisible` looks for, without its 0.5 s polling.
	xev := exec.Command("xev", "-root", "-event", "substructure")
	xev.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := xev.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := xev.Start(); err != nil {
		return nil, fmt.Errorf("xev: %w (Debian x11-utils)", err)
	}
	procs.add(xev, false)
	ready := make(chan struct{})
	go x.readXev(out, ready)
	// xev has selected the events once it reports the first one; give it a window to
	// report by waiting for its own start instead: a short, bounded pause.
	select {
	case <-ready:
	case <-time.After(2 * time.Second):
	}
	return x, nil
}

var windowID = regexp.MustCompile(`\bwindow (0x[0-9a-f]+), override`)

func (x *xServer) readXev(r io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(r)
	var pending time.Time
	once := sync.Once{}
	for sc.Scan() {
		now := time.Now()
		once.Do(func() { close(ready) })
		line := sc.Text()
		if strings.HasPrefix(line, "MapNotify event") {
			pending = now
			continue
		}
		if !pending.IsZero() {
			if m := windowID.FindStringSubmatch(line); m != nil {
				id, _ := strconv.ParseUint(m[1], 0, 64)
				select {
				case x.maps <- mapEvent{at: pending, window: id}:
				default:
				}
				pending = time.Time{}
			}
		}
	}
}

// drainMaps forgets map events of earlier processes.
func (x *xServer) drainMaps() {
	for {
		select {
		case <-x.maps:
		default:
			return
		}
	}
}

func (x *xServer) tool(args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("xdotool %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// scan types number the way a USB scanner does: one key every 2 ms, then Return, in
// one xdotool call (`xdotool type` would take "key Return" as more text to type).
func (x *xServer) scan(number string) error {
	args := []string{"key", "--delay", "2"}
	for _, r := range number {
		args = append(args, string(r)) // the digit keysyms are named by the digits
	}
	_, err := x.tool(append(args, "Return")...)
	return err
}

// proc is a started app or baseline with its stderr read line by line.
type proc struct {
	cmd     *exec.Cmd
	started time.Time
	mapped  mapEvent
	title   string

	mu     sync.Mutex
	lines  []logLine
	change chan struct{}
	done   chan struct{}
}

type logLine struct {
	at  time.Time
	raw string
	st  stateLine
	ok  bool // a state line
}

type stateLine struct {
	Msg      string `json:"msg"`
	State    string `json:"state"`
	Mobile   string `json:"mobile"`
	MemberID string `json:"member_id"`
}

// launch starts bin and waits for its window to map.
func launch(x *xServer, env []string, procs *reaper, bin string, args ...string) (*proc, error) {
	x.drainMaps()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, change: make(chan struct{}, 1), done: make(chan struct{})}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	procs.add(cmd, true)
	go p.readLog(stderr)
	select {
	case m := <-x.maps:
		p.mapped = m
	case <-p.done:
		return nil, fmt.Errorf("%s exited before its window mapped: %s", filepath.Base(bin), p.text())
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("%s: no window mapped in 30 s", filepath.Base(bin))
	}
	p.title, _ = x.tool("getwindowname", strconv.FormatUint(p.mapped.window, 10))
	return p, nil
}

func (p *proc) readLog(r io.Reader) {
	defer close(p.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := logLine{at: time.Now(), raw: sc.Text()}
		if json.Unmarshal(sc.Bytes(), &l.st) == nil && l.st.Msg == "state" {
			l.ok = true
		}
		p.mu.Lock()
		p.lines = append(p.lines, l)
		p.mu.Unlock()
		select {
		case p.change <- struct{}{}:
		default:
		}
	}
	_ = p.cmd.Wait()
}

func (p *proc) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, l := range p.lines {
		b.WriteString(l.raw + "\n")
	}
	return b.String()
}

// states returns the state lines logged so far.
func (p *proc) states() []logLine {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []logLine
	for _, l := range p.lines {
		if l.ok {
			out = append(out, l)
		}
	}
	return out
}

// waitState waits until a state line at index ≥ from satisfies match, or timeout.
func (p *proc) waitState(from int, timeout time.Duration, match func(stateLine) bool) (logLine, int, bool) {
	deadline := time.After(timeout)
	for {
		st := p.states()
		for i := from; i < len(st); i++ {
			if match(st[i].st) {
				return st[i], i, true
			}
		}
		select {
		case <-p.change:
		case <-p.done:
			st := p.states()
			for i := from; i < len(st); i++ {
				if match(st[i].st) {
					return st[i], i, true
				}
			}
			return logLine{}, 0, false
		case <-deadline:
			return logLine{}, 0, false
		}
	}
}

// logDir, when set, receives each stopped process's stderr as NNN-name.log.
var (
	logDir  string
	logSeq  int
	logSeqM sync.Mutex
)

// stop ends the process: SIGTERM (the app turns SIGINT into a context, not an exit),
// then SIGKILL if it lingers. Its X connection closing destroys its window.
func (p *proc) stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if logDir != "" {
		logSeqM.Lock()
		logSeq++
		name := fmt.Sprintf("%03d-%s.log", logSeq, filepath.Base(p.cmd.Path))
		logSeqM.Unlock()
		_ = os.WriteFile(filepath.Join(logDir, name), []byte(p.text()), 0o644)
	}
}

// memKinds reads RssAnon, RssFile and RssShmem (KiB) of pid, and, when -logs is set, keeps
// the process's /proc/PID/smaps there as NAME.smaps, so that two moments can be compared
// mapping by mapping.
func memKinds(pid int, name string) RSSKinds {
	var k RSSKinds
	if logDir != "" {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid)); err == nil {
			_ = os.WriteFile(filepath.Join(logDir, name+".smaps"), b, 0o644)
		}
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return k
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "RssAnon:":
			k.AnonKiB = v
		case "RssFile:":
			k.FileKiB = v
		case "RssShmem:":
			k.ShmemKiB = v
		}
	}
	return k
}

// memStatus reads VmRSS and VmHWM (KiB) of pid.
func memStatus(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		case "VmHWM:":
			hwm, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return rss, hwm
}
