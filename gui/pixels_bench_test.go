package gui

// P3 of docs/BENCHMARKS.md (issue 6): from a service result to the widgets showing it,
// in Fyne's test driver, and proof that a member's text does not wait for a slow avatar.
// `make bench` runs BenchmarkResultToPixels; TestTextShowsWhileSlowAvatarLoads is an
// ordinary test (no timing assertion: the timings are only logged).

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
)

// instantLookup answers every number at once with a member of that number.
type instantLookup struct{ members map[string]service.Member }

func (l instantLookup) LookupMember(_ context.Context, _, mobile string) (service.Member, error) {
	if m, ok := l.members[mobile]; ok {
		return m, nil
	}
	return service.Member{}, service.ErrNotMember
}

// benchDesk is a desk in Fyne's test app whose hops to the UI goroutine arrive on
// queue, so the caller decides when a result reaches the widgets.
func benchDesk(tb testing.TB, opts Options) (*desk, chan func()) {
	tb.Helper()
	a := test.NewTempApp(tb)
	a.Settings().SetTheme(Theme())
	SetLanguage(LangZhTW)
	tb.Cleanup(func() { SetLanguage(LangEnglish) })
	if opts.ShopID == "" {
		opts.ShopID = demo.ShopID
	}
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	opts.IdleClear = -1
	d := buildDesk(a, opts)
	queue := make(chan func(), 64)
	d.runOnUI = func(f func()) { queue <- f }
	// These scans end with Return: the quiet timer of a scan without one would only put
	// a no-op on the queue, between the items the tests and benchmarks wait for.
	d.after = func(time.Duration, func()) {}
	d.win.Resize(goldenWindowSize)
	tb.Cleanup(d.win.Close)
	return d, queue
}

// scan types text into the entry as a scanner does and presses Return.
func scan(d *desk, text string) {
	d.ui.entry.clear()
	test.Type(d.ui.entry, text)
	d.ui.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// BenchmarkResultToPixels times what happens on the UI goroutine once a lookup's
// result arrives (the function the lookup goroutine hands to fyne.Do), alternating
// two members so every result changes the screen:
//
// cpu-ns/op is the process's CPU time in the timed part (GC included), steadier than
// the wall time when other processes share the cores.
//
//	stage=widgets  the state, every label, the carrier codes: the widgets hold the member
//	stage=pixels   the same, then the whole 1024×720 window rendered by the test
//	               driver's software painter (Canvas.Capture, caches dropped first, so
//	               every glyph is rasterised again: an upper bound for a GL frame)
//
// Typing the number and the loading state are outside the timer.
func BenchmarkResultToPixels(b *testing.B) {
	first, second := sampleMember(), sampleMember()
	first.AvatarURL, second.AvatarURL = "", ""
	second.Mobile, second.ID, second.Name = "0911111111", "-KX19A302", "林雅婷"
	second.Card.Points, second.Carrier.Code = 3250, "/AB1.+-C"
	numbers := []string{"0903123123", "0911111111"}
	lookup := instantLookup{members: map[string]service.Member{numbers[0]: first, numbers[1]: second}}
	for _, stage := range []string{"widgets", "pixels"} {
		b.Run("stage="+stage, func(b *testing.B) {
			d, queue := benchDesk(b, Options{Lookup: lookup})
			c := d.win.Canvas()
			var cpu time.Duration // process CPU time inside the timed part
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				scan(d, numbers[i%2])
				show := <-queue // the result, on its way to the UI goroutine
				before := processCPU()
				b.StartTimer()
				show()
				if stage == "pixels" {
					c.Capture()
				}
				b.StopTimer()
				cpu += processCPU() - before
			}
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
			if d.model.state != stateFound || d.ui.panels.found.card.name.Text == "" {
				b.Fatalf("state %s, name %q: the result was not shown", d.model.state, d.ui.panels.found.card.name.Text)
			}
		})
	}
}

// TestTextShowsWhileSlowAvatarLoads looks up the demo member whose avatar the demo
// server sends after 2 s, with the real client and avatar fetcher over loopback: the
// member's name and points are on screen, with the placeholder, while the avatar
// request is still at the server; the avatar replaces the placeholder when it comes.
func TestTextShowsWhileSlowAvatarLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the demo server's 2-second avatar")
	}
	srv, err := demo.Start(demo.Options{AvatarDelay: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := srv.Config()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := service.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, queue := benchDesk(t, Options{Lookup: client, Avatars: service.NewAvatarFetcher(service.AvatarOptions{})})

	start := time.Now()
	scan(d, "0966666666")
	deadline := time.After(10 * time.Second) // turns a hang into a failure; not a timing check
	for d.model.state != stateFound {
		select {
		case f := <-queue:
			f()
		case <-deadline:
			t.Fatalf("state %s: the member never showed", d.model.state)
		}
	}
	textAt := time.Since(start)
	w := d.ui.panels.found.card
	if w.name.Text != "李佳穎" || w.points.Text != "640" || w.avatar.Image != d.placeholderAvatar() {
		t.Fatalf("with the avatar pending: name %q, points %q, placeholder %v", w.name.Text, w.points.Text, w.avatar.Image == d.placeholderAvatar())
	}
	if markup := test.RenderToMarkup(d.win.Canvas()); !strings.Contains(markup, "李佳穎") {
		t.Fatal("the member's name is not in the rendered window")
	}
	// The avatar can only reach the screen through queue, which this goroutine drains:
	// until then the text above is what the cashier sees.
	select {
	case f := <-queue:
		f()
	case <-deadline:
		t.Fatal("the avatar never arrived")
	}
	avatarAt := time.Since(start)
	if w.avatar.Image == d.placeholderAvatar() || w.avatar.Image == nil {
		t.Fatal("the avatar did not replace the placeholder")
	}
	if n := srv.Stats().AvatarRequests; n != 1 {
		t.Errorf("%d avatar requests, want 1", n)
	}
	t.Logf("member text shown after %v; avatar shown after %v (server delay 2s)", textAt.Round(time.Millisecond), avatarAt.Round(time.Millisecond))
}
