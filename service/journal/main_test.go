package journal

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/ocard-desk/ocard-desk/service/settings"
)

// envTestConfig is the config folder every process of one test run shares (the
// kill tests' children open the parent's journals, so they need its salts).
const envTestConfig = "OCARD_JOURNAL_TEST_CONFIG"

// TestMain keeps the tests off the user's keyring and config folder: Open's
// default salt store is files in a temporary folder, HOME and the config folder
// are temporary, and go-keyring is its in-memory mock.
func TestMain(m *testing.M) {
	cfg := os.Getenv(envTestConfig)
	owner := cfg == ""
	if owner {
		var err error
		if cfg, err = os.MkdirTemp("", "journal-test-config-"); err != nil {
			panic(err)
		}
		os.Setenv(envTestConfig, cfg)
	}
	os.Setenv("HOME", cfg)
	os.Setenv("XDG_CONFIG_HOME", cfg)
	keyring.MockInit()
	salts := settings.NewJournalSaltFiles(filepath.Join(cfg, "salts"))
	defaultSalts = func() SaltStore { return salts }
	code := m.Run()
	if owner {
		os.RemoveAll(cfg)
	}
	os.Exit(code)
}

func decodeJSON(r *http.Request, v any) { _ = json.NewDecoder(r.Body).Decode(v) }
