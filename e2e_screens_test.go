//go:build linux

package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestCodesReadableOnEveryScreen: on the screens front desks have (1024×600, 1366×768,
// 1920×1080) at the scales Windows offers them (100 %, 125 %, 150 %), the window opens
// within the screen, and a barcode reader reads both carrier codes off a screenshot, and
// off the same screenshot shrunk to half its size (a scanner held at arm's length).
func TestCodesReadableOnEveryScreen(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end window test skipped with -short")
	}
	skipWithoutX11(t)
	for _, c := range []struct {
		screen string
		scale  string
	}{
		{"1024x600", "1"}, {"1366x768", "1"}, {"1366x768", "1.25"}, {"1366x768", "1.5"},
		{"1024x768", "1.5"}, {"1920x1080", "1"}, {"1920x1080", "1.25"},
	} {
		t.Run(c.screen+"@"+c.scale, func(t *testing.T) {
			e := &e2e{t: t, bin: buildApp(t), config: t.TempDir(), env: []string{"FYNE_SCALE=" + c.scale}}
			e.display = startXvfb(t, c.screen)
			app := e.startApp("--demo", "--log-json", "--idle-clear", "0")
			app.waitState("idle", "")
			e.scan("0911111111")
			app.waitState("found", "-KX19A302")

			w, h := e.windowSize()
			sw, sh := screenSize(t, c.screen)
			if w > sw || h > sh {
				t.Errorf("the window is %dx%d on a %s screen", w, h, c.screen)
			}
			want := []string{"CODE-39:/AB1.+-C", "QR-Code:/AB1.+-C"}
			shot, codes := e.rootWithCodes(want)
			if !contains(codes, want[0]) || !contains(codes, want[1]) {
				keepFailed(t, shot)
				t.Fatalf("read %v off the screen, want %v", codes, want)
			}
			if half := readCodes(t, shrink(t, shot)); !contains(half, want[0]) || !contains(half, want[1]) {
				keepFailed(t, shot)
				t.Errorf("read %v off the screenshot at half size, want %v", half, want)
			}
			app.stop()
		})
	}
}

// rootWithCodes screenshots the whole screen until both codes read, scrolling the
// member down a step at a time: on a small logical screen the codes sit below the member.
func (e *e2e) rootWithCodes(want []string) (image.Image, []string) {
	e.t.Helper()
	var shot image.Image
	var codes []string
	for step := 0; step < 8; step++ {
		shot = e.rootScreenshot()
		if codes = readCodes(e.t, shot); contains(codes, want[0]) && contains(codes, want[1]) {
			return shot, codes
		}
		w, h := e.windowSize()
		e.xdotool("mousemove", strconv.Itoa(w*2/3), strconv.Itoa(h*3/4))
		e.xdotool("click", "--repeat", "3", "5") // the wheel, down
	}
	return shot, codes
}

var geometry = regexp.MustCompile(`Geometry: (\d+)x(\d+)`)

// windowSize is the app window's size on screen, in pixels.
func (e *e2e) windowSize() (int, int) {
	e.t.Helper()
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", "Ocard Desk", "getwindowgeometry")
	cmd.Env = append(os.Environ(), "DISPLAY="+e.display)
	out, err := cmd.Output()
	m := geometry.FindSubmatch(out)
	if err != nil || m == nil {
		e.t.Fatalf("window geometry: %v %s", err, out)
	}
	w, _ := strconv.Atoi(string(m[1]))
	h, _ := strconv.Atoi(string(m[2]))
	return w, h
}

func screenSize(t *testing.T, s string) (int, int) {
	var w, h int
	if _, err := fmt.Sscanf(s, "%dx%d", &w, &h); err != nil {
		t.Fatal(err)
	}
	return w, h
}

// shrink scales img to half its size, as ImageMagick does (a box filter).
func shrink(t *testing.T, img image.Image) image.Image {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "half.png")
	writePNG(t, in, img)
	if b, err := exec.Command("convert", in, "-resize", "50%", out).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	half, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return half
}

// keepFailed keeps a failing screenshot where a developer finds it (testdata/failed/).
func keepFailed(t *testing.T, img image.Image) {
	path := filepath.Join("testdata", "failed", regexp.MustCompile(`[^A-Za-z0-9.@-]+`).ReplaceAllString(t.Name(), "_")+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
		writePNG(t, path, img)
		t.Logf("screenshot kept in %s", path)
	}
}
