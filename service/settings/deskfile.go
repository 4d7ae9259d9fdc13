package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// The desk keeps its saved settings (SavedKey), its shop (DeskShopKey) and the window's
// size in a file of its own, not in Fyne's preferences.json: Fyne rewrites that file
// in place (truncate, then encode), so a power cut during a save left it empty and the
// desk started with every setting gone (issue 16). This file is only ever replaced
// whole (writeFileAtomic), its previous version is kept as a backup that is read when
// the file does not parse, and writers on one user account take turns (lockBeside).

// DeskFileName is the desk's settings file, in the same folder as the journal and the
// secrets file.
const DeskFileName = "desk-settings.json"

// Keys of the window's size, in logical units, as the cashier left it (strings of
// decimal numbers).
const (
	WindowWidthKey  = "window.width"
	WindowHeightKey = "window.height"
)

// Keys of the window's position on the screen, in the window system's units (pixels on
// X11 and Windows, points on macOS), as whole numbers. Fyne never kept them: nothing to
// migrate.
const (
	WindowXKey = "window.x"
	WindowYKey = "window.y"
)

// desksKeys are the keys the desk keeps, brought over from Fyne's preferences once.
var desksKeys = []string{SavedKey, DeskShopKey, WindowWidthKey, WindowHeightKey}

// DefaultDeskFile is where the desk's settings live: ocard-desk/desk-settings.json in
// the user's config folder (e.g. ~/.config/ocard-desk, %AppData%\ocard-desk).
func DefaultDeskFile() string { return filepath.Join(DefaultSecretDir(), DeskFileName) }

// Origin says where a DeskFile's values came from when it was opened.
type Origin string

// The origins.
const (
	FromFile    Origin = "file"              // the file itself
	FromBackup  Origin = "backup"            // the file was damaged or missing; its backup (.bak) held them
	FromFyne    Origin = "fyne preferences"  // neither existed: brought over from Fyne's preferences.json
	FromNothing Origin = "nothing saved yet" // or nothing readable (Warnings says so)
)

// The codes of the warnings a DeskFile reports (see Warning).
const (
	// WarningSettingsRestored: the settings file could not be used, and its backup
	// was. Args: Path, Backup, Error (why the file could not be used, in English) and
	// Problem (the same as a code, for a translation: one of the Problem… constants).
	WarningSettingsRestored = "settings_restored"
	// WarningSettingsUnreadable: neither the settings file nor its backup could be
	// read, so the desk starts with the defaults. Args: Path, Error, Problem.
	WarningSettingsUnreadable = "settings_unreadable"
	// WarningSettingsNotWritten: the settings were read but repairing or creating the
	// file failed; they are used for this run. Args: Path, Error.
	WarningSettingsNotWritten = "settings_not_written"
)

// Why a settings file could not be used: the Problem argument of a warning. Only
// ProblemUnreadable's Error carries words of the system (the I/O error).
const (
	ProblemMissing    = "missing"
	ProblemEmpty      = "empty"
	ProblemNotJSON    = "not_json"
	ProblemNotObject  = "not_object"
	ProblemUnreadable = "unreadable"
)

// DeskFile is a KV over the desk's settings file: one JSON object of string values,
// mode 0600. OpenDeskFile's writes replace the file atomically and keep the previous
// version as Backup(path); ReadDeskFile's never touch it. It is safe for concurrent
// use, and across processes (filelock) where the system has flock.
type DeskFile struct {
	path     string
	legacy   string // Fyne's preferences.json, the source of the one migration
	readOnly bool

	mu       sync.Mutex
	values   map[string]string // as last read or written
	origin   Origin
	warnings []Warning
}

// Backup is the file holding the previous version of the settings file at path.
func Backup(path string) string { return path + ".bak" }

// OpenDeskFile opens the desk's settings file at path for the window. It reads the
// file, or its backup when the file is damaged or missing (and then puts the backup's
// content back in place), or, when neither exists, the desk's keys from legacy (Fyne's
// preferences.json, see FynePreferencesFile) and writes them to path: the migration,
// done once, since the file then exists. legacy is only read. It always returns a
// usable DeskFile; what went wrong is in Warnings.
func OpenDeskFile(path, legacy string) *DeskFile {
	f := &DeskFile{path: path, legacy: legacy}
	f.load()
	if f.origin != FromBackup && f.origin != FromFyne {
		return f
	}
	// Repair or migrate, under the lock: another process may be doing the same, or
	// may have saved meanwhile, so read again there.
	unlock, err := lockBeside(path, "settings")
	if err == nil {
		defer unlock()
		f.load()
		if f.origin == FromBackup || f.origin == FromFyne {
			err = writeFileAtomic(path, encodeDeskFile(f.values), "settings")
		}
	}
	if err != nil {
		f.warnings = append(f.warnings, Warning{Code: WarningSettingsNotWritten,
			Args: map[string]string{"Path": path, "Error": firstLine(err.Error())},
			Text: "the settings file " + path + " could not be written (" + firstLine(err.Error()) + "); the settings are used for this run only"})
	}
	return f
}

// ReadDeskFile reads the desk's settings as OpenDeskFile does (the file, its backup,
// or legacy) and never writes anything: for the command line, which must not change
// the window's file. SetString changes only the copy in memory.
func ReadDeskFile(path, legacy string) *DeskFile {
	f := &DeskFile{path: path, legacy: legacy, readOnly: true}
	f.load()
	return f
}

// Path is the settings file's path.
func (f *DeskFile) Path() string { return f.path }

// Origin says where the values came from when the file was opened.
func (f *DeskFile) Origin() Origin {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.origin
}

// Warnings are what opening the file found worth telling the user: the settings were
// restored from the backup, could not be read at all, or could not be written back.
// Load adds them to Resolved.Warnings.
func (f *DeskFile) Warnings() []Warning {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Warning(nil), f.warnings...)
}

// String returns the value under key as last read or written, or "".
func (f *DeskFile) String(key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.values[key]
}

// SetString stores value under key (see SetStrings). KV has no room for an error, so
// a failed write is logged; callers that can tell the user use WriteStrings.
func (f *DeskFile) SetString(key, value string) {
	if err := f.SetStrings(map[string]string{key: value}); err != nil {
		slog.Warn("settings not saved", "err", err)
	}
}

// SetStrings stores values in one atomic replacement of the file and returns why it
// could not. Under the lock across processes it reads the file again (another desk
// process's keys are kept), and writes nothing when every value is already stored;
// otherwise the file as it was becomes the backup, then the new file replaces it.
// A read-only DeskFile changes only its copy in memory.
func (f *DeskFile) SetStrings(values map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.readOnly {
		if f.values == nil {
			f.values = map[string]string{}
		}
		maps.Copy(f.values, values)
		return nil
	}
	unlock, err := lockBeside(f.path, "settings")
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(f.path)
	current, data, err := readDeskValues(f.path)
	base := current
	if err != nil { // damaged or missing: build on the backup, else on what this process knows
		if base, _, err = readDeskValues(Backup(f.path)); err != nil {
			base = f.values
		}
	} else if contains(current, values) {
		f.values = current
		return nil
	}
	next := maps.Clone(base)
	if next == nil {
		next = map[string]string{}
	}
	maps.Copy(next, values)
	if data != nil { // a good file becomes the backup; a damaged one must not replace it
		if err := writeFileAtomic(Backup(f.path), data, "settings"); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(f.path, encodeDeskFile(next), "settings"); err != nil {
		return err
	}
	f.values = next
	return nil
}

// WriteStrings stores values in kv and returns why it could not: one atomic write for
// a DeskFile, one SetString each (which cannot fail) for another KV.
func WriteStrings(kv KV, values map[string]string) error {
	if w, ok := kv.(interface {
		SetStrings(map[string]string) error
	}); ok {
		return w.SetStrings(values)
	}
	for k, v := range values {
		kv.SetString(k, v)
	}
	return nil
}

// load reads the file, else its backup, else (neither existing) legacy, and sets
// values, origin and warnings.
func (f *DeskFile) load() {
	f.warnings = nil
	values, _, mainErr := readDeskValues(f.path)
	if mainErr == nil {
		f.values, f.origin = values, FromFile
		return
	}
	bak := Backup(f.path)
	values, _, bakErr := readDeskValues(bak)
	if bakErr == nil {
		problem, why := deskFileProblem(mainErr)
		f.values, f.origin = values, FromBackup
		f.warnings = []Warning{{Code: WarningSettingsRestored,
			Args: map[string]string{"Path": f.path, "Backup": bak, "Error": why, "Problem": problem},
			Text: "the settings file " + f.path + " could not be used (" + why + "); the settings were restored from its backup " + bak}}
		return
	}
	f.values, f.origin = map[string]string{}, FromNothing
	if !errors.Is(mainErr, fs.ErrNotExist) || !errors.Is(bakErr, fs.ErrNotExist) {
		problem, why := deskFileProblem(mainErr)
		f.warnings = []Warning{{Code: WarningSettingsUnreadable,
			Args: map[string]string{"Path": f.path, "Error": why, "Problem": problem},
			Text: "the settings file " + f.path + " and its backup could not be read (" + why + "); the desk starts with the default settings"}}
		return
	}
	if f.legacy == "" {
		return
	}
	values, err := readLegacy(f.legacy)
	if err != nil {
		problem, why := deskFileProblem(err)
		f.warnings = []Warning{{Code: WarningSettingsUnreadable,
			Args: map[string]string{"Path": f.legacy, "Error": why, "Problem": problem},
			Text: "the settings file " + f.legacy + " could not be read (" + why + "); the desk starts with the default settings"}}
		return
	}
	if len(values) > 0 {
		f.values, f.origin = values, FromFyne
	}
}

// readDeskValues reads a settings file: its values, and its bytes when it parsed.
// A missing file is an error that wraps fs.ErrNotExist; a damaged one is a
// *damagedDeskFile.
func readDeskValues(path string) (map[string]string, []byte, error) {
	data, err := readShared(path)
	if err != nil {
		return nil, nil, err
	}
	var raw map[string]any
	if len(data) == 0 {
		return nil, nil, &damagedDeskFile{ProblemEmpty, "empty"}
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, &damagedDeskFile{ProblemNotJSON, "not valid JSON"}
	}
	if raw == nil {
		return nil, nil, &damagedDeskFile{ProblemNotObject, "not a JSON object"}
	}
	values := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok { // a hand-edited number or list is left out, not the whole file
			values[k] = s
		}
	}
	return values, data, nil
}

// readLegacy reads the desk's keys from Fyne's preferences.json, where Fyne keeps
// floats as JSON numbers (the window's size); they become decimal strings. A missing
// file holds nothing.
func readLegacy(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &damagedDeskFile{ProblemNotJSON, "not valid JSON"}
	}
	values := map[string]string{}
	for _, k := range desksKeys {
		switch v := raw[k].(type) {
		case string:
			values[k] = v
		case float64:
			values[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return values, nil
}

// damagedDeskFile is a settings file that exists and was read but does not parse.
type damagedDeskFile struct{ problem, why string }

func (e *damagedDeskFile) Error() string { return e.why }

// deskFileProblem says why a settings file could not be used: as a Problem code, and
// in a few words.
func deskFileProblem(err error) (problem, why string) {
	var d *damagedDeskFile
	switch {
	case errors.As(err, &d):
		return d.problem, d.why
	case errors.Is(err, fs.ErrNotExist):
		return ProblemMissing, "missing"
	}
	return ProblemUnreadable, firstLine(cause(err).Error())
}

// encodeDeskFile is the file's content: one JSON object, keys sorted, one per line.
func encodeDeskFile(values map[string]string) []byte {
	data, err := json.MarshalIndent(values, "", "  ")
	if err != nil { // unreachable: a map of strings always encodes
		panic(fmt.Sprintf("settings: %v", err))
	}
	return append(data, '\n')
}

// contains reports whether every value is already stored in current.
func contains(current, values map[string]string) bool {
	for k, v := range values {
		if old, ok := current[k]; !ok || old != v {
			return false
		}
	}
	return true
}

// removeStaleTemps removes the temporary files a writer killed mid-write left beside
// path. The caller holds the lock, so no writer is using one now.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		for _, p := range []string{path, Backup(path)} {
			if ok, _ := filepath.Match(tempPattern(p), e.Name()); ok && e.Type().IsRegular() {
				_ = os.Remove(filepath.Join(dir, e.Name()))
				break
			}
		}
	}
}
