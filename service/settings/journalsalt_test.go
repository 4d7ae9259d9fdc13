package settings

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The journal's salts go to the credential store (go-keyring's mock here) when it
// answers, one per journal folder; a salt left in the fallback file is moved into
// the store at its first read and the file removed; the files-only store never
// touches the keyring.
func TestJournalSaltsPreferTheCredentialStore(t *testing.T) {
	fallback := t.TempDir()
	salt, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)

	files := NewJournalSaltFiles(fallback)
	if err := files.SaveSalt("/journal/a", salt); err != nil {
		t.Fatal(err)
	}
	if names, _ := filepath.Glob(filepath.Join(fallback, "journal-salt-*")); len(names) != 1 {
		t.Fatalf("fallback files %v", names)
	}
	store := OpenJournalSalts(fallback)
	if store.Location() == fallback {
		t.Fatal("the mock keyring was not used")
	}
	if got, err := store.LoadSalt("/journal/a"); err != nil || !bytes.Equal(got, salt) {
		t.Fatalf("load from the file: %x %v", got, err)
	}
	if names, _ := filepath.Glob(filepath.Join(fallback, "journal-salt-*")); len(names) != 0 {
		t.Errorf("the file was kept after the move: %v", names)
	}
	if got, _ := OpenJournalSalts(fallback).LoadSalt("/journal/a"); !bytes.Equal(got, salt) {
		t.Errorf("not in the store after the move: %x", got)
	}
	if err := store.SaveSalt("/journal/b", other); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.LoadSalt("/journal/b"); !bytes.Equal(got, other) {
		t.Errorf("second folder: %x", got)
	}
	if got, _ := NewJournalSaltFiles(fallback).LoadSalt("/journal/b"); got != nil {
		t.Errorf("the files-only store read %x", got)
	}
	if _, err := os.Stat(DefaultJournalSaltDir()); err == nil && filepath.Dir(DefaultJournalSaltDir()) != filepath.Dir(DefaultSecretDir()) {
		t.Errorf("fallback folder %s not beside %s", DefaultJournalSaltDir(), DefaultSecretDir())
	}
	if filepath.Base(DefaultJournalSaltDir()) == filepath.Base(DefaultSecretDir()) {
		t.Errorf("fallback folder %s is the journal's folder", DefaultJournalSaltDir())
	}
}
