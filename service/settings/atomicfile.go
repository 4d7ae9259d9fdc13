package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ocard-desk/ocard-desk/service/internal/filelock"
)

// crashPoint is called after each step of writeFileAtomic with the step's name; a
// test's child process kills itself there (TestKilledAtEveryStepOfASave).
var crashPoint = func(step string) {}

// writeFileAtomic replaces path with data so that a crash, a power cut or a concurrent
// reader finds the old file or the new one, never a part of either: a temporary file
// in the same folder (0600 from its first byte), written and fsynced, renamed over
// path, then the folder fsynced so that the rename itself is on disk. The folder is
// created 0700 when missing. what names the file in errors ("secrets", "settings").
func writeFileAtomic(path string, data []byte, what string) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%s directory %s: %w", what, dir, cause(err))
	}
	tmp, err := os.CreateTemp(dir, tempPattern(path)) // created 0600
	if err != nil {
		return fmt.Errorf("%s directory %s: %w", what, dir, cause(err))
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	crashPoint("temp created")
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		_ = tmp.Close()
		return fmt.Errorf("%s file %s: %w", what, path, cause(err))
	}
	half := len(data) / 2 // in two writes, so that a test can stop between them
	for _, part := range [][]byte{data[:half], data[half:]} {
		if _, err := tmp.Write(part); err != nil {
			_ = tmp.Close()
			return fmt.Errorf("%s file %s: %w", what, path, cause(err))
		}
		crashPoint("temp written in part")
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("%s file %s: %w", what, path, cause(err))
	}
	crashPoint("temp synced")
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s file %s: %w", what, path, cause(err))
	}
	if err := renameOver(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s file %s: %w", what, path, cause(err))
	}
	crashPoint("renamed")
	// The new file is in place whatever happens now; a folder that cannot be synced
	// (some network file systems refuse) only weakens what survives a power cut, so
	// it is not reported as a failed write.
	_ = syncDir(dir)
	crashPoint("folder synced")
	return nil
}

// tempPattern is the name os.CreateTemp gives the temporary file of path: hidden,
// beside it, and recognisable (removeStaleTemps) when a crash left one behind.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".*.tmp" }

// syncDir fsyncs a folder, so that a rename in it survives a power cut. Windows
// cannot open a folder for that; NTFS journals the rename itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// lockBeside holds filelock.Lock on path+".lock" (made 0600, its folder 0700) until
// unlock: one read-change-write at a time across processes. what names the file in
// errors.
func lockBeside(path, what string) (unlock func(), err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s directory %s: %w", what, dir, cause(err))
	}
	lf, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%s lock %s: %w", what, path+".lock", cause(err))
	}
	release, err := filelock.Lock(lf)
	if err != nil {
		_ = lf.Close()
		return nil, fmt.Errorf("%s lock %s: %w", what, path+".lock", err)
	}
	return func() { release(); _ = lf.Close() }, nil
}

// renameOver renames from over to. On Windows a file another process has open (a
// command-line run reading the settings, an antivirus scan) cannot be replaced for a
// moment: a few short retries ride that out. Elsewhere one rename is atomic and final.
func renameOver(from, to string) error {
	err := os.Rename(from, to)
	for try := 0; err != nil && runtime.GOOS == "windows" && try < 10; try++ {
		time.Sleep(20 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}

// readShared is os.ReadFile for a file another process may be replacing. On Windows
// the replacement (renameOver) holds the old file open for deletion for a moment, and a
// reader opening it then gets a sharing violation, not the old or the new content: a
// few short retries ride that out, as renameOver does on its side. A file that does not
// exist is not retried. Elsewhere a rename never makes a reader fail.
func readShared(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	for try := 0; err != nil && !errors.Is(err, fs.ErrNotExist) && runtime.GOOS == "windows" && try < 10; try++ {
		time.Sleep(20 * time.Millisecond)
		data, err = os.ReadFile(path)
	}
	return data, err
}
