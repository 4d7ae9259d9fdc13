package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/oauth2"
)

// SecretFileName is the fallback file's name inside its directory.
const SecretFileName = "secrets.json"

// fileStore keeps the secrets in a JSON file only its owner can read and write
// (0600, in a 0700 directory), for systems without a credential store.
//
// On Windows the permission bits mean little; the file is protected by the user
// profile's ACLs instead. Windows always has the Credential Manager, though, so the
// file is in practice a Linux (and BSD) matter.
type fileStore struct {
	path   string
	reason string // why the credential store was not used, for FallbackReason

	mu sync.Mutex // one read-modify-write at a time within this process
}

// secretFile is the file's content.
type secretFile struct {
	ClientSecret string       `json:"client_secret,omitempty"`
	Token        *tokenRecord `json:"token,omitempty"`
}

// NewFileStore returns the fallback store over dir/secrets.json, whatever credential
// store the system has: for tests, and for desks whose IT wants the file.
func NewFileStore(dir string) SecretStore { return newFileStore(dir) }

func newFileStore(dir string) *fileStore {
	return &fileStore{path: filepath.Join(dir, SecretFileName)}
}

func (f *fileStore) Kind() string     { return "file" }
func (f *fileStore) Location() string { return f.path }

// Secret returns the client secret.
func (f *fileStore) Secret() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.read()
	return c.ClientSecret, err
}

// SetSecret stores the client secret ("" removes it).
func (f *fileStore) SetSecret(secret string) error {
	return f.update(func(c *secretFile) { c.ClientSecret = secret })
}

// LoadToken returns the stored access token, or nil when none is stored.
func (f *fileStore) LoadToken() (*oauth2.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.read()
	if err != nil || c.Token == nil {
		return nil, err
	}
	return c.Token.token(), nil
}

// SaveToken stores t with its expiry (nil removes it).
func (f *fileStore) SaveToken(t *oauth2.Token) error {
	return f.update(func(c *secretFile) {
		c.Token = nil
		if t != nil {
			rec := recordOf(t)
			c.Token = &rec
		}
	})
}

// read returns the file's content; a missing file is empty. Permissions someone
// widened are narrowed again, since the file holds a credential.
func (f *fileStore) read() (secretFile, error) {
	var c secretFile
	data, err := readShared(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("secrets file %s: %w", f.path, cause(err))
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(f.path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(f.path, 0o600)
		}
	}
	if err := json.Unmarshal(data, &c); err != nil {
		// The JSON error could quote a fragment of the secret; say only where.
		return secretFile{}, damagedError(f.path)
	}
	return c, nil
}

// update applies change to the content and writes it back atomically. A damaged file
// is replaced: what it held cannot be read anyway, and the user is re-entering it.
//
// The read, change and write hold a lock on a file beside it across processes too:
// the window saving the secret while `lookup` saves a token would otherwise lose one
// of them (each writes back what it read).
func (f *fileStore) update(change func(*secretFile)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := f.lockAcrossProcesses()
	if err != nil {
		return err
	}
	defer unlock()
	c, err := f.read()
	if err != nil && !isDamaged(err) {
		return err
	}
	change(&c)
	if c.ClientSecret == "" && c.Token == nil {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("secrets file %s: %w", f.path, cause(err))
		}
		return nil
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.path, data, "secrets")
}

// damagedError is a secrets file that is not JSON. It is told apart from an
// unreadable one because update may overwrite it but must not overwrite a file it
// was denied.
type damagedError string

func (e damagedError) Error() string {
	return "secrets file " + string(e) + " is damaged (not valid JSON)"
}

func isDamaged(err error) bool {
	var d damagedError
	return errors.As(err, &d)
}

// cause drops the *fs.PathError around err: messages here name the file themselves.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// lockAcrossProcesses holds filelock.Lock on the store's lock file (made 0600 beside
// the secrets file) until unlock.
func (f *fileStore) lockAcrossProcesses() (unlock func(), err error) {
	return lockBeside(f.path, "secrets")
}
