package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// provisionFile writes an ocard-desk.json for srv, the way head office would ship it,
// with edit applied, and returns its path.
func provisionFile(t *testing.T, srv *demo.Server, edit func(map[string]any)) string {
	t.Helper()
	m := map[string]any{
		"base_url": srv.BaseURL(), "token_url": srv.TokenURL(), "scope": "api",
		"client_id": demo.ClientID, "client_secret": demo.ClientSecret,
		"shops":        []map[string]string{{"id": demo.ShopID, "name": "信義店"}, {"id": "000031", "name": "中山店"}},
		"default_shop": demo.ShopID, "idle_clear_seconds": 30, "locked": true,
	}
	if edit != nil {
		edit(m)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), settings.ProvisionFileName)
	if err := os.WriteFile(path, data, 0o600); err != nil { // it holds the secret
		t.Fatal(err)
	}
	return path
}

// The check: `ocard-desk lookup --config FILE 0903123123` with a file alone.
func TestLookupProvisioningFile(t *testing.T) {
	srv := startDemo(t)
	path := provisionFile(t, srv, nil)
	r := runLookup(t, nil, "--config", path, "--json", "0903123123")
	if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, `"found":true`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	// The same through OCARD_CONFIG, and next to the executable.
	if r := runLookup(t, map[string]string{"OCARD_CONFIG": path}, "0903123123"); r.code != 0 {
		t.Errorf("OCARD_CONFIG: exit %d, %s", r.code, r.stderr)
	}
	env := testEnv(t, nil, settings.NewFileStore(t.TempDir()))
	env.exeDir = filepath.Dir(path)
	if r := runLookupWith(t, env, &settings.MemoryKV{}, "0903123123"); r.code != 0 {
		t.Errorf("next to the executable: exit %d, %s", r.code, r.stderr)
	}
	// A secret every user of the computer can read: IT is told, the lookup still works.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		r := runLookup(t, nil, "--config", path, "0903123123")
		if r.code != 0 || !strings.Contains(r.stderr, "chmod o-r") || strings.Contains(r.stderr, demo.ClientSecret) {
			t.Errorf("world-readable secret: exit %d, stderr %s", r.code, r.stderr)
		}
	}
}

func TestLookupPrecedence(t *testing.T) {
	srv := startDemo(t)
	wrongSecret := provisionFile(t, srv, func(m map[string]any) { m["client_secret"] = "wrong-file-secret" })
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"file's wrong secret", nil, []string{"--config", wrongSecret}, 4},
		{"environment beats the file", map[string]string{"OCARD_CLIENT_SECRET": demo.ClientSecret}, []string{"--config", wrongSecret}, 0},
		{"flag beats the environment", map[string]string{"OCARD_CLIENT_SECRET": "wrong-env"},
			[]string{"--config", wrongSecret, "--client-secret", demo.ClientSecret}, 0},
		{"--config beats OCARD_CONFIG", map[string]string{"OCARD_CONFIG": "/nonexistent/ocard-desk.json"},
			[]string{"--config", provisionFile(t, srv, nil)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runLookup(t, tt.env, append(tt.args, "0903123123")...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, s := range []string{demo.ClientSecret, "wrong-file-secret", "wrong-env"} {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("output holds %q", s)
				}
			}
		})
	}
}

func TestLookupBrokenProvisioningFile(t *testing.T) {
	srv := startDemo(t)
	tests := []struct {
		name, content, want string
	}{
		{"syntax", "{\n  \"client_secret\": \"" + demo.ClientSecret + "\",\n  \"shops\": [\n}", "line 4, column 1"},
		{"shop id a number", `{"client_secret": "` + demo.ClientSecret + `", "shops": [{"id": 30}]}`, "[shops]"},
		{"plain http", `{"base_url": "http://api.example.com", "client_secret": "` + demo.ClientSecret + `"}`, "[base_url]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ocard-desk.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			// Everything else is configured by flags: the broken file still stops the command.
			r := runLookup(t, nil, append(demoFlags(srv), "--config", path, "0903123123")...)
			if r.code != 2 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s and %s", r.code, r.stderr, path, tt.want)
			}
			if strings.Contains(r.stdout+r.stderr, demo.ClientSecret) {
				t.Errorf("the secret was printed: %s", r.stderr)
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "missing.json")
	if r := runLookup(t, nil, "--config", missing, "0903123123"); r.code != 2 || !strings.Contains(r.stderr, missing+": file not found") {
		t.Errorf("missing file: exit %d, %q", r.code, r.stderr)
	}
	if st := srv.Stats(); st.TokenRequests != 0 {
		t.Errorf("%d token requests: a broken configuration must send nothing", st.TokenRequests)
	}
	unknown := provisionFile(t, srv, func(m map[string]any) { m["colour"] = "red" })
	if r := runLookup(t, nil, "--config", unknown, "0903123123"); r.code != 0 || !strings.Contains(r.stderr, `unknown field "colour"`) {
		t.Errorf("unknown field: exit %d, %q", r.code, r.stderr)
	}
}

// lookup reads what the window saved, uses the window's stored token, and stores
// nothing itself.
func TestLookupSavedSettings(t *testing.T) {
	srv := startDemo(t)
	prefs := &settings.MemoryKV{}
	secrets := settings.NewFileStore(t.TempDir())
	s := settings.Defaults()
	s.BaseURL, s.TokenURL, s.ClientID = srv.BaseURL(), srv.TokenURL(), demo.ClientID
	s.Shops = []settings.Shop{{ID: demo.ShopID, Name: "信義店"}}
	if ps := settings.Save(prefs, s, demo.ClientSecret, secrets); ps != nil {
		t.Fatal(ps)
	}
	env := testEnv(t, nil, secrets)
	if r := runLookupWith(t, env, prefs, "0903123123"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if tok, _ := secrets.LoadToken(); tok != nil || srv.Stats().TokenRequests != 1 {
		t.Errorf("lookup stored its token (%v) or made %d token requests", tok, srv.Stats().TokenRequests)
	}
	// The window's token, stored for these settings, saves the request.
	d, _ := parseDesk(t.Context(), nil, prefs, &strings.Builder{}, &strings.Builder{}, env)
	if _, err := d.Client.LookupMember(t.Context(), d.ShopID, "0903123123"); err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().TokenRequests
	if r := runLookupWith(t, env, prefs, "0903123123"); r.code != 0 || srv.Stats().TokenRequests != before {
		t.Errorf("exit %d, %d token requests after the window's %d", r.code, srv.Stats().TokenRequests, before)
	}
}
