package journal

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/internal/childproc"
)

// envKills asks TestKillJournalAtEveryStep for that many kills in all (the soak,
// .ci/soak-journal); without it the test makes a few per step.
const envKills = "OCARD_JOURNAL_KILLS"

// killSteps are the points of one redemption, in order, at which the child is
// killed. Each is reached deterministically: the child stops itself there
// (a, b, c, e, f, g) or the tenant holds its request (d1, d2).
var killSteps = []struct{ name, what string }{
	{"a", "order id taken, nothing journaled"},
	{"b", "pending line being written (torn)"},
	{"c", "pending journaled and fsynced, request not sent"},
	{"d1", "request at the server, not charged, no answer"},
	{"d2", "request charged by the server, no answer"},
	{"e", "answer received, outcome not journaled"},
	{"f", "done line being written (torn)"},
	{"g", "done journaled and fsynced"},
}

// randomMarkers are the last marker a randomly killed child can have printed:
// "start" (none: the process starting, the journal being opened), "ready", "n" (taking an
// order id: the active file read), then the steps; "b" is the pending
// line being written and fsynced, "d" that the last order's POST reached the
// tenant, "e" the done line being written, "g" done journaled.
var randomMarkers = []string{"start", "ready", "n", "a", "b", "c", "d", "e", "g"}

// TestKillJournalAtEveryStep kills a real child process (SIGKILL) that redeems
// through the real client against a loopback tenant, at every step of a
// redemption and at random moments, all on one journal folder, as one desk's day
// of crashes. After every kill it opens the journal as the next start does and
// checks: it opens; a torn last line is reported as torn and skipped, and earlier
// torn lines stay skipped; every order the tenant charged has a pending line and
// shows as pending (unknown) or done, never missing; no order is charged twice,
// also after the cashier's retry (same order id, a new Redeemer) of each order
// shown unknown that the balance shows was not charged; no order id is handed out
// twice across kills; nothing is POSTed for an order never journaled pending; an
// order done is answered from the journal without a POST; and each step leaves
// exactly the state it should.
func TestKillJournalAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	perStep, random := 2, 8
	if s := os.Getenv(envKills); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2*len(killSteps) {
			t.Fatalf("%s=%q: want a number of kills, at least %d", envKills, s, 2*len(killSteps))
		}
		perStep = n * 6 / 10 / len(killSteps)
		random = n - perStep*len(killSteps)
	}
	tenant := newKillTenant(t)
	client, err := service.NewClient(service.Config{BaseURL: tenant.parent.URL,
		TokenURL: tenant.parent.URL + "/oauth/v1/token", ClientID: "id", ClientSecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	k := &killer{t: t, dir: t.TempDir(), tenant: tenant, client: client, handed: map[string]string{},
		abandoned: map[string]bool{}, tally: map[string]*stepTally{}}
	start := time.Now()
	for round := range perStep {
		for _, s := range killSteps {
			k.kill(s.name)
		}
		for range random/perStep + boolInt(round < random%perStep) {
			k.kill("random")
		}
	}
	for _, s := range killSteps {
		t.Logf("tally: step %-2s %-48s %s", s.name, "("+s.what+")", k.tally[s.name])
	}
	r := k.tally["random"]
	if r == nil {
		r = &stepTally{}
	}
	var by []string
	for _, m := range randomMarkers {
		by = append(by, fmt.Sprintf("%s %d", m, r.after[m]))
	}
	t.Logf("tally: random kills (last step reached: %s): %s", strings.Join(by, ", "), r)
	t.Logf("tally: %d kills in %s; cashier's retries %d (each then done, charged once), "+
		"left unknown because the balance shows the charge %d, done orders answered from the journal %d, "+
		"torn lines reported %d; failures %d",
		k.kills, time.Since(start).Round(time.Second), k.retried, len(k.abandoned), k.replayed, k.torn, k.failures)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// killer runs the kills on one journal folder and keeps what must hold across them.
type killer struct {
	t      *testing.T
	dir    string
	tenant *killTenant
	client *service.Client

	kills, failures, retried, replayed, torn int
	readyTimes                               []time.Duration   // child start to "ready"
	handed                                   map[string]string // order id → the kill that took it
	abandoned                                map[string]bool   // shown unknown, charged: the cashier does not retry
	problems                                 int               // skipped lines so far (torn ones, closed)
	tally                                    map[string]*stepTally
}

type stepTally struct {
	kills, failures int
	after           map[string]int // random kills by the last step reached
}

func (s *stepTally) String() string {
	if s == nil {
		return "0 kills"
	}
	return fmt.Sprintf("%d kills, %d failures", s.kills, s.failures)
}

// markers collects the child's output lines and passes them on as they come.
type markers struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []string
	ch    chan string
}

func (m *markers) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.buf.Write(p)
	for {
		line, err := m.buf.ReadString('\n')
		if err != nil {
			m.buf.WriteString(line) // incomplete: keep it for the next write
			return len(p), nil
		}
		line = strings.TrimSpace(line)
		m.lines = append(m.lines, line)
		select {
		case m.ch <- line:
		default: // a random child prints more than the parent waits for
		}
	}
}

// kill starts a child for step (a name of killSteps, or "random"), kills it
// there with SIGKILL and checks the journal and the tenant.
func (k *killer) kill(step string) {
	t := k.t
	k.kills++
	tl := k.tally[step]
	if tl == nil {
		tl = &stepTally{after: map[string]int{}}
		k.tally[step] = tl
	}
	tl.kills++
	failed := 0
	fail := func(format string, args ...any) {
		failed++
		t.Errorf("kill %d (step %s): "+format, append([]any{k.kills, step}, args...)...)
	}
	defer func() {
		if failed > 0 {
			tl.failures++
			k.failures++
		}
	}()

	mode, childStep := answerAfterJitter, step
	switch step {
	case "d1":
		mode, childStep = holdBeforeCharge, "d"
	case "d2":
		mode, childStep = chargeThenHold, "d"
	}
	k.tenant.setMode(mode)
	select {
	case <-k.tenant.held:
	default:
	}
	out := &markers{ch: make(chan string, 64)}
	var stderr bytes.Buffer
	var (
		stdin   io.WriteCloser // held open until the child is dead: its end is the child's
		started time.Time
	)
	cmd, err := childproc.Start(func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envKillDir+"="+k.dir, envKillURL+"="+k.tenant.child.URL, envKillStep+"="+childStep)
		cmd.Stdout, cmd.Stderr = out, &stderr
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		started = time.Now()
		return cmd
	}, t.Logf)
	if err != nil {
		t.Fatalf("kill %d: %v", k.kills, err)
	}
	defer stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	// Wait for the moment to kill.
	var delay <-chan time.Time
	if step == "random" && rand.IntN(4) == 0 {
		// During start-up: opening the journal, closing a torn line, the salt.
		delay = time.After(time.Duration(rand.Float64() * 1.2 * float64(k.meanReady())))
	}
	timeout := time.After(2 * time.Minute)
	gone := false
wait:
	for {
		select {
		case line := <-out.ch:
			at, _, _ := strings.Cut(line, " ")
			switch {
			case at == "ready":
				k.readyTimes = append(k.readyTimes, time.Since(started))
				if step == "random" && delay == nil {
					delay = time.After(time.Duration(rand.IntN(30_000)) * time.Microsecond)
				}
			case at == step:
				break wait
			}
		case <-k.tenant.held:
			if childStep == "d" {
				break wait
			}
		case <-delay:
			break wait
		case err := <-exited:
			fail("the child ended by itself (%v): %s %s", err, strings.Join(out.lines, "; "), lastLines(stderr.String(), 5))
			gone = true
			break wait
		case <-timeout:
			fail("step not reached in 2 minutes; output %q", out.lines)
			break wait
		}
	}
	if !gone {
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-exited
	}
	k.tenant.releaseHeld()
	if ok, closedHere := k.tenant.quiet(5*time.Second, time.Minute); !ok {
		fail("the killed child's connections are still open after a minute")
	} else if closedHere > 0 {
		t.Logf("kill %d (step %s): %d connection(s) of the killed child, open and idle after 5 s, closed by the server", k.kills, step, closedHere)
	}
	k.tenant.setMode(answerAfterJitter)

	// What the child said: the ids it took and the last step it reached.
	var ids []string
	last := "start"
	for _, line := range out.lines {
		at, id, _ := strings.Cut(line, " ")
		if !slices.Contains([]string{"ready", "n", "a", "b", "c", "e", "f", "g"}, at) {
			continue
		}
		last = at
		if at == "a" {
			if prev, ok := k.handed[id]; ok {
				fail("order id %s handed out twice (first at kill %s)", id, prev)
			}
			k.handed[id] = strconv.Itoa(k.kills)
			ids = append(ids, id)
		}
	}
	if step != "random" && childStep != "d" && last != step {
		fail("the child's last step is %s", last)
	}
	k.check(step, ids, last, tl, fail)
}

func (k *killer) meanReady() time.Duration {
	if len(k.readyTimes) == 0 {
		return 100 * time.Millisecond
	}
	var sum time.Duration
	for _, d := range k.readyTimes {
		sum += d
	}
	return sum / time.Duration(len(k.readyTimes))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
