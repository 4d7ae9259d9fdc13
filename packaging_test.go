package main

// The fast part of the packaging checks, run by `make test`. The full check, which builds
// the .deb, the .tar.xz and the Windows installer and installs it under Wine, is
// `make package-check` (docs/PACKAGING.md): about 16 minutes cold, too long for CI.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"image/png"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
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
	for _, s := range []string{"linux", "windows", "msi", "macos", "check", "sign-pe", "icons", "lib.sh", "../check-fresh"} {
		path := filepath.Join(".ci", "package", s)
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", path, err, out)
		}
	}
	// The MSI: well-formed, and the UpgradeCode every release shares (a new one would install
	// beside the old version instead of upgrading it).
	wxs, err := os.ReadFile(".ci/package/ocard-desk.wxs")
	if err != nil {
		t.Fatal(err)
	}
	var product struct {
		Product struct {
			UpgradeCode string `xml:"UpgradeCode,attr"`
			Package     struct {
				InstallScope string `xml:"InstallScope,attr"`
			} `xml:"Package"`
			MajorUpgrade *struct{} `xml:"MajorUpgrade"`
		} `xml:"Product"`
	}
	if err := xml.Unmarshal(wxs, &product); err != nil {
		t.Fatalf("ocard-desk.wxs: %v", err)
	}
	p := product.Product
	if !strings.EqualFold(p.UpgradeCode, "6d21702e-8c7e-417a-aefe-10c6b157c1cc") || p.MajorUpgrade == nil ||
		p.Package.InstallScope != "perMachine" {
		t.Errorf("ocard-desk.wxs: UpgradeCode %q (must stay 6d21702e-…), MajorUpgrade %v, InstallScope %q",
			p.UpgradeCode, p.MajorUpgrade != nil, p.Package.InstallScope)
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

// TestBuildDebsCoverTheCBuild fails when the Makefile's BUILD_DEBS would not give a clean
// Debian root the C toolchain the cgo build needs (issue #14: gcc only recommends libc6-dev,
// and .ci/apt-install installs without recommends, so a new machine stopped at stdlib.h).
// It lists every file the C build opens here: the headers of each cgo package of the app
// (gcc -M over runtime/cgo's and GLFW's C files and every cgo preamble, with their CFLAGS
// and pkg-config flags), the files the linker opens for their LDFLAGS (ld --trace), the
// compiler's own programs and the pkg-config files; finds each file's Debian package
// (dpkg -S); and requires every such package to be among those apt would install for
// BUILD_DEBS on an empty system without recommends (apt-get -s with an empty dpkg status),
// or to be one of the "required" packages every Debian root has. A few seconds.
func TestBuildDebsCoverTheCBuild(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Debian packages: Linux only")
	}
	for _, tool := range []string{"dpkg-query", "apt-get"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("not a Debian system (%s: %v)", tool, err)
		}
	}
	debs := makefileWords(t, "BUILD_DEBS")
	if !slices.Contains(debs, "libc6-dev") {
		t.Log("BUILD_DEBS lacks libc6-dev: expect the check below to say why it is needed")
	}
	if lib := libshBuildDebs(t); !slices.Equal(lib, debs) {
		t.Errorf(".ci/package/lib.sh BUILD_DEBS = %v, the Makefile's = %v: keep them the same", lib, debs)
	}
	files := cBuildFiles(t)
	owners := debOwners(t, files)
	avail := aptClosure(t, debs)
	missing := map[string][]string{} // "libc6-dev" (or "a or b") -> files
	used := map[string]bool{}
	for _, f := range files {
		pkgs := owners[f]
		if len(pkgs) == 0 {
			continue // not from a package (Go's own headers, a temporary file), logged by debOwners
		}
		used[pkgs[0]] = true
		if !slices.ContainsFunc(pkgs, func(p string) bool { return avail[p] }) {
			k := strings.Join(pkgs, " or ")
			missing[k] = append(missing[k], f)
		}
	}
	if len(missing) > 0 {
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(missing)) {
			fs := missing[k]
			lines = append(lines, fmt.Sprintf("%s: %d files, e.g. %s", k, len(fs), strings.Join(fs[:min(3, len(fs))], " ")))
		}
		t.Errorf("the C build opens files from packages that BUILD_DEBS %v does not install on a clean "+
			"Debian root (apt-get install --no-install-recommends: Recommends are not installed); "+
			"add the package (or one that depends on it) to BUILD_DEBS in the Makefile and in .ci/package/lib.sh:\n  %s",
			debs, strings.Join(lines, "\n  "))
	}
	t.Logf("%d files of the C build, from %d packages; BUILD_DEBS %v installs %d packages", len(files), len(used), debs, len(avail))
}

// makefileWords returns the words of `NAME := …` in the Makefile, continuation lines joined.
func makefileWords(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	m := regexp.MustCompile(`(?m)^` + name + `\s*:?=([^\n#]*)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("Makefile: no %s", name)
	}
	return strings.Fields(m[1])
}

func libshBuildDebs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(".ci/package/lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^BUILD_DEBS=\(([^)]*)\)`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal(".ci/package/lib.sh: no BUILD_DEBS=(…)")
	}
	return strings.Fields(m[1])
}

// cBuildFiles returns the absolute paths of the files the app's C build uses on this machine.
func cBuildFiles(t *testing.T) []string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Fatalf("gcc: %v (make deps-build installs it)", err)
	}
	seen := map[string]bool{}
	add := func(p string) {
		if filepath.IsAbs(p) {
			seen[filepath.Clean(p)] = true
		}
	}
	add(gcc)
	for _, prog := range []string{"cc1", "collect2", "as", "ld"} {
		out, _ := exec.Command(gcc, "-print-prog-name="+prog).Output()
		p := strings.TrimSpace(string(out))
		if !filepath.IsAbs(p) {
			p, _ = exec.LookPath(p)
		}
		add(p)
	}

	cmd := exec.Command("go", "list", "-deps", "-json", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type goPkg struct {
		ImportPath, Dir                         string
		CFiles, CgoFiles, CgoCFLAGS, CgoLDFLAGS []string
		CgoPkgConfig                            []string
	}
	tmp := t.TempDir()
	ldflags := []string{"-lpthread"}
	var pcNames []string
	n := 0
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var p goPkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if len(p.CgoFiles) == 0 && len(p.CFiles) == 0 {
			continue
		}
		cflags := slices.Clone(p.CgoCFLAGS)
		if len(p.CgoPkgConfig) > 0 {
			pc, err := exec.LookPath("pkg-config")
			if err != nil {
				t.Fatalf("%s needs pkg-config: %v", p.ImportPath, err)
			}
			add(pc)
			pcNames = append(pcNames, p.CgoPkgConfig...)
			for _, what := range []string{"--cflags", "--libs"} {
				out, err := exec.Command(pc, append([]string{what}, p.CgoPkgConfig...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("pkg-config %s %v: %v\n%s", what, p.CgoPkgConfig, err, out)
				}
				if what == "--cflags" {
					cflags = append(cflags, strings.Fields(string(out))...)
				} else {
					ldflags = append(ldflags, strings.Fields(string(out))...)
				}
			}
		}
		ldflags = append(ldflags, p.CgoLDFLAGS...)
		sources := slices.Clone(p.CFiles)
		for i, f := range sources {
			sources[i] = filepath.Join(p.Dir, f)
		}
		for _, f := range p.CgoFiles { // each preamble as a C file of its own
			pre := cgoPreamble(t, filepath.Join(p.Dir, f))
			if pre == "" {
				continue
			}
			n++
			c := filepath.Join(tmp, fmt.Sprintf("preamble%d.c", n))
			if err := os.WriteFile(c, []byte(pre), 0o644); err != nil {
				t.Fatal(err)
			}
			sources = append(sources, c)
		}
		for _, src := range sources {
			// -MG: _cgo_export.h is generated by cgo; any other header not found is an error below.
			args := append([]string{"-M", "-MG", "-w", "-I", p.Dir}, cflags...)
			out, err := exec.Command(gcc, append(args, src)...).CombinedOutput()
			if err != nil {
				t.Fatalf("gcc -M %s (%s): %v\n%s", src, p.ImportPath, err, out)
			}
			deps := strings.Fields(strings.ReplaceAll(string(out), "\\\n", " "))
			for _, d := range deps[1:] { // deps[0] is "x.o:"
				switch {
				case filepath.IsAbs(d):
					add(d)
				case d == "_cgo_export.h" || strings.HasSuffix(d, "/_cgo_export.h"):
				default:
					if _, err := os.Stat(filepath.Join(filepath.Dir(src), d)); err != nil {
						t.Errorf("%s (%s) includes %s, which is not installed here: which package has it?", src, p.ImportPath, d)
					}
				}
			}
		}
	}
	if len(pcNames) > 0 {
		out, err := exec.Command("pkg-config", append([]string{"--path"}, pcNames...)...).Output()
		if err == nil {
			for _, p := range strings.Fields(string(out)) {
				add(p)
			}
		}
	}

	// The link, as the external linker sees it: every object and library it opens.
	main := filepath.Join(tmp, "main.c")
	if err := os.WriteFile(main, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-o", filepath.Join(tmp, "main"), main, "-Wl,--trace"}, ldflags...)
	link, err := exec.Command(gcc, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("linking with %v failed: %v\n%s", ldflags, err, link)
	}
	for _, f := range strings.FieldsFunc(string(link), func(r rune) bool { return r == ' ' || r == '\n' || r == '(' || r == ')' }) {
		if strings.HasPrefix(f, "/") && !strings.HasPrefix(f, tmp) && !strings.HasSuffix(f, ":") {
			add(f)
		}
	}
	if !seen[filepath.Clean("/usr/include/stdlib.h")] {
		t.Errorf("the C build did not open /usr/include/stdlib.h: the check is not looking at the build")
	}
	return slices.Sorted(maps.Keys(seen))
}

// cgoPreamble returns the C text before `import "C"` in a Go file, without #cgo lines.
func cgoPreamble(t *testing.T, path string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		for _, s := range g.Specs {
			is := s.(*ast.ImportSpec)
			if is.Path.Value != `"C"` {
				continue
			}
			doc := is.Doc
			if doc == nil {
				doc = g.Doc
			}
			if doc == nil {
				return ""
			}
			var b strings.Builder
			for _, c := range doc.List {
				text := c.Text
				if strings.HasPrefix(text, "//") {
					text = text[2:]
				} else {
					text = strings.TrimSuffix(strings.TrimPrefix(text, "/*"), "*/")
				}
				for _, line := range strings.Split(text, "\n") {
					if !strings.HasPrefix(strings.TrimSpace(line), "#cgo") {
						b.WriteString(line + "\n")
					}
				}
			}
			return b.String()
		}
	}
	return ""
}

// debOwners maps each file to the Debian packages that ship it (dpkg -S), trying the
// other spelling of merged-/usr paths and the symlink's target when the path is not known.
func debOwners(t *testing.T, files []string) map[string][]string {
	t.Helper()
	variants := func(f string) []string {
		v := []string{f}
		for _, pre := range []string{"/lib", "/lib64", "/bin", "/sbin"} {
			if rest, ok := strings.CutPrefix(f, "/usr"+pre+"/"); ok {
				v = append(v, pre+"/"+rest)
			} else if rest, ok := strings.CutPrefix(f, pre+"/"); ok {
				v = append(v, "/usr"+pre+"/"+rest)
			}
		}
		if r, err := filepath.EvalSymlinks(f); err == nil && r != f {
			v = append(v, r)
		}
		return v
	}
	var query []string
	for _, f := range files {
		query = append(query, variants(f)...)
	}
	out, _ := exec.Command("dpkg-query", append([]string{"-S"}, query...)...).Output() // exit 1 when some are unknown
	byPath := map[string][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		pkgs, path, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(pkgs, "diversion by") {
			continue
		}
		for _, p := range strings.Split(pkgs, ", ") {
			p, _, _ = strings.Cut(p, ":") // libc6-dev:amd64
			byPath[path] = append(byPath[path], p)
		}
	}
	owners := map[string][]string{}
	for _, f := range files {
		for _, v := range variants(f) {
			if len(byPath[v]) > 0 {
				owners[f] = byPath[v]
				break
			}
		}
		if len(owners[f]) == 0 && (strings.HasPrefix(f, "/usr/") || strings.HasPrefix(f, "/lib")) && !strings.HasPrefix(f, "/usr/local/") {
			t.Logf("%s belongs to no Debian package; not checked", f)
		}
	}
	return owners
}

// aptClosure returns the packages apt installs for debs on a root with nothing installed
// and without Recommends, plus the "required" packages every Debian root (debootstrap
// --variant=minbase) has.
func aptClosure(t *testing.T, debs []string) map[string]bool {
	t.Helper()
	args := append([]string{"-s", "-o", "Dir::State::status=/dev/null", "-o", "APT::Install-Recommends=false",
		"install", "--no-install-recommends"}, debs...)
	out, err := exec.Command("apt-get", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("apt-get %s: %v\n%s\n(no package lists? run apt-get update)", strings.Join(args, " "), err, out)
	}
	avail := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Inst" {
			avail[f[1]] = true
		}
	}
	for _, d := range debs {
		if !avail[d] {
			t.Errorf("apt-get -s did not install %s itself: %s", d, out)
		}
	}
	req, err := exec.Command("dpkg-query", "-W", "-f", "${Package} ${Priority} ${Essential}\n").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(req), "\n") {
		if f := strings.Fields(line); len(f) == 3 && (f[1] == "required" || f[2] == "yes") {
			avail[f[0]] = true
		}
	}
	return avail
}

// TestCIWorkflow: ci.yml runs .ci/run on every push and pull request in a bare Debian 12
// container, and release.yml builds nothing before those tests pass.
func TestCIWorkflow(t *testing.T) {
	type job struct {
		Uses      string `yaml:"uses"`
		Needs     any    `yaml:"needs"`
		Container any    `yaml:"container"`
		Steps     []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	}
	type workflow struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]job `yaml:"jobs"`
	}
	read := func(path string) workflow {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var wf workflow
		if err := yaml.Unmarshal(data, &wf); err != nil {
			t.Fatalf("%s is not valid YAML: %v", path, err)
		}
		return wf
	}
	ci := read(".github/workflows/ci.yml")
	for _, ev := range []string{"push", "pull_request", "workflow_call"} {
		if _, ok := ci.On[ev]; !ok {
			t.Errorf("ci.yml does not run on %s", ev)
		}
	}
	known := []string{"actions/checkout@v4", "actions/setup-go@v5"}
	var testJob string
	for name, j := range ci.Jobs {
		var runs strings.Builder
		setupGo := false
		for _, s := range j.Steps {
			if s.Uses != "" && !slices.Contains(known, s.Uses) {
				t.Errorf("ci.yml job %s uses %s, not one of the actions known to exist", name, s.Uses)
			}
			if s.Uses == "actions/setup-go@v5" && s.With["go-version-file"] == "go.mod" {
				setupGo = true
			}
			runs.WriteString(s.Run + "\n")
		}
		if !strings.Contains(runs.String(), "bash .ci/run") {
			continue
		}
		testJob = name
		if j.Container != "debian:12" {
			t.Errorf("ci.yml job %s runs in %v, want the bare debian:12 container", name, j.Container)
		}
		if !regexp.MustCompile(`apt-get install[^\n]*\bgit\b[^\n]*\bmake\b[^\n]*\bca-certificates\b`).MatchString(runs.String()) {
			t.Errorf("ci.yml job %s does not install git, make and ca-certificates first", name)
		}
		if !setupGo {
			t.Errorf("ci.yml job %s has no actions/setup-go@v5 with go-version-file: go.mod", name)
		}
	}
	if testJob == "" {
		t.Fatal("no ci.yml job runs bash .ci/run")
	}

	rel := read(".github/workflows/release.yml")
	var gate string
	for name, j := range rel.Jobs {
		if j.Uses == "./.github/workflows/ci.yml" {
			gate = name
		}
	}
	if gate == "" {
		t.Fatal("release.yml does not call ./.github/workflows/ci.yml")
	}
	for name, j := range rel.Jobs {
		if name == gate || name == "release" { // release needs the build jobs, which need the tests
			continue
		}
		needs := fmt.Sprint(j.Needs)
		if !regexp.MustCompile(`\b` + gate + `\b`).MatchString(needs) {
			t.Errorf("release.yml job %s does not need %s (the tests): needs %v", name, gate, j.Needs)
		}
	}
}
