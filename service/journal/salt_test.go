package journal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

var bruteNumbers = []string{"0903515908", "0912345678", "0987654321"}

// redeemFor fills dir's journal with a redemption for each of bruteNumbers.
func redeemFor(t *testing.T, dir string, salts SaltStore) {
	t.Helper()
	j, _, _, err := OpenWith(dir, Options{Salt: salts})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, n := range bruteNumbers {
		o := Order{RedeemRequest: service.RedeemRequest{ShopID: "000030", Mobile: n, Points: 5}}
		if _, err := NewRedeemer(j, &countingSender{}).Redeem(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
}

// bruteForce tries, for every line's masked number, its 1,000 candidates against
// every key the folder alone could give: HMAC-SHA256 with each hex string of 16+
// bytes and each whole file found anywhere in the folder, and plain SHA-256. It
// returns the numbers it recovered.
func bruteForce(t *testing.T, dir string) map[string]bool {
	t.Helper()
	var keys [][]byte
	hexRun := regexp.MustCompile(`[0-9a-fA-F]{32,}`)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		keys = append(keys, b, []byte(strings.TrimSpace(string(b))))
		for _, h := range hexRun.FindAllString(string(b), -1) {
			if raw, err := hex.DecodeString(h); err == nil {
				keys = append(keys, raw)
			}
			keys = append(keys, []byte(h))
		}
		return nil
	})
	entries, _, err := ReadFile(filepath.Join(dir, FileName))
	if err != nil || len(entries) == 0 {
		t.Fatalf("no journal to attack: %v", err)
	}
	found := map[string]bool{}
	tried := map[string]bool{}
	for _, e := range entries {
		if tried[e.MobileKey] {
			continue
		}
		tried[e.MobileKey] = true
		head, tail, _ := strings.Cut(e.Mobile, "***")
		for n := range 1000 {
			cand := fmt.Sprintf("%s%03d%s", head, n, tail)
			plain := sha256.Sum256([]byte(cand))
			if hex.EncodeToString(plain[:]) == e.MobileKey {
				found[cand] = true
			}
			for _, k := range keys {
				m := hmac.New(sha256.New, k)
				m.Write([]byte(cand))
				if hex.EncodeToString(m.Sum(nil)) == e.MobileKey {
					found[cand] = true
				}
			}
		}
	}
	return found
}

// Issue 21 point 12: the journal folder alone gives back no number. The salt is
// kept outside it (here a salt folder of its own, standing for the credential
// store or the ocard-desk-keys fallback folder): the brute force recovers
// nothing. Against the old layout (the salt in the journal's folder) the same
// brute force recovers every number, so the attack is real.
func TestJournalFolderAloneGivesBackNoNumber(t *testing.T) {
	dir := t.TempDir()
	redeemFor(t, dir, settings.NewJournalSaltFiles(t.TempDir()))
	if found := bruteForce(t, dir); len(found) != 0 {
		t.Errorf("recovered %d numbers from the journal folder alone", len(found))
	}

	old := t.TempDir()
	redeemFor(t, old, settings.NewJournalSaltFiles(old)) // the salt beside the journal, as before
	if found := bruteForce(t, old); len(found) != len(bruteNumbers) {
		t.Errorf("old layout: recovered %v, want all %d numbers (the attack must work where the salt is in the folder)", found, len(bruteNumbers))
	}
}

// A salt left in the folder by an older version is moved into the store once:
// the keys already written still match, and the file is gone.
func TestInFolderSaltIsMovedOutOnce(t *testing.T) {
	dir, store := t.TempDir(), settings.NewJournalSaltFiles(t.TempDir())
	salt := strings.Repeat("ab", 32)
	if err := os.WriteFile(filepath.Join(dir, legacySaltName), []byte(salt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(salt)
	m := hmac.New(sha256.New, raw)
	m.Write([]byte(testMobile))
	oldKey := hex.EncodeToString(m.Sum(nil))
	for range 2 {
		j, _, _, err := OpenWith(dir, Options{Salt: store})
		if err != nil {
			t.Fatal(err)
		}
		if j.MobileKey(testMobile) != oldKey {
			t.Error("the moved salt gives other keys")
		}
		j.Close()
		if _, err := os.Stat(filepath.Join(dir, legacySaltName)); !os.IsNotExist(err) {
			t.Errorf("the salt is still in the journal's folder: %v", err)
		}
	}
}
