package settings

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The redemption journal keys each member's lines with HMAC(salt, number). A salt
// kept beside the journal would let anyone holding the folder (a backup, a copied
// profile) try the 1,000 numbers a masked one leaves and find the member; so the
// salt lives where the secrets live: the OS credential store, or, where there is
// none, a 0600 file in a folder of its own that is never the journal's folder.

// JournalSaltDirName is the fallback folder's name in the user's config folder:
// beside ocard-desk (the journal's default folder), not inside it.
const JournalSaltDirName = "ocard-desk-keys"

// journalSaltItem prefixes the credential store's item for one journal folder.
const journalSaltItem = "journal_salt:"

// JournalSalts keeps one salt per journal folder (the desk's, the demo's, one set
// with OCARD_JOURNAL_DIR). It is safe for concurrent use; callers serialise the
// first salt of a folder across processes themselves (the journal's lock).
type JournalSalts struct {
	dir     string // the fallback folder
	keyring bool   // ask the credential store first (false: the file only)

	once     sync.Once
	useStore bool // the credential store answered the probe
}

// DefaultJournalSaltDir is the fallback folder: os.UserConfigDir()/ocard-desk-keys.
func DefaultJournalSaltDir() string {
	return filepath.Join(filepath.Dir(DefaultSecretDir()), JournalSaltDirName)
}

// OpenJournalSalts returns the salts in the OS credential store, with files in
// fallbackDir (DefaultJournalSaltDir when "") where the store does not answer.
func OpenJournalSalts(fallbackDir string) *JournalSalts {
	if fallbackDir == "" {
		fallbackDir = DefaultJournalSaltDir()
	}
	return &JournalSalts{dir: fallbackDir, keyring: true}
}

// NewJournalSaltFiles returns salts kept in files in dir only, whatever credential
// store the system has: for tests, which must never touch a real keyring.
func NewJournalSaltFiles(dir string) *JournalSalts { return &JournalSalts{dir: dir} }

func (s *JournalSalts) store() bool {
	s.once.Do(func() { s.useStore = s.keyring && probeKeyring(KeyringService) == nil })
	return s.useStore
}

// item names a journal folder's salt: by its absolute path, so two journals (the
// desk's and the demo's) have salts of their own.
func (s *JournalSalts) item(journalDir string) string {
	if abs, err := filepath.Abs(journalDir); err == nil {
		journalDir = abs
	}
	return journalSaltItem + filepath.Clean(journalDir)
}

func (s *JournalSalts) file(journalDir string) string {
	sum := sha256.Sum256([]byte(s.item(journalDir)))
	return filepath.Join(s.dir, "journal-salt-"+hex.EncodeToString(sum[:8]))
}

// LoadSalt returns the salt kept for the journal in journalDir, or nil when none
// is. A salt found in the file while the credential store works is moved there.
func (s *JournalSalts) LoadSalt(journalDir string) ([]byte, error) {
	if s.store() {
		k := &keyringStore{service: KeyringService}
		v, err := k.get(s.item(journalDir))
		if err != nil {
			return nil, err
		}
		if v != "" {
			return decodeSalt(v)
		}
	}
	b, err := os.ReadFile(s.file(journalDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	salt, err := decodeSalt(string(b))
	if err != nil {
		return nil, err
	}
	if s.store() && s.SaveSalt(journalDir, salt) == nil {
		_ = os.Remove(s.file(journalDir)) // moved: no copy left in a file
	}
	return salt, nil
}

// SaveSalt keeps salt for the journal in journalDir.
func (s *JournalSalts) SaveSalt(journalDir string, salt []byte) error {
	text := hex.EncodeToString(salt)
	if s.store() {
		return (&keyringStore{service: KeyringService}).set(s.item(journalDir), text)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	return writeFileAtomic(s.file(journalDir), []byte(text+"\n"), "journal salt")
}

// Location says where the salts are, for the documentation and logs.
func (s *JournalSalts) Location() string {
	if s.store() {
		return keyringLocation()
	}
	return s.dir
}

func decodeSalt(text string) ([]byte, error) {
	salt, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil || len(salt) < 16 {
		return nil, fmt.Errorf("the journal's salt is damaged")
	}
	return salt, nil
}
