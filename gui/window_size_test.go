package gui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// The window opens within the screen's work area, whatever the scale.
func TestWindowFitsTheWorkArea(t *testing.T) {
	for _, c := range []struct {
		screenW, screenH int
		scale            float32
	}{{1024, 600, 1}, {1366, 768, 1}, {1366, 768, 1.25}, {1366, 768, 1.5}, {1024, 768, 1.5}, {1920, 1080, 1}} {
		got := fitSize(defaultWindowSize, c.screenW, c.screenH, c.scale)
		if got.Width*c.scale > float32(c.screenW) || got.Height*c.scale > float32(c.screenH) {
			t.Errorf("%dx%d at %v: window %v (%.0fx%.0f px)", c.screenW, c.screenH, c.scale, got, got.Width*c.scale, got.Height*c.scale)
		}
		if got.Width > defaultWindowSize.Width || got.Height > defaultWindowSize.Height {
			t.Errorf("%dx%d at %v: window %v is larger than asked", c.screenW, c.screenH, c.scale, got)
		}
	}
	if got := fitSize(fyne.NewSize(800, 500), 1920, 1080, 1); got != fyne.NewSize(800, 500) {
		t.Errorf("a size that fits was changed to %v", got)
	}
}

// closeInterceptWindow keeps the close intercept, which Fyne's test window drops.
type closeInterceptWindow struct {
	fyne.Window
	intercept func()
}

func (w *closeInterceptWindow) SetCloseIntercept(f func()) { w.intercept = f }

// The window opens at the size kept in the session's settings file (as Fyne wrote it
// before: a whole number), and keeps the size the cashier leaves it at there.
func TestWindowSizeIsKeptInTheSettingsFile(t *testing.T) {
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), settings.DeskFileName)
	prefs := settings.OpenDeskFile(path, "")
	if err := settings.WriteStrings(prefs, map[string]string{settings.WindowWidthKey: "1024", settings.WindowHeightKey: "720"}); err != nil {
		t.Fatal(err)
	}
	w := &closeInterceptWindow{Window: a.NewWindow("desk")}
	closed := false
	keepPlace := placeWindow(a, w, prefs, nil, false, func() bool { return false }, func() { closed = true }, nil)
	if got := w.Canvas().Size(); got != fyne.NewSize(1024, 720) {
		t.Errorf("opened at %v, want the kept 1024x720", got)
	}
	// Told to stop (SIGTERM) with no focus change seen: keepPlace saves it.
	w.Resize(fyne.NewSize(1000, 700))
	keepPlace()
	if got := savedWindowSize(settings.ReadDeskFile(path, "")); got != fyne.NewSize(1000, 700) {
		t.Errorf("keepPlace kept %v, want 1000x700", got)
	}
	w.Resize(fyne.NewSize(900.5, 650))
	w.intercept()
	if !closed {
		t.Error("onClose did not run")
	}
	if got := savedWindowSize(settings.ReadDeskFile(path, "")); got != fyne.NewSize(900.5, 650) {
		t.Errorf("kept %v, want 900.5x650", got)
	}
	for _, kept := range [][2]string{{"", ""}, {"abc", "600"}, {"100", "100"}} {
		kv := &settings.MemoryKV{}
		kv.SetString(settings.WindowWidthKey, kept[0])
		kv.SetString(settings.WindowHeightKey, kept[1])
		if got := savedWindowSize(kv); got != defaultWindowSize {
			t.Errorf("kept %q: %v, want the default", kept, got)
		}
	}
	if got := savedWindowSize(nil); got != defaultWindowSize {
		t.Errorf("no settings: %v", got)
	}
}

// A position is kept as two whole numbers; anything else is no position.
func TestSavedWindowPosition(t *testing.T) {
	for _, c := range []struct {
		x, y string
		ok   bool
	}{{"120", "-8", true}, {"", "", false}, {"1.5", "2", false}, {"12", "", false}} {
		kv := &settings.MemoryKV{}
		kv.SetString(settings.WindowXKey, c.x)
		kv.SetString(settings.WindowYKey, c.y)
		if _, _, ok := savedWindowPosition(kv); ok != c.ok {
			t.Errorf("kept (%q, %q): ok %v, want %v", c.x, c.y, ok, c.ok)
		}
	}
}
