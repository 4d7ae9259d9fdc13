package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// deskFileIn is the settings file's path in a new temporary folder (not yet created,
// to prove the folder is made).
func deskFileIn(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "ocard-desk", DeskFileName)
}

// fileValues reads a settings file as JSON, failing the test when it does not parse.
func fileValues(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s does not parse: %v\n%s", path, err, data)
	}
	return m
}

// leftovers are the files in path's folder other than the file, its backup and its lock.
func leftovers(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		switch e.Name() {
		case filepath.Base(path), filepath.Base(Backup(path)), filepath.Base(path) + ".lock":
		default:
			out = append(out, e.Name())
		}
	}
	return out
}

func TestDeskFileWritesAtomicallyAndKeepsTheLastVersionAsBackup(t *testing.T) {
	path := deskFileIn(t)
	f := OpenDeskFile(path, "")
	if f.Origin() != FromNothing || len(f.Warnings()) != 0 {
		t.Fatalf("a new desk: %s, %v", f.Origin(), f.Warnings())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("opening wrote the file (%v)", err)
	}
	if err := f.SetStrings(map[string]string{SavedKey: `{"client_id":"A"}`, DeskShopKey: "000030"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(Backup(path)); !os.IsNotExist(err) {
		t.Errorf("a backup of nothing was written (%v)", err)
	}
	f.SetString(DeskShopKey, "000031")
	if got, want := fileValues(t, path), map[string]string{SavedKey: `{"client_id":"A"}`, DeskShopKey: "000031"}; !reflect.DeepEqual(got, want) {
		t.Errorf("file %v, want %v", got, want)
	}
	if got, want := fileValues(t, Backup(path)), map[string]string{SavedKey: `{"client_id":"A"}`, DeskShopKey: "000030"}; !reflect.DeepEqual(got, want) {
		t.Errorf("backup %v, want the version before, %v", got, want)
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{path, Backup(path)} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v (%v), want 0600", p, fi.Mode().Perm(), err)
			}
		}
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("folder mode %v (%v), want 0700", fi.Mode().Perm(), err)
		}
	}
	if l := leftovers(t, path); len(l) != 0 {
		t.Errorf("temporary files left: %v", l)
	}
	again := OpenDeskFile(path, "")
	if again.Origin() != FromFile || again.String(DeskShopKey) != "000031" || len(again.Warnings()) != 0 {
		t.Errorf("reopened: %s, shop %q, %v", again.Origin(), again.String(DeskShopKey), again.Warnings())
	}
}

// A value already stored is not written again: no new file, no new backup.
func TestDeskFileUnchangedValueIsNotRewritten(t *testing.T) {
	path := deskFileIn(t)
	f := OpenDeskFile(path, "")
	for _, shop := range []string{"000030", "000031"} { // the second write makes a backup
		if err := f.SetStrings(map[string]string{DeskShopKey: shop, WindowWidthKey: "1024"}); err != nil {
			t.Fatal(err)
		}
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	bakBefore, err := os.Stat(Backup(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetStrings(map[string]string{DeskShopKey: "000031"}); err != nil {
		t.Fatal(err)
	}
	OpenDeskFile(path, "").SetString(WindowWidthKey, "1024") // another opener, same value
	after, _ := os.Stat(path)
	bakAfter, _ := os.Stat(Backup(path))
	// A write replaces the file by rename: a new file. The same file means no write.
	if !os.SameFile(before, after) || !os.SameFile(bakBefore, bakAfter) {
		t.Error("an unchanged value was written again")
	}
	if err := f.SetStrings(map[string]string{DeskShopKey: "000032"}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(path); os.SameFile(before, after) {
		t.Error("a changed value was not written (the test cannot tell a write)")
	}
}

// A file a power cut left empty, cut short or filled with zeroes: the backup is read,
// the window is told, and the file is put back from the backup. The command line reads
// the backup too, and writes nothing.
func TestDeskFileDamagedFileFallsBackToTheBackup(t *testing.T) {
	a := map[string]string{SavedKey: `{"base_url":"https://a.example","client_id":"A"}`, DeskShopKey: "000030"}
	good := string(encodeDeskFile(a))
	for name, damaged := range map[string]string{
		"empty":     "",
		"truncated": good[:len(good)/2],
		"zeroes":    strings.Repeat("\x00", len(good)),
		"garbage":   "}{ not json",
		"null":      "null",
		"missing":   "",
	} {
		t.Run(name, func(t *testing.T) {
			path := deskFileIn(t)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(Backup(path), []byte(good), 0o600); err != nil {
				t.Fatal(err)
			}
			if name != "missing" {
				if err := os.WriteFile(path, []byte(damaged), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ro := ReadDeskFile(path, "")
			if ro.Origin() != FromBackup || !reflect.DeepEqual(ro.values, a) {
				t.Errorf("read-only: %s %v", ro.Origin(), ro.values)
			}
			if data, err := os.ReadFile(path); (name == "missing") != os.IsNotExist(err) || string(data) != damaged {
				t.Error("the read-only reader changed the file")
			}
			f := OpenDeskFile(path, "")
			if f.Origin() != FromBackup || f.String(SavedKey) != a[SavedKey] || f.String(DeskShopKey) != "000030" {
				t.Errorf("%s: %q %q", f.Origin(), f.String(SavedKey), f.String(DeskShopKey))
			}
			w := f.Warnings()
			if len(w) != 1 || w[0].Code != WarningSettingsRestored || w[0].Args["Backup"] != Backup(path) {
				t.Errorf("warnings %+v", w)
			}
			if got := fileValues(t, path); !reflect.DeepEqual(got, a) {
				t.Errorf("the file was not put back from the backup: %v", got)
			}
			if r := Load(Inputs{Prefs: f}); !hasWarning(r, WarningSettingsRestored) || r.Settings.ClientID != "A" {
				t.Errorf("Load: client id %q, warnings %v", r.Settings.ClientID, r.Warnings)
			}
		})
	}
}

// Both the file and its backup damaged: the defaults, said out loud; the next save
// writes a good file and leaves the (damaged) backup alone rather than back up garbage.
func TestDeskFileBothDamaged(t *testing.T) {
	path := deskFileIn(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, Backup(path)} {
		if err := os.WriteFile(p, []byte("{\"settings.v1\":"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f := OpenDeskFile(path, "")
	if f.Origin() != FromNothing || !reflect.DeepEqual(LoadSaved(f), Defaults()) {
		t.Errorf("%s %+v", f.Origin(), LoadSaved(f))
	}
	if w := f.Warnings(); len(w) != 1 || w[0].Code != WarningSettingsUnreadable {
		t.Errorf("warnings %+v", w)
	}
	if err := SaveDeskShop(f, "000030"); err != nil {
		t.Fatal(err)
	}
	if got := fileValues(t, path); got[DeskShopKey] != "000030" {
		t.Errorf("file %v", got)
	}
	if data, _ := os.ReadFile(Backup(path)); string(data) != "{\"settings.v1\":" {
		t.Errorf("the damaged file became the backup: %q", data)
	}
}

// The first start of this version brings the desk's keys over from Fyne's
// preferences.json (numbers for the window's size), once; Fyne's file is left as it was.
func TestDeskFileMigratesFynePreferencesOnce(t *testing.T) {
	saved := `{"base_url":"https://api.example.com","client_id":"desk"}`
	legacy := filepath.Join(t.TempDir(), "preferences.json")
	fyne := map[string]any{SavedKey: saved, DeskShopKey: "000031", WindowWidthKey: 1024, WindowHeightKey: 720.5,
		"other.bool": true, "other.string": "not the desk's"}
	data, _ := json.Marshal(fyne)
	if err := os.WriteFile(legacy, data, 0o600); err != nil {
		t.Fatal(err)
	}
	path := deskFileIn(t)

	ro := ReadDeskFile(path, legacy)
	if ro.Origin() != FromFyne || ro.String(SavedKey) != saved {
		t.Errorf("read-only: %s %q", ro.Origin(), ro.String(SavedKey))
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the read-only reader migrated (wrote the file)")
	}

	f := OpenDeskFile(path, legacy)
	want := map[string]string{SavedKey: saved, DeskShopKey: "000031", WindowWidthKey: "1024", WindowHeightKey: "720.5"}
	if f.Origin() != FromFyne || len(f.Warnings()) != 0 {
		t.Errorf("first open: %s %v", f.Origin(), f.Warnings())
	}
	if got := fileValues(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("migrated %v, want %v", got, want)
	}
	if after, _ := os.ReadFile(legacy); string(after) != string(data) {
		t.Error("Fyne's preferences were changed")
	}

	// Fyne's file changes later (an older version run again): not migrated again.
	if err := os.WriteFile(legacy, []byte(`{"desk_shop.v1":"000099"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	again := OpenDeskFile(path, legacy)
	if again.Origin() != FromFile || again.String(DeskShopKey) != "000031" {
		t.Errorf("second open: %s, shop %q", again.Origin(), again.String(DeskShopKey))
	}
}

// Fyne's file damaged (the power cut this file exists to survive) or holding none of
// the desk's keys: nothing to migrate, and no file written.
func TestDeskFileMigrationFromNothing(t *testing.T) {
	for name, content := range map[string]string{"damaged": "", "unrelated": `{"other":"x"}`, "absent": "-"} {
		t.Run(name, func(t *testing.T) {
			legacy := filepath.Join(t.TempDir(), "preferences.json")
			if content != "-" {
				if err := os.WriteFile(legacy, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path := deskFileIn(t)
			f := OpenDeskFile(path, legacy)
			if f.Origin() != FromNothing {
				t.Errorf("origin %s", f.Origin())
			}
			if w := f.Warnings(); (name == "damaged") != (len(w) == 1 && w[0].Code == WarningSettingsUnreadable) {
				t.Errorf("warnings %+v", w)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a file was written (%v)", err)
			}
		})
	}
}

// blockFile makes writing the settings file fail, whoever runs the test (root too): a
// folder with a file in it where the file should be, which no rename can replace.
func blockFile(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A write that fails is reported: by SetStrings, by SaveDeskShop, and by Save as a
// Problem the Settings form shows, with the secret put back as it was (nothing saved).
func TestDeskFileWriteFailureIsReported(t *testing.T) {
	path := deskFileIn(t)
	f := OpenDeskFile(path, "")
	blockFile(t, path)
	err := f.SetStrings(map[string]string{DeskShopKey: "000030"})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("SetStrings: %v", err)
	}
	if err := SaveDeskShop(f, "000030"); err == nil {
		t.Error("SaveDeskShop: no error")
	}
	secrets := NewFileStore(t.TempDir())
	if err := secrets.SetSecret("before-secret"); err != nil {
		t.Fatal(err)
	}
	ps := SaveAsDesk(f, good(), goodSecret, secrets)
	if len(ps) != 1 || ps[0].Code != CodeSettingsFile || !strings.Contains(ps[0].Detail, "nothing was saved") {
		t.Fatalf("problems %v", ps)
	}
	if strings.Contains(ps[0].Detail, goodSecret) || strings.Contains(ps[0].Detail, "before-secret") {
		t.Errorf("the problem names a secret: %s", ps[0].Detail)
	}
	if got, _ := secrets.Secret(); got != "before-secret" {
		t.Errorf("secret %q: not put back", got)
	}
	if f.String(SavedKey) != "" {
		t.Error("the value is in memory as if saved")
	}
	if l := leftovers(t, path); len(l) != 0 {
		t.Errorf("temporary files left after a failed write: %v", l)
	}
}

// SaveAsDesk keeps the settings and the desk's shop in one write; Save only the settings.
func TestSaveAsDeskKeepsTheShopInTheSameWrite(t *testing.T) {
	path := deskFileIn(t)
	f := OpenDeskFile(path, "")
	s := good()
	s.CurrentShop = "000030"
	if ps := SaveAsDesk(f, s, goodSecret, nil); ps != nil {
		t.Fatal(ps)
	}
	if got := fileValues(t, path); got[DeskShopKey] != "000030" || got[SavedKey] == "" {
		t.Errorf("file %v", got)
	}
	if _, err := os.Stat(Backup(path)); !os.IsNotExist(err) {
		t.Error("two writes (a backup exists after the first save)")
	}
	s.CurrentShop = "000031"
	if ps := Save(f, s, goodSecret, nil); ps != nil {
		t.Fatal(ps)
	}
	if got := fileValues(t, path); got[DeskShopKey] != "000030" {
		t.Errorf("Save changed the desk's shop: %v", got)
	}
	// Nothing of the secret in the file.
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), goodSecret) || strings.Contains(string(data), "client_secret") {
		t.Errorf("the file holds the secret: %s", data)
	}
}

func hasWarning(r Resolved, code string) bool {
	for _, w := range r.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
