package journal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// SaltStore keeps the salt of a journal's member keys somewhere other than the
// journal's folder, so that the folder alone (a backup, a copied profile) cannot
// be brute-forced back to numbers: a masked number leaves only 1,000 candidates.
// *settings.JournalSalts (the OS credential store, or a 0600 file in a folder of
// its own) is one.
type SaltStore interface {
	// LoadSalt returns the salt kept for the journal in journalDir, or nil, nil.
	LoadSalt(journalDir string) ([]byte, error)
	// SaveSalt keeps salt for the journal in journalDir.
	SaveSalt(journalDir string, salt []byte) error
}

// legacySaltName is where versions before issue 21 kept the salt: in the folder.
const legacySaltName = "redeem-journal.salt"

// defaultSalts is Open's store: one per process, so the credential store is
// probed once.
var defaultSalts = sync.OnceValue(func() SaltStore { return settings.OpenJournalSalts("") })

// loadSalt returns dir's salt from store, making one (32 random bytes) on first
// use. A salt left in the folder by an older version is moved into the store once
// (stored, read back, then the file removed) so that the keys already written
// still match. Called with the journal lock held, so that two first starts
// (window and command line) agree on one salt.
func loadSalt(dir string, store SaltStore) ([]byte, error) {
	legacyPath := filepath.Join(dir, legacySaltName)
	legacy, err := readLegacySalt(legacyPath)
	if err != nil {
		return nil, err
	}
	if legacy == nil {
		salt, err := store.LoadSalt(dir)
		if err != nil || salt != nil {
			return salt, err
		}
		salt = make([]byte, 32)
		rand.Read(salt)
		if err := store.SaveSalt(dir, salt); err != nil {
			return nil, err
		}
		return salt, nil
	}
	// The folder's own salt wins: its lines were keyed with it.
	if err := store.SaveSalt(dir, legacy); err != nil {
		return nil, err
	}
	if back, err := store.LoadSalt(dir); err != nil || !bytes.Equal(back, legacy) {
		return nil, errors.New("the salt could not be moved out of the journal's folder")
	}
	if err := os.Remove(legacyPath); err != nil {
		return nil, err
	}
	syncDir(dir)
	return legacy, nil
}

// readLegacySalt reads an in-folder salt; nil when there is none or it is empty
// (the old in-place write left that when cut short: no key was made with it).
func readLegacySalt(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	salt, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(salt) < 16 {
		return nil, errors.New("salt file is damaged; move it away only if the journal's member keys may change")
	}
	return salt, nil
}
