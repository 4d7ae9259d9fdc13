package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

// mockKeyring swaps go-keyring's provider for its in-memory mock (failing with err
// when not nil), under the lock every call into go-keyring takes: a probe left
// running by an earlier test may still be using the provider.
func mockKeyring(t *testing.T, err error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	if err == nil {
		keyring.MockInit()
		return
	}
	keyring.MockInitWithError(err)
	t.Cleanup(func() { mockKeyring(t, nil) })
}

// keyringItem reads an item straight from go-keyring.
func keyringItem(service, item string) (string, error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return keyring.Get(service, item)
}

// storeRoundTrip checks what every SecretStore must do.
func storeRoundTrip(t *testing.T, s SecretStore) {
	t.Helper()
	if sec, err := s.Secret(); sec != "" || err != nil {
		t.Errorf("empty store: secret %q, %v", sec, err)
	}
	if tok, err := s.LoadToken(); tok != nil || err != nil {
		t.Errorf("empty store: token %v, %v", tok, err)
	}
	if err := s.SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.SaveToken(&oauth2.Token{AccessToken: "AT-1", TokenType: "Bearer", Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
	if sec, err := s.Secret(); sec != goodSecret || err != nil {
		t.Errorf("secret %q, %v", sec, err)
	}
	tok, err := s.LoadToken()
	if err != nil || tok == nil || tok.AccessToken != "AT-1" || tok.TokenType != "Bearer" || !tok.Expiry.Equal(expiry) {
		t.Errorf("token %+v, %v", tok, err)
	}
	// The secret and the token are independent items.
	if err := s.SaveToken(nil); err != nil {
		t.Fatal(err)
	}
	if sec, _ := s.Secret(); sec != goodSecret {
		t.Errorf("removing the token removed the secret")
	}
	if err := s.SetSecret(""); err != nil {
		t.Fatal(err)
	}
	if sec, _ := s.Secret(); sec != "" {
		t.Errorf("secret %q after removal", sec)
	}
	if err := s.SetSecret(""); err != nil { // removing nothing is fine
		t.Errorf("second removal: %v", err)
	}
}

func TestKeyringStore(t *testing.T) {
	mockKeyring(t, nil)
	s := OpenSecretStore(KeyringService, t.TempDir())
	if s.Kind() != "keyring" || s.Location() == "" || FallbackReason(s) != "" {
		t.Fatalf("kind %q location %q reason %q", s.Kind(), s.Location(), FallbackReason(s))
	}
	storeRoundTrip(t, s)
	// What the store holds is visible to another store (a restart) under the service name.
	if err := s.SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	if v, err := keyringItem(KeyringService, "client_secret"); v != goodSecret || err != nil {
		t.Errorf("keyring holds %q, %v", v, err)
	}
	if sec, _ := OpenSecretStore(KeyringService, t.TempDir()).Secret(); sec != goodSecret {
		t.Errorf("reopened: %q", sec)
	}
}

func TestKeyringUnavailableFallsBackToFile(t *testing.T) {
	mockKeyring(t, errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	dir := filepath.Join(t.TempDir(), "ocard-desk")
	s := OpenSecretStore(KeyringService, dir)
	if s.Kind() != "file" || s.Location() != filepath.Join(dir, SecretFileName) ||
		!strings.Contains(FallbackReason(s), "org.freedesktop.secrets") {
		t.Errorf("kind %q location %q reason %q", s.Kind(), s.Location(), FallbackReason(s))
	}
}

func TestKeyringProbeTimesOut(t *testing.T) {
	release := make(chan struct{})
	keyringMu.Lock() // a store that never answers
	go func() { <-release; keyringMu.Unlock() }()
	defer close(release)
	old := probeTimeout
	probeTimeout = 10 * time.Millisecond
	defer func() { probeTimeout = old }()
	if s := OpenSecretStore(KeyringService, t.TempDir()); s.Kind() != "file" || !strings.Contains(FallbackReason(s), "no answer") {
		t.Errorf("kind %q reason %q", s.Kind(), FallbackReason(s))
	}
}

// A secret saved in the file while the keyring was unavailable moves into the
// keyring once it answers, and leaves the file.
func TestKeyringTakesOverTheFile(t *testing.T) {
	mockKeyring(t, nil)
	dir := t.TempDir()
	if err := NewFileStore(dir).SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	s := OpenSecretStore(KeyringService, dir)
	if sec, err := s.Secret(); sec != goodSecret || err != nil {
		t.Fatalf("secret %q, %v", sec, err)
	}
	if v, _ := keyringItem(KeyringService, "client_secret"); v != goodSecret {
		t.Errorf("not moved into the keyring: %q", v)
	}
	if _, err := os.Stat(filepath.Join(dir, SecretFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file still exists: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "ocard-desk") // neither exists yet
	s := NewFileStore(dir)
	if s.Kind() != "file" || s.Location() != filepath.Join(dir, "secrets.json") {
		t.Errorf("kind %q location %q", s.Kind(), s.Location())
	}
	storeRoundTrip(t, s)
	if _, err := os.Stat(s.Location()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an empty store leaves no file: %v", err)
	}

	if err := s.SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	expiry := time.Now().Add(30 * 24 * time.Hour).Round(0)
	if err := s.SaveToken(&oauth2.Token{AccessToken: "AT-2", TokenType: "Bearer", Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, s.Location(): 0o600} {
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode().Perm(), want, err)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != filepath.Base(s.Location()) && e.Name() != filepath.Base(s.Location())+".lock" {
			t.Errorf("temporary file left behind: %s", e.Name()) // the lock file stays, empty
		}
	}
	// A restart: a new store over the same directory reads both back.
	s2 := NewFileStore(dir)
	tok, err := s2.LoadToken()
	if sec, _ := s2.Secret(); sec != goodSecret || err != nil || tok.AccessToken != "AT-2" || !tok.Expiry.Equal(expiry) || !tok.Valid() {
		t.Errorf("secret %q token %+v %v", sec, tok, err)
	}
	var content map[string]any
	data, _ := os.ReadFile(s.Location())
	if err := json.Unmarshal(data, &content); err != nil || content["client_secret"] != goodSecret {
		t.Errorf("content %s", data)
	}
}

func TestFileStoreRepairs(t *testing.T) {
	dir := t.TempDir()
	s := NewFileStore(dir)
	if err := s.SetSecret(goodSecret); err != nil {
		t.Fatal(err)
	}
	// Widened permissions are narrowed again. Not on Windows, which has no mode bits
	// (os.Chmod only sets the read-only attribute; the file is private through the
	// profile folder's access list).
	if runtime.GOOS != "windows" {
		if err := os.Chmod(s.Location(), 0o644); err != nil {
			t.Fatal(err)
		}
		if sec, _ := s.Secret(); sec != goodSecret {
			t.Fatal(sec)
		}
		if fi, _ := os.Stat(s.Location()); fi.Mode().Perm() != 0o600 {
			t.Errorf("widened permissions kept: %v", fi.Mode().Perm())
		}
	}
	// A damaged file is an error that quotes nothing from it, and is replaced on save.
	if err := os.WriteFile(s.Location(), []byte(`{"client_secret": "`+goodSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Secret(); err == nil || strings.Contains(err.Error(), goodSecret) || !strings.Contains(err.Error(), s.Location()) {
		t.Errorf("damaged: %v", err)
	}
	if err := s.SetSecret("new"); err != nil {
		t.Fatal(err)
	}
	if sec, err := s.Secret(); sec != "new" || err != nil {
		t.Errorf("%q %v", sec, err)
	}
}

func TestTokenCacheFor(t *testing.T) {
	store := NewFileStore(t.TempDir())
	cfg := good().ServiceConfig(goodSecret)
	bound := TokenCacheFor(store, cfg)
	tok := &oauth2.Token{AccessToken: "AT-3", Expiry: time.Now().Add(time.Hour)}
	if err := bound.SaveToken(tok); err != nil {
		t.Fatal(err)
	}
	if got, err := TokenCacheFor(NewFileStore(filepath.Dir(store.Location())), cfg).LoadToken(); err != nil || got == nil || got.AccessToken != "AT-3" {
		t.Errorf("same settings: %+v %v", got, err)
	}
	for name, edit := range map[string]func(*Settings, *string){
		"other base URL":  func(s *Settings, _ *string) { s.BaseURL = "https://other.example.com" },
		"other token URL": func(s *Settings, _ *string) { s.TokenURL = "https://other.example.com/t" },
		"other client":    func(s *Settings, _ *string) { s.ClientID = "other" },
		"rotated secret":  func(_ *Settings, sec *string) { *sec = "rotated" },
		"other scope":     func(s *Settings, _ *string) { s.Scope = "api member" },
	} {
		s, sec := good(), goodSecret
		edit(&s, &sec)
		if got, err := TokenCacheFor(store, s.ServiceConfig(sec)).LoadToken(); got != nil || err != nil {
			t.Errorf("%s: the old token was served: %+v %v", name, got, err)
		}
	}
	// A token stored without settings (an older version) is not trusted.
	if err := store.SaveToken(tok); err != nil {
		t.Fatal(err)
	}
	if got, _ := bound.LoadToken(); got != nil {
		t.Errorf("unbound token served: %+v", got)
	}
	data, _ := os.ReadFile(store.Location())
	if strings.Count(string(data), goodSecret) != 0 {
		t.Errorf("the fingerprint leaks the secret: %s", data)
	}
	ro := ReadOnlyTokenCache(bound)
	if err := ro.SaveToken(&oauth2.Token{AccessToken: "AT-4"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.LoadToken(); got.AccessToken != "AT-3" {
		t.Errorf("the read-only cache saved: %+v", got)
	}
}

// A credential store that refuses a value for its length (go-keyring's
// ErrSetDataTooBig: Windows Credential Manager over 2,560 bytes) is reported as
// ErrTooBigForStore, which Save turns into a problem of the secret; nothing goes to
// the fallback file. TestRealCredentialStore does the same against the real store.
func TestTooBigForTheStoreIsAClearError(t *testing.T) {
	dir := t.TempDir()
	mockKeyring(t, keyring.ErrSetDataTooBig)
	store := &keyringStore{service: KeyringService, legacy: newFileStore(dir)}
	err := store.SetSecret(strings.Repeat("s", 3000))
	if !errors.Is(err, ErrTooBigForStore) || !strings.Contains(err.Error(), "3000 bytes") || strings.Contains(err.Error(), "sss") {
		t.Errorf("SetSecret: %v; want ErrTooBigForStore with the length and not the value", err)
	}
	if err := store.SaveToken(&oauth2.Token{AccessToken: "AT"}); !errors.Is(err, ErrTooBigForStore) {
		t.Errorf("SaveToken: %v; want ErrTooBigForStore", err)
	}
	if _, err := os.Stat(filepath.Join(dir, SecretFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the fallback file was written: %v", err)
	}
}
