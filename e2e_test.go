//go:build linux

package main

// End-to-end tests: the real ocard-desk binary, in a real X server (Xvfb), driven by
// xdotool the way a USB barcode scanner drives it, and checked through the app's own
// structured log, a screenshot compared with a reference, and a barcode reader (zbarimg)
// reading the carrier back off the screen. `make test` installs the tools; -short skips.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/demo"
)

// e2eWindow is the window's size; the app opens at it and screenshots are cropped to it.
var e2eWindow = image.Rect(0, 0, 1024, 720)

func TestEndToEndScannerInXvfb(t *testing.T) {
	env := newE2E(t)
	app := env.startApp("--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")

	env.scan("0903123123")
	app.waitState("found", "-JR04E188")
	shot, codes := env.screenshotWithCodes("/XXX1XXX")
	for _, want := range []string{"CODE-39:/XXX1XXX", "QR-Code:/XXX1XXX"} {
		if !contains(codes, want) {
			t.Errorf("zbarimg read %v, want %s", codes, want)
		}
	}
	env.compareWithReference(shot, "testdata/e2e-found-zh-TW.png")

	// Two scans back to back: only the second member may remain on screen.
	env.scan("0911111111")
	env.scan("0955555555")
	app.waitState("found", "-ZZ99K001")
	_, codes = env.screenshotWithCodes("/Z9+8-7.")
	for _, stale := range []string{"/XXX1XXX", "/AB1.+-C"} {
		for _, c := range codes {
			if strings.HasSuffix(c, stale) {
				t.Errorf("a previous member's carrier %s is still on screen: %v", stale, codes)
			}
		}
	}
	if last := app.lastState(); last.State != "found" || last.MemberID != "-ZZ99K001" {
		t.Errorf("last state logged = %+v, want the second member", last)
	}

	// A scanner set to send no Enter or Tab: the number alone is looked up.
	env.xdotool("type", "--delay", "2", "0903123123")
	app.waitState("found", "-JR04E188")

	app.stop()
	logs := app.stderrText()
	for _, full := range []string{"0903123123", "0911111111", "0955555555", "0903515908"} {
		if strings.Contains(logs, full) {
			t.Errorf("a full phone number (%s) reached the log", full)
		}
	}
	for _, bad := range []string{"Error in Fyne call thread", "DATA RACE", "panic:"} {
		if strings.Contains(logs, bad) {
			t.Errorf("the app's stderr reports %q:\n%s", bad, logs)
		}
	}
}

// TestScreenshotsForDocs writes docs/screenshots/*.png; run with
// OCARD_SCREENSHOTS=docs/screenshots go test -run TestScreenshotsForDocs .
func TestScreenshotsForDocs(t *testing.T) {
	dir := os.Getenv("OCARD_SCREENSHOTS")
	if dir == "" {
		t.Skip("set OCARD_SCREENSHOTS=dir to write the documentation screenshots")
	}
	for _, lang := range []string{"zh-TW", "en"} {
		env := newE2E(t)
		app := env.startApp("--demo", "--log-json", "--lang", lang, "--idle-clear", "0")
		app.waitState("idle", "")
		env.xdotool("mousemove", "1270", "790") // no hover highlight in the pictures
		blank := image.NewRGBA(e2eWindow)
		idle := env.settledScreenshot(blank)
		writePNG(t, filepath.Join(dir, "idle-"+lang+".png"), idle)
		for _, c := range []struct{ name, mobile, state string }{
			{"found", "0911111111", "found"}, {"not-member", "0987654321", "not_member"},
			{"error", "0900000002", "error"}, {"invalid", "12345", "invalid"},
		} {
			env.scan(c.mobile)
			app.waitState(c.state, "")
			writePNG(t, filepath.Join(dir, c.name+"-"+lang+".png"), env.settledScreenshot(idle))
			env.key("Escape")
			app.waitState("idle", "")
			env.settledScreenshot(blank)
		}
		// Rewards (F2) and a redemption's confirmation.
		env.scan("0911111111")
		app.waitPoints("-KX19A302", "")
		env.settledScreenshot(idle)
		env.key("F2")
		app.waitPoints("-KX19A302", "shown")
		rewards := env.settledScreenshot(idle)
		writePNG(t, filepath.Join(dir, "rewards-"+lang+".png"), rewards)
		env.key("Tab")
		env.key("Tab")
		env.key("Return")
		app.waitLog(`"msg":"redeem asked"`)
		writePNG(t, filepath.Join(dir, "redeem-confirm-"+lang+".png"), env.settledScreenshot(rewards))
		// An unknown outcome (0900000005 is answered too late) and the Unresolved list.
		env.key("Escape")
		env.key("Escape")
		env.key("Escape")
		app.waitState("idle", "")
		env.scan("0900000005")
		app.waitLine("the member", func(s stateLine) bool { return s.State == "found" && s.Rewards == "" })
		env.key("F2")
		app.waitLine("the rewards", func(s stateLine) bool { return s.State == "found" && s.Rewards == "shown" })
		env.key("Tab")
		env.key("Tab")
		env.key("Return")
		app.waitOrderID(`"msg":"redeem asked","points":(50)`, 2)
		env.key("shift+Tab")
		env.key("Return")
		app.waitOrderID(`"msg":"redeem outcome unknown","order_id":"(\d+)"`, 1)
		unknown := env.settledScreenshot(rewards)
		writePNG(t, filepath.Join(dir, "redeem-unknown-"+lang+".png"), unknown)
		env.key("Escape")
		writePNG(t, filepath.Join(dir, "rewards-unresolved-"+lang+".png"), env.settledScreenshot(unknown))
		app.stop()
	}
	// A franchise desk: one provisioning file for every shop, on the demo server.
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	prov := filepath.Join(t.TempDir(), "ocard-desk.json")
	provJSON := fmt.Sprintf(`{"base_url": %q, "token_url": %q, "client_id": %q, "client_secret": %q,
		"shops": [{"id": "000030", "name": "信義店"}, {"id": "000031", "name": "中山店"}, {"id": "000032", "name": "板橋店"}],
		"default_shop": "000030", "locked": true}`, srv.BaseURL(), srv.TokenURL(), demo.ClientID, demo.ClientSecret)
	if err := os.WriteFile(prov, []byte(provJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	multi := newE2E(t)
	app := multi.startApp("--config", prov, "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	multi.scan("0911111111")
	app.waitPoints("-KX19A302", "")
	writePNG(t, filepath.Join(dir, "multi-shop-zh-TW.png"), multi.settledScreenshot(image.NewRGBA(e2eWindow)))
	app.stop()

	// A 1366×768 screen at 125 %: the window fits, the codes are whole pixels.
	e := &e2e{t: t, bin: buildApp(t), config: t.TempDir(), env: []string{"FYNE_SCALE=1.25"}}
	e.display = startXvfb(t, "1366x768")
	app = e.startApp("--demo", "--log-json", "--lang", "zh-TW", "--idle-clear", "0")
	app.waitState("idle", "")
	e.scan("0911111111")
	app.waitPoints("-KX19A302", "")
	shot, _ := e.rootWithCodes([]string{"CODE-39:/AB1.+-C", "QR-Code:/AB1.+-C"})
	writePNG(t, filepath.Join(dir, "found-1366x768-125-zh-TW.png"), shot)
	app.stop()
}

type e2e struct {
	t       *testing.T
	bin     string
	display string
	config  string // the app's config folder: its preferences and secret file, not the developer's
	env     []string
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end window test skipped with -short")
	}
	skipWithoutX11(t)
	for _, tool := range []string{"Xvfb", "xdotool", "import", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run `make deps` (Debian: xvfb xdotool imagemagick zbar-tools)", tool)
		}
	}
	e := &e2e{t: t, bin: buildApp(t), config: t.TempDir()}
	e.display = startXvfb(t, "1280x800")
	e.rememberWindowSize(e2eWindow.Dx(), e2eWindow.Dy())
	return e
}

// skipWithoutX11 skips the end-to-end window tests where the app does not draw on an
// X server: they start Xvfb and drive the window with xdotool. On Windows the packaged
// app's window is driven under Wine by make package-check; on macOS nothing drives it.
func skipWithoutX11(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
	default:
		t.Skipf("the end-to-end window tests drive an X server (Xvfb, xdotool); the app on %s draws on no X server", runtime.GOOS)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// builtDirs are the folders of the binaries the tests built themselves (without
// OCARD_E2E_BIN_DIR): about 100 MB each, left in the temp folder by every run before.
var builtDirs struct {
	sync.Mutex
	dirs []string
}

// madeBuildDir is os.MkdirTemp for a test-built binary; TestMain removes the folder.
func madeBuildDir(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err == nil {
		builtDirs.Lock()
		builtDirs.dirs = append(builtDirs.dirs, dir)
		builtDirs.Unlock()
	}
	return dir, err
}

// TestMain removes the binaries the tests built once every test has ended (a test
// binary killed by its -timeout leaves them).
func TestMain(m *testing.M) {
	code := m.Run()
	builtDirs.Lock()
	for _, dir := range builtDirs.dirs {
		_ = os.RemoveAll(dir)
	}
	builtDirs.Unlock()
	os.Exit(code)
}

// buildApp builds the binary once per test run, with the race detector and with Fyne's
// thread checks on (no migrated_fynedo tag), so the e2e run also hunts threading bugs.
// Under `make test` it is already built (see prebuilt).
func buildApp(t *testing.T) string {
	buildOnce.Do(func() {
		if bin, ok, err := prebuilt("ocard-desk-race"); ok {
			builtBin, buildErr = bin, err
			return
		}
		dir, err := madeBuildDir("ocard-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "ocard-desk")
		out, err := exec.Command("go", "build", "-race", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// prebuilt returns the binary name in $OCARD_E2E_BIN_DIR, when that is set: `make test`
// (.ci/test) builds the three binaries of these tests there, with exactly the flags of
// buildApp and buildRelease, before the tests start. So each build variant is compiled
// once per run (the race one together with the race test binaries), and the build's
// minutes on an empty cache do not count against the test binary's -timeout.
func prebuilt(name string) (bin string, ok bool, err error) {
	dir := os.Getenv("OCARD_E2E_BIN_DIR")
	if dir == "" {
		return "", false, nil
	}
	bin = filepath.Join(dir, name)
	if _, err := os.Stat(bin); err != nil {
		return "", true, fmt.Errorf("OCARD_E2E_BIN_DIR is set but holds no %s (.ci/test builds it): %v", name, err)
	}
	return bin, true, nil
}

// startXvfb starts a private X server and returns its display. -displayfd makes Xvfb
// pick a free display and report it once it accepts connections: no polling.
func startXvfb(t *testing.T, screen string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", screen+"x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report a display")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb did not start")
	}
	return ""
}

// stateLine is one structured log line of the app's state changes.
type stateLine struct {
	Msg      string `json:"msg"`
	State    string `json:"state"`
	MemberID string `json:"member_id"`
	Points   *int64 `json:"points"`
	Rewards  string `json:"rewards"`
	Mobile   string `json:"mobile"` // masked
	Err      string `json:"err"`
	// NotMobile says what a text that is not a number looked like (state invalid).
	NotMobile string `json:"not_mobile"`
}

type runningApp struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	log    bytes.Buffer
	states []stateLine
	change chan struct{}
	next   int // states consumed by waitState
}

// rememberWindowSize writes the window size the app remembers (gui/window_size.go) into
// Fyne's preferences, as a cashier's last session of an older version would have left
// it: the app's first start brings it over into its own settings file (the migration,
// settings.OpenDeskFile), so every window test also tests that. The reference
// screenshots are of a 1024×720 window.
func (e *e2e) rememberWindowSize(width, height int) {
	e.t.Helper()
	dir := filepath.Join(e.config, "fyne", "tw.ocard.desk")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		e.t.Fatal(err)
	}
	prefs := fmt.Sprintf(`{"window.width":%d,"window.height":%d}`, width, height)
	if err := os.WriteFile(filepath.Join(dir, "preferences.json"), []byte(prefs), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *e2e) startApp(args ...string) *runningApp {
	e.t.Helper()
	cmd := exec.Command(e.bin, args...)
	// The app's log folder too (XDG_STATE_HOME): not the developer's, and no run marker
	// left by an earlier test's kill puts a notice into this test's screenshots.
	cmd.Env = append(os.Environ(), "DISPLAY="+e.display, "LANG=C.UTF-8", "LANGUAGE=", "XDG_CONFIG_HOME="+e.config,
		"XDG_STATE_HOME="+filepath.Join(e.config, "state"))
	cmd.Env = append(cmd.Env, e.env...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	a := &runningApp{t: e.t, cmd: cmd, change: make(chan struct{}, 1)}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(a.stop)
	go a.readLog(pipe)
	// The window exists once xdotool finds it; give it the keyboard focus, as a cashier's click would.
	search := exec.Command("xdotool", "search", "--sync", "--onlyvisible", "--name", "Ocard Desk")
	search.Env = append(os.Environ(), "DISPLAY="+e.display)
	out, err := search.Output()
	if err != nil {
		e.t.Fatalf("window never appeared: %v\n%s", err, a.stderrText())
	}
	wid := strings.Fields(string(out))[0]
	e.xdotool("windowfocus", "--sync", wid)
	return a
}

func (a *runningApp) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		var s stateLine
		a.mu.Lock()
		a.log.Write(line)
		a.log.WriteByte('\n')
		if json.Unmarshal(line, &s) == nil && s.Msg == "state" {
			a.states = append(a.states, s)
		}
		a.mu.Unlock()
		select {
		case a.change <- struct{}{}:
		default:
		}
	}
}

// waitState waits for the next logged state to reach want (and memberID, when given).
func (a *runningApp) waitState(want, memberID string) {
	a.t.Helper()
	a.waitLine(fmt.Sprintf("state %s %s", want, memberID), func(s stateLine) bool {
		return s.State == want && (memberID == "" || s.MemberID == memberID)
	})
}

// waitLine waits for the next logged state line that match accepts, and returns it.
func (a *runningApp) waitLine(what string, match func(stateLine) bool) stateLine {
	a.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		a.mu.Lock()
		for ; a.next < len(a.states); a.next++ {
			if s := a.states[a.next]; match(s) {
				a.next++
				a.mu.Unlock()
				return s
			}
		}
		a.mu.Unlock()
		select {
		case <-a.change:
		case <-deadline:
			a.t.Fatalf("%s never logged; log:\n%s", what, a.stderrText())
		}
	}
}

func (a *runningApp) lastState() stateLine {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.states) == 0 {
		return stateLine{}
	}
	return a.states[len(a.states)-1]
}

func (a *runningApp) stderrText() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.log.String()
}

func (a *runningApp) stop() {
	if a.cmd.ProcessState == nil {
		_ = a.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = a.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = a.cmd.Process.Kill()
			<-done
		}
	}
}

func (e *e2e) xdotool(args ...string) {
	e.t.Helper()
	if out, err := e.xdotoolOutput(args...); err != nil {
		e.t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

// xdotoolOutput runs xdotool on the test's display and returns what it printed.
func (e *e2e) xdotoolOutput(args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+e.display)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// scan types like a USB scanner: characters 2 ms apart, then Return.
func (e *e2e) scan(text string) {
	e.xdotool("type", "--delay", "2", text)
	e.key("Return")
}

func (e *e2e) key(name string) { e.xdotool("key", name) }

// screenshot grabs the window's area of the screen.
func (e *e2e) screenshot() image.Image {
	e.t.Helper()
	return e.grab("-crop", fmt.Sprintf("%dx%d+0+0", e2eWindow.Dx(), e2eWindow.Dy()))
}

// rootScreenshot grabs the whole screen.
func (e *e2e) rootScreenshot() image.Image {
	e.t.Helper()
	return e.grab()
}

// grab runs ImageMagick's import on the root window with the extra options.
func (e *e2e) grab(options ...string) image.Image {
	e.t.Helper()
	args := append(append([]string{"-window", "root"}, options...), "png:-")
	cmd := exec.Command("import", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+e.display)
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		e.t.Fatalf("screenshot: %v", err)
	}
	return img
}

// settledScreenshot waits for the screen to differ from before and then to hold still
// for one more grab: the app logs a state just before the frame showing it is painted.
func (e *e2e) settledScreenshot(before image.Image) image.Image {
	e.t.Helper()
	var last image.Image
	for attempt := 0; attempt < 100; attempt++ {
		img := e.screenshot()
		if differingPixels(img, before) == 0 {
			continue
		}
		if last != nil && differingPixels(img, last) == 0 {
			return img
		}
		last = img
	}
	e.t.Fatal("the screen never settled")
	return nil
}

func differingPixels(a, b image.Image) int {
	n := 0
	r := a.Bounds().Intersect(b.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if colorDistance(a.At(x, y), b.At(x, y)) > 0 {
				n++
			}
		}
	}
	return n
}

// screenshotWithCodes takes screenshots until zbarimg reads carrier from one (the state
// is logged just before the frame is painted), and returns it with every code read.
func (e *e2e) screenshotWithCodes(carrier string) (image.Image, []string) {
	e.t.Helper()
	var codes []string
	for attempt := 0; attempt < 50; attempt++ {
		img := e.screenshot()
		codes = readCodes(e.t, img)
		n := 0
		for _, c := range codes {
			if strings.HasSuffix(c, ":"+carrier) {
				n++
			}
		}
		if n >= 2 {
			return img, codes
		}
	}
	e.t.Fatalf("zbarimg never read %s as both Code 39 and QR; last read %v", carrier, codes)
	return nil, nil
}

func readCodes(t *testing.T, img image.Image) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "shot.png")
	writePNG(t, f, img)
	out, _ := exec.Command("zbarimg", "-q", f).Output() // exit 4 means "no code found"
	return strings.Fields(string(out))
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// compareWithReference fails when more than 3% of the pixels differ clearly from the
// reference. The tolerance absorbs the blinking caret and an avatar that may or may not
// load from the internet; a missing glyph, a moved panel or a lost code exceeds it.
// OCARD_E2E_UPDATE=1 rewrites the reference.
func (e *e2e) compareWithReference(got image.Image, refPath string) {
	e.t.Helper()
	if os.Getenv("OCARD_E2E_UPDATE") == "1" {
		writePNG(e.t, refPath, got)
		return
	}
	f, err := os.Open(refPath)
	if err != nil {
		e.t.Fatalf("reference: %v (OCARD_E2E_UPDATE=1 writes it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		e.t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		e.t.Fatalf("screenshot is %v, reference %v", got.Bounds(), want.Bounds())
	}
	differ := 0
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if colorDistance(got.At(x, y), want.At(x, y)) > 48 {
				differ++
			}
		}
	}
	if ratio := float64(differ) / float64(b.Dx()*b.Dy()); ratio > 0.03 {
		// Kept where a developer finds it after the run (t.TempDir is gone by then);
		// testdata/failed/ is ignored by git, like the goldens' failures.
		failed := filepath.Join("testdata", "failed", strings.ReplaceAll(e.t.Name(), "/", "_")+"-"+filepath.Base(refPath))
		if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
			e.t.Fatal(err)
		}
		writePNG(e.t, failed, got)
		e.t.Errorf("%.1f%% of the pixels differ from %s (actual: %s)", ratio*100, refPath, failed)
	}
}

func colorDistance(a, b interface{ RGBA() (r, g, b, a uint32) }) uint32 {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) uint32 {
		if x > y {
			return (x - y) >> 8
		}
		return (y - x) >> 8
	}
	return max(d(ar, br), d(ag, bg), d(ab, bb))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
