package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// SavedKey is the preferences key under which the user's settings are kept, as one
// JSON value. The version suffix lets a later format live beside this one.
const SavedKey = "settings.v1"

// KV is the store for non-secret settings: the window passes a DeskFile (OpenDeskFile),
// the command line a read-only one (ReadDeskFile), tests a MemoryKV. fyne.Preferences
// satisfies it too, but Fyne does not write its file atomically (see DeskFile).
type KV interface {
	String(key string) string
	SetString(key, value string)
}

// MemoryKV is a KV in memory, for tests and for runs without preferences. It is safe
// for concurrent use.
type MemoryKV struct {
	mu sync.Mutex
	m  map[string]string
}

// String returns the value under key, or "".
func (kv *MemoryKV) String(key string) string {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.m[key]
}

// SetString stores value under key.
func (kv *MemoryKV) SetString(key, value string) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.m == nil {
		kv.m = map[string]string{}
	}
	kv.m[key] = value
}

// Values returns a copy of everything stored, so tests can search it for a secret.
func (kv *MemoryKV) Values() map[string]string {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	out := make(map[string]string, len(kv.m))
	for k, v := range kv.m {
		out[k] = v
	}
	return out
}

// LoadSaved returns the settings the user saved, on top of Defaults. Nothing saved,
// or something unreadable (a hand-edited preferences file), gives Defaults: a desk
// must always open.
func LoadSaved(kv KV) Settings {
	s := Defaults()
	if kv == nil {
		return s
	}
	raw := kv.String(SavedKey)
	if raw == "" {
		return s
	}
	// Decoding onto Defaults keeps the defaults of fields an older version did not
	// save, while a saved idle_clear_seconds of 0 (never) stays 0.
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Defaults() // not the half-decoded value
	}
	return s
}

// Save validates s and the secret and, only when there is no problem, stores the
// secret in secrets and the settings in kv. On any problem it stores nothing and
// returns the problems; a credential store that refuses the secret is a Problem of
// FieldClientSecret with CodeStore, and then kv is untouched too. A settings file that
// cannot be written (a DeskFile) is a Problem with CodeSettingsFile, and then the
// secret is put back as it was.
//
// The secret is written only when it differs from the stored one, so saving a form
// does not rewrite the keychain (and on macOS ask for access) each time; with nil
// secrets it is validated but not stored. A credential store may be slow (macOS runs
// a program, a locked Secret Service asks the user): call Save off the UI goroutine.
func Save(kv KV, s Settings, secret string, secrets SecretStore) []Problem {
	return save(kv, s, secret, secrets, false)
}

// SaveAsDesk is Save for the desk's own Settings screen: the shop picked there is also
// kept as this desk's shop (DeskShopKey), in the same write as the settings, so that a
// crash keeps both or neither.
func SaveAsDesk(kv KV, s Settings, secret string, secrets SecretStore) []Problem {
	return save(kv, s, secret, secrets, true)
}

func save(kv KV, s Settings, secret string, secrets SecretStore, deskShop bool) []Problem {
	if ps := s.Validate(secret); len(ps) > 0 {
		return ps
	}
	s = s.Normalized()
	data, err := json.Marshal(s)
	if err != nil { // unreachable: Settings holds only strings, ints and slices of them
		return []Problem{{FieldBaseURL, CodeInvalid, "settings cannot be encoded"}}
	}
	putBack := func() error { return nil } // undoes the secret's change when the settings cannot be written
	if secrets != nil {
		if old, readErr := secrets.Secret(); readErr != nil || old != secret {
			if err := secrets.SetSecret(secret); err != nil {
				return []Problem{{FieldClientSecret, CodeStore,
					"the client secret could not be stored in " + secrets.Location() + ": " + safeErr(err, secret)}}
			}
			putBack = func() error {
				if readErr != nil {
					return errors.New("the secret stored before could not be read")
				}
				if err := secrets.SetSecret(old); err != nil {
					return errors.New(safeErr(err, old)) // the message must not hold the old secret either
				}
				return nil
			}
		}
	}
	values := map[string]string{SavedKey: string(data)}
	if deskShop {
		values[DeskShopKey] = strings.TrimSpace(s.CurrentShop)
	}
	if err := WriteStrings(kv, values); err != nil {
		detail := "the settings could not be written: " + safeErr(err, secret) + "; nothing was saved"
		if perr := putBack(); perr != nil {
			detail = "the settings could not be written: " + safeErr(err, secret) +
				"; the new client secret was stored, the other settings were not (" + safeErr(perr, secret) + ")"
		}
		// Not a field's fault: shown at the top of the form, with the first field.
		return []Problem{{FieldBaseURL, CodeSettingsFile, detail}}
	}
	return nil
}

// FynePreferencesFile returns the file in which Fyne v2.7 keeps the preferences of the
// app appID (fyne.io/fyne/v2/app storagePath and internal/app rootConfigDir), so that
// `ocard-desk lookup`, which starts no Fyne app, reads what the window saved:
//
//	Linux, BSD: $XDG_CONFIG_HOME/fyne/<appID>/preferences.json (~/.config/fyne/…)
//	Windows:    %USERPROFILE%\AppData\Roaming\fyne\<appID>\preferences.json
//	macOS:      ~/Library/Preferences/fyne/<appID>/preferences.json
//	-tags ci and other systems: $TMPDIR/fyne-test/<appID>/preferences.json
//
// It must change with Fyne: TestFynePreferencesFile pins the version it was read from.
func FynePreferencesFile(appID string) string {
	return filepath.Join(fyneRootConfigDir(runtime.GOOS, fyneCI), appID, "preferences.json")
}

// FyneVersionRead is the Fyne version whose storage paths FynePreferencesFile copies.
const FyneVersionRead = "v2.7.1"

func fyneRootConfigDir(goos string, ci bool) string {
	if ci {
		return filepath.Join(os.TempDir(), "fyne-test")
	}
	// Errors are ignored as Fyne ignores them, so the paths stay the same even then.
	switch goos {
	case "windows":
		home, _ := os.UserHomeDir()
		return filepath.Join(home, "AppData", "Roaming", "fyne")
	case "darwin":
		home, _ := os.UserHomeDir()
		return filepath.Join(home, "Library", "Preferences", "fyne")
	case "linux", "freebsd", "openbsd", "netbsd":
		dir, _ := os.UserConfigDir()
		return filepath.Join(dir, "fyne")
	}
	return filepath.Join(os.TempDir(), "fyne-test")
}

// ReadOnlyKV reads the preferences file at path (Fyne's format: one JSON object) and
// returns a KV over what it held then. SetString changes only that copy: the file is
// the window's, and writing it behind a running window would be lost or clobber it.
// A missing or unreadable file is an empty KV.
func ReadOnlyKV(path string) KV {
	kv, _ := OpenReadOnlyKV(path)
	return kv
}

// OpenReadOnlyKV is ReadOnlyKV with the reason the file could not be read; a file that
// does not exist is not an error. The KV is usable (empty) in every case.
func OpenReadOnlyKV(path string) (KV, error) {
	kv := &MemoryKV{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return kv, nil
	}
	if err != nil {
		return kv, err
	}
	var values map[string]any
	if err := json.Unmarshal(data, &values); err != nil {
		return kv, err
	}
	for k, v := range values {
		if s, ok := v.(string); ok {
			kv.SetString(k, s)
		}
	}
	return kv, nil
}
