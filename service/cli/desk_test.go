package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/instance"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// deskRun is one start of the window's configuration.
type deskRun struct {
	desk           *session.Session
	code           int
	stdout, stderr string
}

func runDesk(t *testing.T, env deskEnv, prefs settings.KV, args ...string) deskRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	d, code := parseDesk(t.Context(), args, prefs, &stdout, &stderr, env)
	if d != nil {
		t.Cleanup(d.Close)
	}
	return deskRun{d, code, stdout.String(), stderr.String()}
}

func TestParseDeskUnconfigured(t *testing.T) {
	r := runDesk(t, testEnv(t, nil, settings.NewFileStore(t.TempDir())), &settings.MemoryKV{})
	d := r.desk
	if d == nil || d.Client != nil || !errors.Is(d.SetupProblem, service.ErrConfig) || !d.Resolved.Unconfigured() {
		t.Fatalf("%+v", d)
	}
	if d.Secrets == nil || d.Prefs == nil || d.IdleClear != 60*time.Second || d.ShopID != "" {
		t.Errorf("%+v", d)
	}
	if !strings.Contains(d.Summary, "(not set)") || !strings.Contains(d.Summary, d.Secrets.Location()) {
		t.Errorf("summary %q", d.Summary)
	}
}

func TestParseDeskExits(t *testing.T) {
	env := testEnv(t, nil, settings.NewFileStore(t.TempDir()))
	for _, tt := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--help"}, 0, ""},
		{[]string{"--version"}, 0, "ocard-desk "},
		{[]string{"0903123123"}, 2, ""},
		{[]string{"--colour"}, 2, ""},
	} {
		if r := runDesk(t, env, &settings.MemoryKV{}, tt.args...); r.desk != nil || r.code != tt.code || !strings.Contains(r.stdout, tt.out) {
			t.Errorf("%v: desk %v, exit %d, stdout %q", tt.args, r.desk != nil, r.code, r.stdout)
		}
	}
}

// A provisioning file alone configures the window, and nothing is fetched at start.
func TestParseDeskProvisioningFile(t *testing.T) {
	srv := startDemo(t)
	path := provisionFile(t, srv, nil)
	r := runDesk(t, testEnv(t, map[string]string{"OCARD_CONFIG": path}, settings.NewFileStore(t.TempDir())), &settings.MemoryKV{})
	d := r.desk
	if d == nil || d.SetupProblem != nil || d.Client == nil {
		t.Fatalf("%+v\n%s", d, r.stderr)
	}
	if d.ShopID != demo.ShopID || d.ShopName != "信義店" || d.IdleClear != 30*time.Second || len(d.Resolved.Settings.Shops) != 2 {
		t.Errorf("shop %q %q, idle %v, shops %v", d.ShopID, d.ShopName, d.IdleClear, d.Resolved.Settings.Shops)
	}
	if !d.Resolved.Locked[settings.FieldBaseURL] || d.Resolved.Sources[settings.FieldBaseURL] != settings.SourceFile ||
		d.Resolved.ProvisionPath != path || !strings.Contains(d.Summary, path) {
		t.Errorf("resolved %+v", d.Resolved)
	}
	if st := srv.Stats(); st.TokenRequests != 0 || d.Client.TokenRequests() != 0 {
		t.Errorf("a token was fetched at start: %+v", st)
	}
	if strings.Contains(r.stderr+d.Summary, demo.ClientSecret) {
		t.Error("the secret was logged or summarised")
	}
}

// The "a second start sends no token request while the stored token is valid".
func TestParseDeskRestartReusesToken(t *testing.T) {
	srv := startDemo(t)
	path := provisionFile(t, srv, nil)
	dir := t.TempDir()
	for start := 1; start <= 3; start++ {
		env := testEnv(t, nil, settings.NewFileStore(dir)) // a fresh store over the same file
		d := runDesk(t, env, &settings.MemoryKV{}, "--config", path).desk
		if _, err := d.Client.LookupMember(t.Context(), d.ShopID, "0903123123"); err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if start == 1 {
			want = 1
		}
		if d.Client.TokenRequests() != want || srv.Stats().TokenRequests != 1 {
			t.Errorf("start %d: %d token requests (server: %d), want %d", start, d.Client.TokenRequests(), srv.Stats().TokenRequests, want)
		}
	}
}

func TestParseDeskBrokenFileKeepsSaved(t *testing.T) {
	srv := startDemo(t)
	prefs := &settings.MemoryKV{}
	secrets := settings.NewFileStore(t.TempDir())
	s := settings.Defaults()
	s.BaseURL, s.TokenURL, s.ClientID = srv.BaseURL(), srv.TokenURL(), demo.ClientID
	s.Shops = []settings.Shop{{ID: demo.ShopID}}
	if ps := settings.Save(prefs, s, demo.ClientSecret, secrets); ps != nil {
		t.Fatal(ps)
	}
	path := provisionFile(t, srv, func(m map[string]any) { m["idle_clear_seconds"] = "60" })
	before := prefs.Values()
	d := runDesk(t, testEnv(t, nil, secrets), prefs, "--config", path).desk
	var se *service.Error
	if d.Client != nil || !errors.As(d.SetupProblem, &se) || se.Field != "idle_clear_seconds" || !strings.Contains(se.Detail, path) {
		t.Errorf("setup problem %v", d.SetupProblem)
	}
	if d.Resolved.Settings.BaseURL != srv.BaseURL() || d.Resolved.Secret != demo.ClientSecret {
		t.Errorf("saved settings lost: %+v", d.Resolved.Settings)
	}
	if after := prefs.Values(); len(after) != len(before) || after[settings.SavedKey] != before[settings.SavedKey] {
		t.Error("the preferences changed")
	}
}

func TestParseDeskFlagsAndEnvironment(t *testing.T) {
	srv := startDemo(t)
	path := provisionFile(t, srv, nil)
	env := testEnv(t, map[string]string{"OCARD_SHOP_ID": "000031", "OCARD_LANG": "en"}, settings.NewFileStore(t.TempDir()))
	d := runDesk(t, env, &settings.MemoryKV{}, "--config", path).desk
	if d.ShopID != "000031" || d.ShopName != "中山店" || d.Language != "en" {
		t.Errorf("environment: shop %q %q, lang %q", d.ShopID, d.ShopName, d.Language)
	}
	d = runDesk(t, env, &settings.MemoryKV{}, "--config", path, "--shop-id", "000099", "--shop-name", "Pop-up",
		"--idle-clear", "0", "--lang", "zh-TW").desk
	if d.ShopID != "000099" || d.ShopName != "Pop-up" || d.IdleClear >= 0 || d.Language != "zh-TW" || len(d.Resolved.Settings.Shops) != 3 {
		t.Errorf("flags: shop %q %q, idle %v, lang %q, shops %v", d.ShopID, d.ShopName, d.IdleClear, d.Language, d.Resolved.Settings.Shops)
	}
	if d.Resolved.Sources[settings.FieldDefaultShop] != settings.SourceFlag || d.Resolved.Sources[settings.FieldIdleClear] != settings.SourceFlag {
		t.Errorf("sources %v", d.Resolved.Sources)
	}
	if d := runDesk(t, env, &settings.MemoryKV{}, "--config", path, "--idle-clear", "1500ms").desk; d.IdleClear != 1500*time.Millisecond {
		t.Errorf("idle %v", d.IdleClear)
	}
}

// --demo runs on the demo server whatever is configured, and leaves the store alone.
func TestParseDeskDemo(t *testing.T) {
	dir := t.TempDir()
	secrets := settings.NewFileStore(dir)
	prefs := &settings.MemoryKV{}
	s := settings.Defaults()
	s.BaseURL, s.TokenURL, s.ClientID = "https://api.example.com", "https://login.example.com/t", "real"
	s.Shops = []settings.Shop{{ID: "000077", Name: "Real shop"}}
	if ps := settings.Save(prefs, s, "real-secret", secrets); ps != nil {
		t.Fatal(ps)
	}
	stat := func() string {
		data, _ := os.ReadFile(secrets.Location())
		return string(data)
	}
	before := stat()
	d := runDesk(t, testEnv(t, nil, secrets), prefs, "--demo").desk
	if d.Client == nil || !d.Demo || d.ShopID != demo.ShopID || len(d.DemoNumbers) == 0 || d.SetupProblem != nil {
		t.Fatalf("%+v", d)
	}
	if _, err := d.Client.LookupMember(t.Context(), d.ShopID, "0903123123"); err != nil {
		t.Fatal(err)
	}
	if stat() != before {
		t.Error("demo mode wrote the secret store")
	}
	if d.Resolved.Settings.ClientID != "real" {
		t.Error("the settings screen should still see the saved settings")
	}
}

// The settings screen's round trip: save, reconnect, test the connection.
func TestDeskSaveConnectAndTest(t *testing.T) {
	srv := startDemo(t)
	secrets := settings.NewFileStore(t.TempDir())
	prefs := &settings.MemoryKV{}
	d := runDesk(t, testEnv(t, nil, secrets), prefs).desk
	s := settings.Defaults()
	s.BaseURL, s.TokenURL, s.ClientID = srv.BaseURL(), srv.TokenURL(), demo.ClientID
	s.Shops = []settings.Shop{{ID: demo.ShopID}}

	if err := d.TestConnection(t.Context(), s, "wrong"); !errors.Is(err, service.ErrAuth) {
		t.Errorf("wrong secret: %v", err)
	}
	if err := d.TestConnection(t.Context(), s, demo.ClientSecret); err != nil {
		t.Errorf("right secret: %v", err)
	}
	var se *service.Error
	if err := d.TestConnection(t.Context(), settings.Defaults(), ""); !errors.As(err, &se) || se.Field != "base_url" {
		t.Errorf("nothing set: %v", err)
	}
	if tok, _ := secrets.LoadToken(); tok != nil {
		t.Error("Test connection stored its token")
	}
	if ps := d.Save(s, demo.ClientSecret); ps != nil {
		t.Fatal(ps)
	}
	for k, v := range prefs.Values() {
		if strings.Contains(v, demo.ClientSecret) {
			t.Errorf("the secret is in preference %s", k)
		}
	}
	client, err := d.Connect(s, demo.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.LookupMember(t.Context(), demo.ShopID, "0903123123"); err != nil {
		t.Fatal(err)
	}
	if tok, _ := secrets.LoadToken(); tok == nil {
		t.Error("the connected client did not store its token")
	}
	if _, err := d.Connect(settings.Defaults(), ""); !errors.Is(err, service.ErrConfig) {
		t.Errorf("Connect with nothing: %v", err)
	}
	// The next start finds what was saved and connects without asking.
	d2 := runDesk(t, testEnv(t, nil, settings.NewFileStore(filepath.Dir(secrets.Location()))), prefs).desk
	if d2.Client == nil || d2.ShopID != demo.ShopID || d2.Resolved.Sources[settings.FieldClientSecret] != settings.SourceSaved {
		t.Errorf("%+v", d2)
	}
	// StartDemo hands out the demo without a token store.
	dm, err := d.StartDemo()
	if err != nil || dm.Client == nil || dm.ShopID != demo.ShopID || len(dm.Numbers) == 0 {
		t.Errorf("StartDemo: %+v %v", dm, err)
	}
}

// A second copy of the window hands over to the first and ends with status 0, saying
// why, before it opens the keyring; a claim that cannot be kept opens the window anyway.
func TestSecondWindowHandsOverToTheFirst(t *testing.T) {
	dir := t.TempDir()
	first, err := instance.Claim(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	env := testEnv(t, nil, nil)
	env.openSecrets = func() settings.SecretStore { t.Fatal("the second copy opened the keyring"); return nil }
	env.claimWindow = func() (*instance.Listener, error) { return instance.Claim(dir) }
	var stdout, stderr bytes.Buffer
	s, code := parseDesk(t.Context(), []string{"--demo"}, &settings.MemoryKV{}, &stdout, &stderr, env)
	if s != nil || code != 0 || !strings.Contains(stderr.String(), "already running") {
		t.Fatalf("second copy: session %v, status %d, stderr %q", s, code, stderr.String())
	}

	env = testEnv(t, nil, settings.NewFileStore(t.TempDir()))
	env.claimWindow = func() (*instance.Listener, error) { return nil, errors.New("read-only folder") }
	stderr.Reset()
	s, code = parseDesk(t.Context(), []string{"--demo"}, &settings.MemoryKV{}, &stdout, &stderr, env)
	if s == nil {
		t.Fatalf("a claim that cannot be kept stopped the window: %d %q", code, stderr.String())
	}
	s.Close()
	if !strings.Contains(stderr.String(), "one window per desk cannot be kept") {
		t.Errorf("not logged: %q", stderr.String())
	}
}

// The commands read the window's settings file (here, before the window's first start
// of this version, Fyne's older preferences) and never write it.
func TestCommandsReadTheDeskFileAndNeverWriteIt(t *testing.T) {
	useTempConfigDir(t)
	legacy := settings.FynePreferencesFile(settings.AppID)
	if err := os.MkdirAll(filepath.Dir(legacy), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(legacy, []byte(`{"desk_shop.v1":"000031"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := settings.LoadDeskShop(readDeskSettings()); got != "000031" {
		t.Errorf("from Fyne's preferences: %q", got)
	}
	if _, err := os.Stat(settings.DefaultDeskFile()); !os.IsNotExist(err) {
		t.Fatalf("a command created the window's settings file (%v)", err)
	}
	if err := settings.SaveDeskShop(settings.OpenDeskFile(settings.DefaultDeskFile(), ""), "000030"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(settings.DefaultDeskFile())
	prefs := readDeskSettings()
	prefs.SetString(settings.DeskShopKey, "000099")
	if got := settings.LoadDeskShop(readDeskSettings()); got != "000030" {
		t.Errorf("from the settings file: %q", got)
	}
	if after, _ := os.Stat(settings.DefaultDeskFile()); !os.SameFile(before, after) {
		t.Error("a command wrote the window's settings file")
	}
}

// useTempConfigDir points this user's config folders (the window's settings file under
// os.UserConfigDir, Fyne's preferences) at a temporary folder, through the variables
// each system reads them from.
func useTempConfigDir(t *testing.T) {
	dir := t.TempDir()
	switch runtime.GOOS {
	case "windows": // os.UserConfigDir is %AppData%; Fyne's folder is under %USERPROFILE%
		t.Setenv("USERPROFILE", dir)
		t.Setenv("APPDATA", filepath.Join(dir, "AppData", "Roaming"))
	case "darwin": // both under $HOME/Library
		t.Setenv("HOME", dir)
	case "linux", "freebsd", "openbsd", "netbsd":
		t.Setenv("XDG_CONFIG_HOME", dir)
	default:
		t.Skipf("Fyne keeps its preferences in the temporary folder on %s: nothing to move", runtime.GOOS)
	}
}
