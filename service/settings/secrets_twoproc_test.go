package settings

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ocard-desk/ocard-desk/service/internal/childproc"
)

// Two desks' processes on one user account (the window saving the secret, `lookup`
// saving tokens) share the secret store's file: 500 writes each, at the same time,
// and nothing is lost or corrupted. Each writes back what it read, so without the
// lock across processes the token writer puts back an old secret.
func TestTwoProcessesShareTheSecretStore(t *testing.T) {
	if mode := os.Getenv("OCARD_SECRETS_CHILD"); mode != "" {
		secretStoreChild(t, mode, os.Getenv("OCARD_SECRETS_DIR"))
		return
	}
	if testing.Short() {
		t.Skip("two child processes")
	}
	dir := t.TempDir()
	start := func(mode string) *exec.Cmd {
		cmd, err := childproc.Start(func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessesShareTheSecretStore$", "-test.count=1")
			cmd.Env = append(os.Environ(), "OCARD_SECRETS_CHILD="+mode, "OCARD_SECRETS_DIR="+dir)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd
		}, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	a, b := start("secret"), start("token")
	for _, c := range []*exec.Cmd{a, b} {
		if err := c.Wait(); err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	s := NewFileStore(dir)
	secret, err := s.Secret()
	if err != nil || secret != "secret-499" {
		t.Errorf("after both: secret %q (%v), want the last one written, secret-499", secret, err)
	}
	if tok, err := s.LoadToken(); err != nil || tok == nil || tok.AccessToken != "token-499" {
		t.Errorf("after both: token %+v (%v), want token-499", tok, err)
	}
}

// secretStoreChild is one of the two writers. Each reads its own write straight back:
// a lost update (the other writer putting back what it had read) shows there.
func secretStoreChild(t *testing.T, mode, dir string) {
	s := NewFileStore(dir)
	for i := range 500 {
		switch mode {
		case "secret":
			want := fmt.Sprintf("secret-%03d", i)
			if err := s.SetSecret(want); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			if got, err := s.Secret(); err != nil || got != want {
				t.Fatalf("round %d: wrote %q, read %q (%v): the other process lost it", i, want, got, err)
			}
		default:
			want := fmt.Sprintf("token-%03d", i)
			tok := &oauth2.Token{AccessToken: want, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
			if err := s.SaveToken(tok); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			if got, err := s.LoadToken(); err != nil || got == nil || got.AccessToken != want {
				t.Fatalf("round %d: wrote %s, read %+v (%v): the other process lost it", i, want, got, err)
			}
		}
	}
}
