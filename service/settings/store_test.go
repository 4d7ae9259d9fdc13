package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func TestSaveAndLoadSaved(t *testing.T) {
	kv := &MemoryKV{}
	if got := LoadSaved(kv); !reflect.DeepEqual(got, Defaults()) {
		t.Errorf("nothing saved: %+v", got)
	}
	secrets := NewFileStore(t.TempDir())
	s := good()
	s.IdleClearSeconds = 0 // never: must survive as 0, not become the default
	s.Language = "zh-TW"
	s.BaseURL = " https://api.example.com "
	if ps := Save(kv, s, goodSecret, secrets); ps != nil {
		t.Fatal(ps)
	}
	got := LoadSaved(kv)
	if want := s.Normalized(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, want)
	}
	if sec, err := secrets.Secret(); sec != goodSecret || err != nil {
		t.Errorf("secret %q, %v", sec, err)
	}
	// The secret is in no preference, under no key.
	for k, v := range kv.Values() {
		if strings.Contains(v, goodSecret) || strings.Contains(k, goodSecret) || strings.Contains(v, "client_secret") {
			t.Errorf("preference %s = %s", k, v)
		}
	}
}

// failingStore is a SecretStore whose writes fail.
type failingStore struct {
	SecretStore
	sets int
}

func (f *failingStore) SetSecret(string) error {
	f.sets++
	return errors.New("store locked; would have stored " + goodSecret)
}

func TestSaveNothingHalfWay(t *testing.T) {
	kv := &MemoryKV{}
	kv.SetString(SavedKey, `{"client_id":"before"}`)
	secrets := NewFileStore(t.TempDir())
	if err := secrets.SetSecret("before-secret"); err != nil {
		t.Fatal(err)
	}
	bad := good()
	bad.TokenURL = "http://login.example.com" // one problem among good values
	bad.ClientID = "after"
	ps := Save(kv, bad, "after-secret", secrets)
	if len(ps) != 1 || ps[0].Field != FieldTokenURL || ps[0].Code != CodeLoopbackHTTP {
		t.Errorf("problems %v", ps)
	}
	if kv.String(SavedKey) != `{"client_id":"before"}` {
		t.Errorf("settings written: %s", kv.String(SavedKey))
	}
	if sec, _ := secrets.Secret(); sec != "before-secret" {
		t.Errorf("secret written: %q", sec)
	}

	// The credential store refuses: the settings are not written either.
	fs := &failingStore{SecretStore: secrets}
	ps = Save(kv, good(), goodSecret, fs)
	if len(ps) != 1 || ps[0].Field != FieldClientSecret || ps[0].Code != CodeStore || fs.sets != 1 {
		t.Errorf("problems %v, %d sets", ps, fs.sets)
	}
	if strings.Contains(ps[0].Detail, goodSecret) {
		t.Errorf("the secret is in the problem: %s", ps[0].Detail)
	}
	if kv.String(SavedKey) != `{"client_id":"before"}` {
		t.Errorf("settings written although the secret was not: %s", kv.String(SavedKey))
	}
	// An unchanged secret is not rewritten.
	if err := secrets.SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	fs.sets = 0
	if ps := Save(kv, good(), goodSecret, fs); ps != nil || fs.sets != 0 {
		t.Errorf("problems %v, %d sets", ps, fs.sets)
	}
}

func TestLoadSavedDamaged(t *testing.T) {
	for _, raw := range []string{`{`, `[]`, `{"timeout_seconds": "x", "client_id": "kept?"}`} {
		kv := &MemoryKV{}
		kv.SetString(SavedKey, raw)
		if got := LoadSaved(kv); !reflect.DeepEqual(got, Defaults()) {
			t.Errorf("%s: %+v", raw, got)
		}
	}
	if got := LoadSaved(nil); !reflect.DeepEqual(got, Defaults()) {
		t.Errorf("nil: %+v", got)
	}
}

func TestFynePreferencesFile(t *testing.T) {
	if FyneVersionRead != "v2.7.1" {
		t.Fatal("re-read Fyne's app/preferences_other.go and internal/app/config_*.go for the new version")
	}
	home, _ := os.UserHomeDir()
	cfg, _ := os.UserConfigDir()
	tmp := os.TempDir()
	for _, tt := range []struct {
		goos string
		ci   bool
		want string
	}{
		{"linux", false, filepath.Join(cfg, "fyne")},
		{"freebsd", false, filepath.Join(cfg, "fyne")},
		{"windows", false, filepath.Join(home, "AppData", "Roaming", "fyne")},
		{"darwin", false, filepath.Join(home, "Library", "Preferences", "fyne")},
		{"plan9", false, filepath.Join(tmp, "fyne-test")},
		{"linux", true, filepath.Join(tmp, "fyne-test")},
	} {
		if got := fyneRootConfigDir(tt.goos, tt.ci); got != tt.want {
			t.Errorf("%s ci=%v: %q, want %q", tt.goos, tt.ci, got, tt.want)
		}
	}
	if runtime.GOOS == "linux" && !fyneCI {
		t.Setenv("XDG_CONFIG_HOME", "/xdg")
		if got := FynePreferencesFile("tw.ocard.desk"); got != "/xdg/fyne/tw.ocard.desk/preferences.json" {
			t.Errorf("%q", got)
		}
	}
}

// ReadOnlyKV reads a file as Fyne writes it: json.Encoder over map[string]any.
func TestReadOnlyKV(t *testing.T) {
	kv := &MemoryKV{}
	if ps := Save(kv, good(), goodSecret, NewFileStore(t.TempDir())); ps != nil {
		t.Fatal(ps)
	}
	values := map[string]any{"other.bool": true, "other.list": []any{"a"}, "other.int": 3}
	for k, v := range kv.Values() {
		values[k] = v
	}
	path := filepath.Join(t.TempDir(), "preferences.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(f).Encode(&values); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ro := ReadOnlyKV(path)
	if got := LoadSaved(ro); !reflect.DeepEqual(got, good()) {
		t.Errorf("%+v", got)
	}
	ro.SetString(SavedKey, "{}")
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "000031") {
		t.Error("ReadOnlyKV wrote the file")
	}
	if kv, err := OpenReadOnlyKV(filepath.Join(t.TempDir(), "none.json")); err != nil || kv.String(SavedKey) != "" {
		t.Errorf("missing file: %v", err)
	}
	bad := writeFile(t, "preferences.json", "{")
	if kv, err := OpenReadOnlyKV(bad); err == nil || kv == nil {
		t.Errorf("damaged file: %v", err)
	}
}
