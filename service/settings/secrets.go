package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"

	"github.com/ocard-desk/ocard-desk/service"
)

// AppID is Ocard Desk's application ID: Fyne's app ID (hence its preferences
// directory) and the service name of its items in the credential store.
const AppID = "tw.ocard.desk"

// KeyringService is the service name under which Ocard Desk's items are kept in the
// credential store.
const KeyringService = AppID

// The items kept per service (go-keyring's "user" names).
const (
	itemSecret = "client_secret"
	itemToken  = "access_token"
)

// SecretStore keeps the client secret and the cached access token (with its expiry).
// Implementations are safe for concurrent use.
type SecretStore interface {
	// Secret returns the stored client secret, or "" when none is stored.
	Secret() (string, error)
	// SetSecret stores the client secret; "" removes it.
	SetSecret(secret string) error
	// TokenCache keeps the access token across runs. Pass TokenCacheFor(store, cfg),
	// not the store itself, to a Client: it drops a token issued for other settings.
	service.TokenCache
	// Kind is "keyring" for the OS credential store, "file" for the fallback file.
	Kind() string
	// Location names where the secrets are, for the settings screen: "Windows
	// Credential Manager", "macOS Keychain", "Secret Service", or the file's path.
	Location() string
}

// ErrTooBigForStore: the OS credential store refuses an item this long (Windows
// Credential Manager holds at most 2,560 bytes, go-keyring's limit for it). Nothing is
// written to the fallback file instead: a secret the user chose to keep in the
// credential store does not move to a weaker place behind their back. A client secret
// that long is refused with this error; a token that long is not cached (the old one
// is removed) and is fetched again at the next start.
var ErrTooBigForStore = errors.New("too long for the credential store")

// probeTimeout bounds the first question to the credential store. A Secret Service
// on D-Bus that never answers must not keep the window from opening.
var probeTimeout = 5 * time.Second

// keyringMu serialises every call into go-keyring: its in-memory mock (and, on some
// systems, the store behind it) is not safe for concurrent use.
var keyringMu sync.Mutex

// OpenSecretStore returns the OS credential store under service (KeyringService) when
// one answers, and otherwise a file in fallbackDir (DefaultSecretDir when "") that only
// the user can read. Linux without a Secret Service on D-Bus (servers, CI, minimal
// desktops) is the usual case for the file.
//
// The probe is one read of the stored secret; it sends nothing over the network.
func OpenSecretStore(service, fallbackDir string) SecretStore {
	if fallbackDir == "" {
		fallbackDir = DefaultSecretDir()
	}
	file := newFileStore(fallbackDir)
	if err := probeKeyring(service); err != nil {
		file.reason = keyringLocation() + " unavailable: " + firstLine(err.Error())
		return file
	}
	return &keyringStore{service: service, legacy: file}
}

// FallbackReason says why store is the fallback file rather than the OS credential
// store, or "" when it is not.
func FallbackReason(store SecretStore) string {
	if f, ok := store.(*fileStore); ok {
		return f.reason
	}
	return ""
}

// DefaultSecretDir is where the fallback file lives: os.UserConfigDir()/ocard-desk
// (~/.config/ocard-desk on Linux, %AppData%\ocard-desk on Windows,
// ~/Library/Application Support/ocard-desk on macOS).
func DefaultSecretDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "ocard-desk")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".ocard-desk")
	}
	return "ocard-desk" // no home at all: the working directory is all there is
}

// noSessionBus reports that a Linux or BSD process has no D-Bus session bus to find a
// Secret Service on. Asking go-keyring anyway would make godbus run dbus-launch,
// which starts a bus daemon of its own (one more per run) that has no keyring on it.
// A variable so that tests, which use go-keyring's mock, can say there is one.
var noSessionBus = func() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return false
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return false
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = fmt.Sprintf("/run/user/%d", os.Getuid())
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return false
		}
	}
	return true
}

func probeKeyring(service string) error {
	if noSessionBus() {
		return errors.New("no D-Bus session bus")
	}
	done := make(chan error, 1)
	go func() {
		keyringMu.Lock()
		defer keyringMu.Unlock()
		_, err := keyring.Get(service, itemSecret)
		if errors.Is(err, keyring.ErrNotFound) {
			err = nil // the store answered: it works, it just holds nothing yet
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(probeTimeout):
		return fmt.Errorf("no answer within %v", probeTimeout)
	}
}

func keyringLocation() string {
	switch runtime.GOOS {
	case "windows":
		return "Windows Credential Manager"
	case "darwin":
		return "macOS Keychain"
	}
	return "Secret Service"
}

// keyringStore keeps the secrets in the OS credential store through go-keyring.
type keyringStore struct {
	service string
	// legacy is the fallback file of the same user: a secret saved there while the
	// credential store was unavailable is moved into the store on first read, so the
	// user does not have to type it again and it does not stay in the file.
	legacy *fileStore
}

func (k *keyringStore) Kind() string     { return "keyring" }
func (k *keyringStore) Location() string { return keyringLocation() }

func (k *keyringStore) get(item string) (string, error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	v, err := keyring.Get(k.service, item)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", keyringLocation(), err)
	}
	return v, nil
}

func (k *keyringStore) set(item, value string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	var err error
	if value == "" {
		if err = keyring.Delete(k.service, item); errors.Is(err, keyring.ErrNotFound) {
			err = nil
		}
	} else {
		err = keyring.Set(k.service, item, value)
	}
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return fmt.Errorf("%s: %w (%d bytes)", keyringLocation(), ErrTooBigForStore, len(value))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", keyringLocation(), err)
	}
	return nil
}

// Secret returns the client secret.
func (k *keyringStore) Secret() (string, error) {
	s, err := k.get(itemSecret)
	if err != nil || s != "" || k.legacy == nil {
		return s, err
	}
	old, lerr := k.legacy.Secret()
	if lerr != nil || old == "" {
		// An unreadable leftover file is not the keyring's failure: nothing stored.
		return "", nil
	}
	if k.set(itemSecret, old) == nil {
		_ = k.legacy.SetSecret("") // moved: the file should not keep a copy
	}
	return old, nil
}

// SetSecret stores the client secret ("" removes it).
func (k *keyringStore) SetSecret(secret string) error {
	if err := k.set(itemSecret, secret); err != nil {
		return err
	}
	if k.legacy != nil {
		// A stale copy in the fallback file would come back if the secret were
		// removed from the keyring later.
		_ = k.legacy.SetSecret("")
	}
	return nil
}

// LoadToken returns the stored access token, or nil when none is stored.
func (k *keyringStore) LoadToken() (*oauth2.Token, error) {
	raw, err := k.get(itemToken)
	if err != nil || raw == "" {
		return nil, err
	}
	var rec tokenRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return nil, fmt.Errorf("%s: stored token is not readable", keyringLocation())
	}
	return rec.token(), nil
}

// SaveToken stores t with its expiry (nil removes it). Windows limits an item to
// 2560 bytes; a longer token is refused (ErrTooBigForStore) and the one stored before
// is removed, so that the next start fetches a new token rather than reuse the old one.
func (k *keyringStore) SaveToken(t *oauth2.Token) error {
	if t == nil {
		return k.set(itemToken, "")
	}
	data, err := json.Marshal(recordOf(t))
	if err != nil {
		return err
	}
	err = k.set(itemToken, string(data))
	if errors.Is(err, ErrTooBigForStore) {
		_ = k.set(itemToken, "")
	}
	return err
}

// safeErr is err's message with the secret removed, in case a store echoed it.
func safeErr(err error, secret string) string {
	msg := firstLine(err.Error())
	if s := strings.TrimSpace(secret); s != "" {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	return msg
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
