package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service"
)

// The example file, with a secret a test can look for.
const exampleProvision = `{
  "base_url": "https://api.example.com", "token_url": "https://login.example.com/oauth/v1/token", "scope": "api",
  "client_id": "franchise-desk", "client_secret": "PROVISIONED-s3cr3t",
  "shops": [{"id": "000030", "name": "信義店"}, {"id": "000031", "name": "中山店"}],
  "default_shop": "000030", "idle_clear_seconds": 60, "locked": true
}
`

const provisionedSecret = "PROVISIONED-s3cr3t"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadProvisionExample(t *testing.T) {
	path := writeFile(t, ProvisionFileName, exampleProvision)
	p, err := LoadProvision(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{BaseURL: "https://api.example.com", TokenURL: "https://login.example.com/oauth/v1/token", Scope: "api",
		ClientID: "franchise-desk", Shops: []Shop{{"000030", "信義店"}, {"000031", "中山店"}}, CurrentShop: "000030", IdleClearSeconds: 60}
	if !reflect.DeepEqual(p.Settings, want) || p.Secret != provisionedSecret || !p.Locked || p.Path != path || len(p.Unknown) != 0 {
		t.Errorf("%+v", p)
	}
	for _, f := range Fields() {
		if want := f != FieldTimeout && f != FieldLanguage && f != FieldRedeemEnabled && f != FieldRedeemTicketID; p.Present[f] != want {
			t.Errorf("present[%s] = %v", f, p.Present[f])
		}
	}
	// A file alone (no flags, no environment, nothing saved) configures a desk.
	r := Resolve(Layer{}, Layer{}, p, Defaults(), "")
	if r.NeedsSetup() || r.Settings.TimeoutSeconds != DefaultTimeoutSeconds || r.Sources[FieldTimeout] != SourceDefault {
		t.Errorf("%v %+v", r.SetupError(), r.Settings)
	}
}

func TestLoadProvisionTolerates(t *testing.T) {
	tests := []struct {
		name, content string
		check         func(*Provision) bool
	}{
		{"UTF-8 byte order mark (Notepad)", "\uFEFF" + `{"client_id": "x"}`, func(p *Provision) bool { return p.Settings.ClientID == "x" }},
		{"null counts as absent", `{"client_id": null, "shops": null}`, func(p *Provision) bool { return len(p.Present) == 0 }},
		{"blanks count as absent", `{"client_secret": " ", "base_url": "", "shops": [], "locked": true}`, func(p *Provision) bool {
			return len(p.Present) == 0 && p.Locked
		}},
		{"empty object", `{}`, func(p *Provision) bool { return len(p.Present) == 0 && !p.Locked }},
		{"unknown fields reported, sorted", `{"zeta": 1, "colour": "red", "shops": [{"id": "000030", "phone": "02"}]}`,
			func(p *Provision) bool {
				return reflect.DeepEqual(p.Unknown, []string{"colour", "shops[0].phone", "zeta"}) && p.Present[FieldShops]
			}},
		{"idle clear 0 is never", `{"idle_clear_seconds": 0}`, func(p *Provision) bool {
			return p.Present[FieldIdleClear] && p.Settings.IdleClearSeconds == 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadProvision(writeFile(t, "c.json", tt.content))
			if err != nil || !tt.check(p) {
				t.Errorf("%+v, %v", p, err)
			}
		})
	}
}

func TestLoadProvisionBroken(t *testing.T) {
	tests := []struct {
		name, content string
		field         string
		detail        []string // each must appear in the error
	}{
		{"syntax: missing comma", "{\n  \"client_id\": \"x\"\n  \"client_secret\": \"" + provisionedSecret + "\"\n}", "",
			[]string{"line 3, column 3", "syntax"}},
		{"syntax: trailing comma", "{\"client_secret\": \"" + provisionedSecret + "\",\n}", "", []string{"line 2, column 1"}},
		{"syntax: truncated", "{\"client_secret\": \"" + provisionedSecret, "", []string{"line 1", "syntax"}},
		{"column counts characters", "{\"shops\": [{\"name\": \"信義店\" }}]}", "", []string{"line 1, column 28"}},
		{"not an object", `["https://api.example.com"]`, "", []string{"one JSON object"}},
		{"empty file", ``, "", []string{"syntax"}},
		{"UTF-16", "\xff\xfe{\x00}\x00", "", []string{"UTF-16", "UTF-8"}},
		{"not UTF-8", "{\"client_id\": \"\xb0\xa1\"}", "", []string{"UTF-8"}},
		{"base_url a number", `{"base_url": 443}`, "base_url", []string{`"base_url" must be a string`}},
		{"secret an object", `{"client_secret": {"value": "` + provisionedSecret + `"}}`, "client_secret", []string{"must be a string"}},
		{"shop id a number", `{"shops": [{"id": 30, "name": "信義店"}]}`, "shops", []string{"shops[0].id", "leading zeros"}},
		{"default shop a number", `{"default_shop": 30}`, "default_shop", []string{"leading zeros"}},
		{"shops an object", `{"shops": {"id": "000030"}}`, "shops", []string{"list of shops"}},
		{"shop a string", `{"shops": ["000030"]}`, "shops", []string{"shops[0] must be an object"}},
		{"idle clear in quotes", `{"idle_clear_seconds": "60"}`, "idle_clear_seconds", []string{"without quotes"}},
		{"timeout fractional", `{"timeout_seconds": 2.5}`, "timeout_seconds", []string{"whole number"}},
		{"locked a string", `{"locked": "yes"}`, "locked", []string{"true or false"}},
		{"http to another host", `{"base_url": "http://api.example.com", "client_secret": "` + provisionedSecret + `"}`, "base_url",
			[]string{"base_url: plain http"}},
		{"default shop not among shops", `{"shops": [{"id": "000030"}], "default_shop": "30"}`, "default_shop", []string{`"30"`}},
		{"duplicate shops", `{"shops": [{"id": "000030"}, {"id": "000030"}]}`, "shops", []string{"twice"}},
		{"idle clear out of range", `{"idle_clear_seconds": 999999}`, "idle_clear_seconds", []string{"86400"}},
		{"two problems, both told", `{"token_url": "ftp://x", "language": "fr"}`, "token_url", []string{"token_url:", "language:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, ProvisionFileName, tt.content)
			p, err := LoadProvision(path)
			checkProvisionError(t, p, err, path, tt.field, tt.detail...)
		})
	}
}

func checkProvisionError(t *testing.T, p *Provision, err error, path, field string, detail ...string) {
	t.Helper()
	var se *service.Error
	if p != nil || !errors.As(err, &se) || se.Kind != service.KindConfig {
		t.Fatalf("LoadProvision = %+v, %v; want a KindConfig *service.Error", p, err)
	}
	if se.Field != field {
		t.Errorf("field %q, want %q (%v)", se.Field, field, err)
	}
	if !strings.HasPrefix(se.Detail, path+": ") {
		t.Errorf("detail %q does not start with the path", se.Detail)
	}
	for _, d := range detail {
		if !strings.Contains(se.Detail, d) {
			t.Errorf("detail %q lacks %q", se.Detail, d)
		}
	}
	if strings.Contains(err.Error(), provisionedSecret) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the secret is in the error: %v", err)
	}
}

func TestLoadProvisionFileProblems(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	p, err := LoadProvision(missing)
	checkProvisionError(t, p, err, missing, "", "file not found")
	p, err = LoadProvision(dir)
	checkProvisionError(t, p, err, dir, "", "directory")
	big := writeFile(t, "big.json", `{"x": "`+strings.Repeat("a", maxProvisionBytes)+`"}`)
	p, err = LoadProvision(big)
	checkProvisionError(t, p, err, big, "", "1 MiB")
}

func TestFindProvision(t *testing.T) {
	exeDir := t.TempDir()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if got := FindProvision("", getenv, exeDir); got != "" {
		t.Errorf("no file: %q", got)
	}
	next := filepath.Join(exeDir, ProvisionFileName)
	if err := os.WriteFile(next, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := FindProvision("", getenv, exeDir); got != next {
		t.Errorf("next to the executable: %q", got)
	}
	env["OCARD_CONFIG"] = "/env/ocard.json"
	if got := FindProvision("", getenv, exeDir); got != "/env/ocard.json" {
		t.Errorf("OCARD_CONFIG: %q", got)
	}
	if got := FindProvision("/flag/missing.json", getenv, exeDir); got != "/flag/missing.json" {
		t.Errorf("--config (missing files are still returned): %q", got)
	}
	if got := FindProvision("", nil, ""); got != "" {
		t.Errorf("nothing: %q", got)
	}
}

// A broken file is left out: what the user saved survives, and the desk needs setup.
func TestLoadWithBrokenProvision(t *testing.T) {
	kv := &MemoryKV{}
	secrets := NewFileStore(t.TempDir())
	if ps := Save(kv, good(), goodSecret, secrets); ps != nil {
		t.Fatal(ps)
	}
	path := writeFile(t, ProvisionFileName, `{"shops": [{"id": 30}], "client_secret": "`+provisionedSecret+`"}`)
	r := Load(Inputs{ConfigPath: path, Prefs: kv, Secrets: secrets})
	var se *service.Error
	if !errors.As(r.ProvisionErr, &se) || se.Field != "shops" || !r.NeedsSetup() || r.SetupError() != r.ProvisionErr {
		t.Errorf("ProvisionErr %v, NeedsSetup %v", r.ProvisionErr, r.NeedsSetup())
	}
	if r.ProvisionPath != path || r.Secret != goodSecret || !reflect.DeepEqual(r.Settings, good()) {
		t.Errorf("the saved settings were not kept: %+v", r)
	}
	// Once the file is fixed, it wins over the saved settings.
	if err := os.WriteFile(path, []byte(exampleProvision), 0o644); err != nil {
		t.Fatal(err)
	}
	r = Load(Inputs{Getenv: func(k string) string { return map[string]string{"OCARD_CONFIG": path}[k] }, Prefs: kv, Secrets: secrets})
	if r.NeedsSetup() || r.Secret != provisionedSecret || r.Settings.ClientID != "franchise-desk" || !r.Locked[FieldClientID] {
		t.Errorf("%v %+v", r.SetupError(), r.Settings)
	}
}

// TestProvisionSecretReadableByOthers: a client_secret in a file every user may read is
// reported (with the mode); a file only its group can read, or one without a secret, is not.
func TestProvisionSecretReadableByOthers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps permissions in ACLs, which LoadProvision does not read")
	}
	withSecret := writeFile(t, ProvisionFileName, exampleProvision)
	noSecret := writeFile(t, "no-secret.json", `{"client_id": "franchise-desk"}`)
	for _, tc := range []struct {
		path string
		mode os.FileMode
		want os.FileMode
	}{
		{withSecret, 0o644, 0o644},
		{withSecret, 0o604, 0o604},
		{withSecret, 0o640, 0},
		{withSecret, 0o600, 0},
		{noSecret, 0o644, 0},
	} {
		if err := os.Chmod(tc.path, tc.mode); err != nil {
			t.Fatal(err)
		}
		p, err := LoadProvision(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if p.SecretMode != tc.want {
			t.Errorf("%s at %04o: SecretMode %04o, want %04o", filepath.Base(tc.path), tc.mode, p.SecretMode, tc.want)
		}
	}
	r := Resolve(Layer{}, Layer{}, &Provision{Path: "/opt/ocard-desk/ocard-desk.json", Secret: "x", SecretMode: 0o644,
		Present: map[Field]bool{FieldClientSecret: true}}, Defaults(), "")
	if len(r.Warnings) != 1 || r.Warnings[0].Code != WarningSecretReadable || r.Warnings[0].Args["Mode"] != "0644" ||
		!strings.Contains(r.Warnings[0].Text, "/opt/ocard-desk/ocard-desk.json") || strings.Contains(r.Warnings[0].Text, "x\"") {
		t.Errorf("warnings %+v", r.Warnings)
	}
}
