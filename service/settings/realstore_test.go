package settings

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The child processes of TestRealCredentialStore read these.
const (
	envRealStore   = "OCARD_REAL_STORE"   // "write" or "read": the step the child runs
	envRealService = "OCARD_REAL_SERVICE" // the credential store's service name for this run
	envRealDir     = "OCARD_REAL_DIR"     // the fallback folder, which must stay empty
)

// TestRealCredentialStore saves a secret and a token through the settings' own save path
// into the system's real credential store (Windows Credential Manager; on Linux a
// gnome-keyring Secret Service in a private D-Bus session, unlocked with a known
// password), then a new process (a restart) reads both back. Nothing may land in the
// fallback file while the store answers. A value over the store's limit gets a clear
// error (ErrTooBigForStore) and still nothing in the file. The items live under a service
// name of this run's own and are removed at the end.
//
// go-keyring's mock is not involved: the steps run in child processes (TestMain mocks
// the store for every other test).
func TestRealCredentialStore(t *testing.T) {
	if step := os.Getenv(envRealStore); step != "" {
		realStoreStep(t, step)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes (and a keyring daemon)")
	}
	var cmd *exec.Cmd
	args := []string{"-test.run=^TestRealCredentialStore$", "-test.count=1", "-test.v"}
	switch runtime.GOOS {
	case "windows", "darwin": // the store is always there, in the user's session
		cmd = exec.Command(os.Args[0], args...)
	default:
		cmd = secretServiceSession(t, args)
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, envRealStore+"=write",
		envRealService+"="+KeyringService+".test-"+rand.Text()[:8], envRealDir+"="+t.TempDir())
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if m := regexp.MustCompile(`(?m)^\s+\S+\.go:\d+: (no credential store here: .*)$`).FindSubmatch(out); m != nil {
		t.Skipf("%s", m[1])
	}
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestRealCredentialStore")) {
		t.Fatalf("the real-store steps failed: %v", err)
	}
}

// secretServiceSession is the command that runs the test binary in a private D-Bus
// session with gnome-keyring-daemon on it, its keyring (in a temporary XDG_DATA_HOME, so
// the developer's is never touched) unlocked with a known password.
func secretServiceSession(t *testing.T, args []string) *exec.Cmd {
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s here (Debian: dbus, gnome-keyring; make test installs them): no Secret Service to test", tool)
		}
	}
	home := t.TempDir()
	script := `echo ocard-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97; exec "$@"`
	cmd := exec.Command("dbus-run-session", append([]string{"--", "sh", "-c", script, "sh", os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "share"),
		"XDG_RUNTIME_DIR="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	return cmd
}

// realStoreStep is one child's part: "write" saves, checks, then starts "read" as a
// new process (a restart of the desk) and cleans up after it.
func realStoreStep(t *testing.T, step string) {
	service, dir := os.Getenv(envRealService), os.Getenv(envRealDir)
	store := OpenSecretStore(service, dir)
	if reason := FallbackReason(store); reason != "" {
		if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
			t.Fatalf("the credential store did not answer: %s", reason)
		}
		t.Skipf("no credential store here: %s", reason)
	}
	fallback := filepath.Join(dir, SecretFileName)
	noFile := func(when string) {
		if _, err := os.Stat(fallback); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the fallback file %s exists (%v) although %s answered", when, fallback, err, store.Location())
		}
	}
	// The same expiry in both processes: a fixed one, far ahead.
	tok := &oauth2.Token{AccessToken: "AT-real", TokenType: "Bearer", Expiry: time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)}
	switch step {
	case "write":
		t.Logf("store: %s (%s)", store.Location(), store.Kind())
		kv := &MemoryKV{}
		if ps := Save(kv, good(), goodSecret, store); ps != nil {
			t.Fatalf("save: %v", ps)
		}
		if err := store.SaveToken(tok); err != nil {
			t.Fatal(err)
		}
		noFile("after the save")
		defer func() { // whatever happened, the run's items go
			_ = store.SetSecret("")
			_ = store.SaveToken(nil)
		}()
		read := exec.Command(os.Args[0], "-test.run=^TestRealCredentialStore$", "-test.count=1", "-test.v")
		read.Env = append(os.Environ(), envRealStore+"=read")
		out, err := read.CombinedOutput()
		t.Logf("the restarted process:\n%s", out)
		if err != nil || !bytes.Contains(out, []byte("--- PASS")) {
			t.Fatalf("the restarted process did not read the secret and token back: %v", err)
		}
		overTheLimit(t, store, noFile)
	case "read":
		if got, err := store.Secret(); err != nil || got != goodSecret {
			t.Errorf("after a restart: secret %q, %v; want the saved one", got, err)
		}
		if got, err := store.LoadToken(); err != nil || got == nil || got.AccessToken != tok.AccessToken || !got.Expiry.Equal(tok.Expiry) {
			t.Errorf("after a restart: token %+v, %v; want %s until %v", got, err, tok.AccessToken, tok.Expiry)
		}
		noFile("after a restart")
	}
}

// overTheLimit: a secret and a token longer than Windows Credential Manager holds
// (2,560 bytes). Where the store refuses them: a clear ErrTooBigForStore, the secret
// saved before is kept, the old token is gone (fetched anew next start), and the file
// holds neither. Where it takes them (Secret Service): they round-trip.
func overTheLimit(t *testing.T, store SecretStore, noFile func(string)) {
	long := strings.Repeat("s", 3000)
	err := store.SetSecret(long)
	switch {
	case err == nil:
		if runtime.GOOS == "windows" {
			t.Fatal("Credential Manager took a 3,000-byte secret; go-keyring refuses over 2,560")
		}
		if got, gerr := store.Secret(); gerr != nil || got != long {
			t.Errorf("a 3,000-byte secret came back as %d bytes (%v)", len(got), gerr)
		}
	case errors.Is(err, ErrTooBigForStore):
		t.Logf("a 3,000-byte secret: %v", err)
		if strings.Contains(err.Error(), long[:20]) {
			t.Errorf("the error quotes the secret: %v", err)
		}
		if got, _ := store.Secret(); got != goodSecret {
			t.Errorf("after the refused secret: %q, want the one saved before", got)
		}
		ps := Save(&MemoryKV{}, good(), long, store)
		if len(ps) != 1 || ps[0].Field != FieldClientSecret || ps[0].Code != CodeStore || !strings.Contains(ps[0].Detail, "too long") {
			t.Errorf("Save of a 3,000-byte secret: %+v; want one store problem that says it is too long", ps)
		}
	default:
		t.Fatalf("a 3,000-byte secret: %v; want nil or ErrTooBigForStore", err)
	}
	big := &oauth2.Token{AccessToken: strings.Repeat("t", 3000), Expiry: time.Now().Add(time.Hour)}
	if err := store.SaveToken(big); errors.Is(err, ErrTooBigForStore) {
		if got, lerr := store.LoadToken(); got != nil || lerr != nil {
			t.Errorf("after a refused token the old one is still served: %+v %v", got, lerr)
		}
	} else if err != nil {
		t.Fatalf("a 3,000-byte token: %v", err)
	}
	noFile("after the values over the limit")
}
