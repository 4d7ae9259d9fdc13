package settings

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestNoSessionBus(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		if realNoSessionBus() {
			t.Error("Windows and macOS need no D-Bus")
		}
		return
	}
	runtimeDir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if !realNoSessionBus() {
		t.Error("no address and no socket: want no bus")
	}
	if err := os.WriteFile(filepath.Join(runtimeDir, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if realNoSessionBus() {
		t.Error("$XDG_RUNTIME_DIR/bus exists")
	}
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
	if realNoSessionBus() {
		t.Error("DBUS_SESSION_BUS_ADDRESS is set")
	}
}

func TestUnconfigured(t *testing.T) {
	if r := Resolve(Layer{}, Layer{}, nil, Defaults(), ""); !r.Unconfigured() || !r.NeedsSetup() {
		t.Error("a fresh desk is unconfigured")
	}
	if r := Resolve(Layer{}, Layer{}, nil, Defaults(), "saved"); r.Unconfigured() {
		t.Error("a saved secret is configuration")
	}
	s := Defaults()
	s.Language = "en"
	if r := Resolve(Layer{}, Layer{}, nil, s, ""); !r.Unconfigured() {
		t.Error("a language alone is no connection")
	}
	r := Resolve(Layer{}, Layer{}, nil, Defaults(), "")
	r.ProvisionPath = "/x/ocard-desk.json"
	if r.Unconfigured() {
		t.Error("a provisioning file (even broken) is configuration")
	}
}

func TestSourceString(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range allSources {
		if seen[s.String()] {
			t.Errorf("%d: %q twice", s, s.String())
		}
		seen[s.String()] = true
	}
}

// The package must never pull Fyne in: lookup runs without a display, and the
// service layer's rule is no Fyne import, ever.
func TestNoFyneImport(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-test", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") {
			t.Errorf("depends on %s", pkg)
		}
	}
}
