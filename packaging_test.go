package main

// The fast part of the packaging checks, run by `make test`. The full check, which builds
// the .deb, the .tar.xz and the Windows installer and installs it under Wine, is
// `make package-check` (docs/PACKAGING.md): about 16 minutes cold, too long for CI.

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

func TestFyneAppMetadata(t *testing.T) {
	var meta struct {
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
		Migrations  map[string]bool
		LinuxAndBSD map[string]any
	}
	if _, err := toml.DecodeFile("FyneApp.toml", &meta); err != nil {
		t.Fatal(err)
	}
	d := meta.Details
	if d.Name != "Ocard Desk" || strings.Count(d.ID, ".") < 2 || d.Version == "" || d.Build < 1 {
		t.Errorf("[Details] incomplete: %+v", d)
	}
	if _, err := os.Stat(d.Icon); err != nil {
		t.Errorf("icon: %v", err)
	}
	if !meta.Migrations["fyneDo"] {
		t.Error("[Migrations] fyneDo = true is missing: release builds would keep the thread checks' warnings")
	}
	for _, k := range []string{"GenericName", "Categories", "Comment"} {
		if meta.LinuxAndBSD[k] == nil {
			t.Errorf("[LinuxAndBSD] %s missing", k)
		}
	}
}

func TestIconsAtEverySize(t *testing.T) {
	for _, size := range []int{16, 22, 24, 32, 48, 64, 128, 256, 512} {
		dir := filepath.Join("resources", "icons", "hicolor", strconv.Itoa(size)+"x"+strconv.Itoa(size), "apps")
		f, err := os.Open(filepath.Join(dir, "tw.ocard.desk.png"))
		if err != nil {
			t.Errorf("%d px: %v", size, err)
			continue
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != size || cfg.Height != size {
			t.Errorf("%d px icon is %dx%d (%v)", size, cfg.Width, cfg.Height, err)
		}
	}
	if fi, err := os.Stat("resources/icons/ocard-desk.ico"); err != nil || fi.Size() < 1000 {
		t.Errorf("Windows .ico: %v", err)
	}
}

func TestReleaseWorkflow(t *testing.T) {
	data, err := os.ReadFile(".github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("not valid YAML: %v", err)
	}
	if push, ok := wf.On["push"].(map[string]any); !ok || push["tags"] == nil {
		t.Error("the workflow must run on a pushed tag")
	}
	known := []string{"actions/checkout@v4", "actions/setup-go@v5", "actions/upload-artifact@v4",
		"actions/download-artifact@v4", "softprops/action-gh-release@v2"}
	var runs strings.Builder
	for name, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" && !slices.Contains(known, s.Uses) {
				t.Errorf("job %s uses %s, not one of the actions known to exist", name, s.Uses)
			}
			runs.WriteString(s.Run + "\n")
		}
	}
	for _, target := range []string{"package-linux", "package-windows", "package-macos"} {
		if !regexp.MustCompile(`(?m)\bmake\b[^\n]*\b` + target + `\b`).MatchString(runs.String()) {
			t.Errorf("the workflow does not build through make %s", target)
		}
	}
}

func TestPackagingScriptsParse(t *testing.T) {
	for _, s := range []string{"linux", "windows", "macos", "check", "sign-pe", "icons", "lib.sh"} {
		path := filepath.Join(".ci", "package", s)
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", path, err, out)
		}
	}
	nsi, err := os.ReadFile(".ci/package/installer.nsi")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DisplayName", "UninstallString", "QuietUninstallString", "CreateShortCut", "HKLM"} {
		if !strings.Contains(strings.ToLower(string(nsi)), strings.ToLower(want)) { // NSIS is case-insensitive
			t.Errorf("installer.nsi lacks %s", want)
		}
	}
}
