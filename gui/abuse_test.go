package gui

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image/color"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// The window under abuse: a thousand scans against a slow server, hostile avatars,
// and what the idle auto-clear leaves behind. (The auto-clear's rendered screen is
// checked by TestIdleAutoClearRemovesTheMember in desk_test.go.)

// slowLookup answers a lookup only when the test releases it; until then the
// lookup waits, as on a slow server, and gives up when the window cancels it.
// Every call is announced on calls.
type slowLookup struct {
	calls chan *slowCall
}

type slowCall struct {
	mobile  string
	release chan struct{} // closed by the test: answer now
}

func (s *slowLookup) LookupMember(ctx context.Context, _, mobile string) (service.Member, error) {
	c := &slowCall{mobile: mobile, release: make(chan struct{})}
	s.calls <- c
	select {
	case <-c.release:
		return abuseMember(mobile), nil
	case <-ctx.Done():
		return service.Member{}, ctx.Err()
	}
}

// abuseMember is the member behind a number, recognisable by its fields.
func abuseMember(mobile string) service.Member {
	return service.Member{
		ID: "M-" + mobile[7:], Name: "Member " + mobile[6:], Mobile: mobile, GroupName: "Tier " + mobile[6:],
		Card: &service.PointCard{Points: 1000 + int64(mobile[9]-'0')},
	}
}

// uiQueue stands in for fyne.Do: the desk's goroutines queue work, the test runs
// it. It is large enough that no goroutine ever waits to queue, and it counts what
// was queued, so the test can wait for a given number of replies.
type uiQueue struct {
	work   chan func()
	queued chan struct{} // one token per queued function
	seen   int           // tokens taken from queued so far (test goroutine only)
}

func newUIQueue() *uiQueue {
	return &uiQueue{work: make(chan func(), 4096), queued: make(chan struct{}, 4096)}
}

func (q *uiQueue) do(f func()) {
	q.work <- f
	q.queued <- struct{}{}
}

// runQueued runs whatever is queued now, without waiting for more.
func (q *uiQueue) runQueued() {
	for {
		select {
		case f := <-q.work:
			f()
		default:
			return
		}
	}
}

// awaitQueued waits until n functions in all have been queued, without running them.
func (q *uiQueue) awaitQueued(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second) // a hang detector
	for q.seen < n {
		select {
		case <-q.queued:
			q.seen++
		case <-deadline:
			t.Fatalf("only %d of %d replies reached the UI queue", q.seen, n)
		}
	}
}

// fullNumberInLog matches a whole mobile number, which no log line may hold.
var fullNumberInLog = regexp.MustCompile(`(?:^|[^0-9.])(?:\+?886|0)9\d{8}(?:[^0-9]|$)`)

// logWatch is a slog destination that counts lines and keeps those holding a full number.
type logWatch struct {
	mu    sync.Mutex
	lines int
	leaks []string
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines++
	if fullNumberInLog.Match(p) {
		w.leaks = append(w.leaks, string(p))
	}
	return len(p), nil
}

func (w *logWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lines == 0 {
		t.Error("nothing was logged: is the debug logger wired?")
	}
	if len(w.leaks) > 0 {
		t.Errorf("log lines with a full number:\n%s", strings.Join(w.leaks, ""))
	}
}

// TestThousandLookupsNoLeakNoStaleMember scans 1000 times in a row, alternating two
// numbers, against a lookup that answers only when released. A quarter of the
// lookups are answered and shown; a quarter are answered but their reply reaches
// the UI goroutine only after the next scan (a stale member, which must be
// dropped); the rest are still waiting when the next scan cancels them. Every drawn
// "found" state must show the member of the number looked up then, the end state
// the last number's member; afterwards no goroutine may be left over, and the
// debug log holds no full number.
//
// Every scan redraws the window, and under the race detector a redraw is some 15
// times slower (over 120 ms on two cores), so with -race the test scans 24 times
// (every path six times over) and with -short 12; without -race, all 1000
// (`go test -run TestThousandLookups ./gui`). OCARD_ABUSE_SCANS=1000 forces the
// count, e.g. for a full run under -race.
func TestThousandLookupsNoLeakNoStaleMember(t *testing.T) {
	scans := 1000
	switch {
	case testing.Short():
		scans = 12
	case raceDetector():
		scans = 24
	}
	if n, err := strconv.Atoi(os.Getenv("OCARD_ABUSE_SCANS")); err == nil && n > 0 {
		scans = n
	}
	numbers := [2]string{"0911111111", "0922222222"}
	lookup := &slowLookup{calls: make(chan *slowCall, 1)}
	logs := &logWatch{}
	h := newHarness(t, LangEnglish, Options{
		Lookup: lookup,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	q := newUIQueue()
	h.d.runOnUI = q.do
	var current string // the number last submitted: the only member that may show
	founds := 0
	h.d.stateObserver = func(s deskState) {
		if s != stateFound {
			return
		}
		founds++
		m, w := h.d.model, h.d.ui.panels.found.card
		want := abuseMember(current)
		if m.mobile != current || m.member.ID != want.ID || w.name.Text != want.Name || w.tier.Text != want.GroupName {
			t.Errorf("while %s was looked up, the window drew member %q (model number %s, name %q)",
				current, m.member.ID, m.mobile, w.name.Text)
		}
	}
	runtime.GC()
	before := runtime.NumGoroutine()

	var call *slowCall
	for i := range scans {
		current = numbers[i%2]
		if i%10 == 0 {
			h.submit(current) // typed into the entry, as a scanner does
		} else {
			h.d.onSubmit(current) // what Return in the entry calls, without the typing
		}
		q.runQueued() // replies of earlier lookups: all stale by now
		select {
		case call = <-lookup.calls:
		case <-time.After(10 * time.Second): // a hang detector
			t.Fatalf("scan %d: no lookup started", i)
		}
		if call.mobile != current {
			t.Fatalf("scan %d: looked up %s, want %s", i, call.mobile, current)
		}
		switch i % 4 {
		case 0: // answered and shown
			close(call.release)
			for h.d.model.state != stateFound {
				q.awaitQueued(t, q.seen+1)
				q.runQueued()
			}
		case 1: // answered, but its reply is still queued when the next scan comes
			q.awaitQueued(t, i) // every earlier lookup has answered or been cancelled
			close(call.release)
			q.awaitQueued(t, i+1) // so the one more reply queued is this one
		}
		// Otherwise still waiting: the next scan cancels it.
	}
	wantFounds := (scans + 3) / 4 // the scans answered and shown
	if (scans-1)%4 >= 2 {
		close(call.release) // the last scan's lookup answers now
	}
	if (scans-1)%4 != 0 {
		wantFounds++ // and its member is drawn below
	}
	q.awaitQueued(t, scans)
	q.runQueued()

	if founds != wantFounds {
		t.Errorf("%d found states drawn, want %d", founds, wantFounds)
	}
	last := abuseMember(numbers[(scans-1)%2])
	if h.d.model.state != stateFound || h.d.model.member.ID != last.ID || h.d.ui.panels.found.card.name.Text != last.Name {
		t.Errorf("end state %s showing %q, want the last number's member %q", h.d.model.state, h.d.ui.panels.found.card.name.Text, last.Name)
	}
	// Every lookup goroutine has queued its reply; once they have returned, the
	// count is back where it was. A leak would be hundreds.
	const slack = 5
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+slack && time.Now().Before(deadline) {
		runtime.Gosched() // a poll for a condition, with a deadline
	}
	if after := runtime.NumGoroutine(); after > before+slack {
		t.Errorf("goroutines: %d before the scans, %d after: leaked", before, after)
	}
	logs.check(t)
}

// pngClaiming is a tiny PNG (signature and IHDR only) that claims w×h pixels.
func pngClaiming(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	buf.Write(chunk)
	_ = binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return buf.Bytes()
}

// TestHostileAvatarKeepsPlaceholder: with the real avatar fetcher against hostile
// avatar servers, the member's text shows at once, the failed avatar leaves the
// placeholder, and nothing else on screen changes.
func TestHostileAvatarKeepsPlaceholder(t *testing.T) {
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	mux := http.NewServeMux()
	mux.HandleFunc("/not-an-image", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		fmt.Fprint(w, "<html>Access denied</html>")
	})
	mux.HandleFunc("/50mb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < 50_000_000 && r.Context().Err() == nil; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(pngClaiming(20000, 20000)) })
	mux.HandleFunc("/slow", func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/gone", http.NotFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// One window for all of them, as at the counter: a harness costs more than a lookup.
	avatars := service.NewAvatarFetcher(service.AvatarOptions{Timeout: 300 * time.Millisecond})
	h := newHarness(t, LangEnglish, Options{Avatars: avatars})
	for i, tc := range []struct{ name, url string }{
		{"not an image", srv.URL + "/not-an-image"},
		{"50 MB", srv.URL + "/50mb"},
		{"PNG claiming 20000x20000", srv.URL + "/bomb"},
		{"slow", srv.URL + "/slow"},
		{"redirect to file", srv.URL + "/to-file"},
		{"404", srv.URL + "/gone"},
		{"file URL", "file:///etc/passwd"},
		{"data URL", "data:image/png;base64,iVBORw0KGgo="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mobile := fmt.Sprintf("09000000%02d", i)
			m := sampleMember()
			m.AvatarURL = tc.url
			h.lookup.set(mobile, reply{member: m})
			h.submit(mobile)
			h.waitState(stateFound)
			shown := strings.Join(memberTexts(h.d.win.Content()), "\n")
			if h.d.ui.panels.found.card.name.Text != "Chien YH" || h.d.ui.panels.found.card.avatar.Image != h.d.placeholderAvatar() {
				t.Fatal("the member's text must show, with the placeholder, while the avatar loads")
			}
			h.runNext() // the avatar's outcome reaches the UI goroutine
			// (Fyne keeps the decoded placeholder in Image; Resource says what is shown.)
			if h.d.ui.panels.found.card.avatar.Image != h.d.placeholderAvatar() {
				t.Error("a failed avatar replaced the placeholder")
			}
			if h.d.model.state != stateFound || h.d.model.err != nil {
				t.Errorf("state %s, err %v after a failed avatar", h.d.model.state, h.d.model.err)
			}
			if after := strings.Join(memberTexts(h.d.win.Content()), "\n"); after != shown {
				t.Errorf("the failed avatar changed the window's text:\n%s\nbecame\n%s", shown, after)
			}
		})
	}
}

// memberTexts gathers every text the widgets hold, hidden ones included.
func memberTexts(o fyne.CanvasObject) []string {
	var out []string
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			out = append(out, memberTexts(c)...)
		}
	case *container.Scroll:
		out = append(out, memberTexts(w.Content)...)
	case *widget.Card:
		out = append(out, w.Title, w.Subtitle)
		if w.Content != nil {
			out = append(out, memberTexts(w.Content)...)
		}
	case *widget.Label:
		out = append(out, w.Text)
	case *widget.Button:
		out = append(out, w.Text)
	case *deskButton:
		out = append(out, w.Text)
	case *numberEntry:
		out = append(out, w.Text)
	case *canvas.Text:
		out = append(out, w.Text)
	}
	return out
}

// idleClearedDesk shows the sample member (avatar and carrier codes drawn) and
// lets the idle auto-clear remove it.
func idleClearedDesk(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, LangEnglish, Options{IdleClear: 20 * time.Millisecond, Avatars: &fakeAvatars{img: solidImage(color.Black)}})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	h.runNext() // the avatar arrives
	if h.d.ui.panels.found.card.avatar.Image == h.d.placeholderAvatar() || h.d.ui.panels.found.carrier.barcode.img.Image == nil || h.d.ui.panels.found.carrier.qr.img.Image == nil {
		t.Fatal("the member is not fully on screen before the auto-clear")
	}
	h.fireIdle()
	h.waitState(stateIdle)
	return h
}

// TestIdleAutoClearDropsImagesAndState adds to TestIdleAutoClearRemovesTheMember
// (which checks the rendered screen): the avatar, the carrier's barcode and QR
// code, the model, the recent list and the last number are all gone.
func TestIdleAutoClearDropsImagesAndState(t *testing.T) {
	h := idleClearedDesk(t)
	w, codes := h.d.ui.panels.found.card, h.d.ui.panels.found.carrier
	if w.avatar.Image != h.d.placeholderAvatar() || codes.barcode.img.Image != nil || codes.qr.img.Image != nil {
		t.Error("after the auto-clear the avatar or a carrier code is still held")
	}
	if h.d.model.member.ID != "" || h.d.model.mobile != "" || len(h.d.model.recent) != 0 || h.d.lastLookup != "" || h.d.lastSubmit != "" {
		t.Errorf("after the auto-clear the model still holds member %q, number %q, recent %v, last %q/%q",
			h.d.model.member.ID, h.d.model.mobile, h.d.model.recent, h.d.lastLookup, h.d.lastSubmit)
	}
	for _, text := range memberTexts(h.d.win.Content()) {
		for _, s := range []string{"Chien YH", "JR04E188", "14,518", "0903123123", "0903515908"} {
			if strings.Contains(text, s) {
				t.Errorf("after the auto-clear a widget still holds %q (%q)", s, text)
			}
		}
	}
}

// TestIdleAutoClearEmptiesHiddenWidgets: no widget, shown or hidden, may keep the
// member's data after the auto-clear.
func TestIdleAutoClearEmptiesHiddenWidgets(t *testing.T) {
	h := idleClearedDesk(t)
	m := sampleMember()
	for _, text := range memberTexts(h.d.win.Content()) {
		for _, s := range []string{m.Name, m.ID, m.GroupName, "14,518", "1,579", "14,188", m.Card.Title, m.Carrier.Code} {
			if strings.Contains(text, s) {
				t.Errorf("after the auto-clear a widget still holds %q (%q)", s, text)
			}
		}
	}
}

// TestIdleAutoClearLeavesNoMaskedNumber: the hidden loading panel keeps the last
// lookup's masked number.
func TestIdleAutoClearLeavesNoMaskedNumber(t *testing.T) {
	h := idleClearedDesk(t)
	for _, text := range memberTexts(h.d.win.Content()) {
		if strings.Contains(text, "0903***123") {
			t.Errorf("after the auto-clear a hidden widget still holds %q", text)
		}
	}
}

// TestIdleAutoClearLeavesNothingToUndo: Ctrl+Z after the auto-clear must not bring
// the previous customer's number back.
func TestIdleAutoClearLeavesNothingToUndo(t *testing.T) {
	h := idleClearedDesk(t)
	h.d.ui.entry.TypedShortcut(&fyne.ShortcutUndo{})
	if got := h.d.ui.entry.Text; got != "" {
		t.Errorf("Ctrl+Z after the auto-clear brings back %q", got)
	}
}

// raceDetector reports whether the test binary was built with -race.
func raceDetector() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}
