package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// runCmd runs one of rewards, redeem or journal in-process with env as its whole
// environment, nothing saved and an empty secret store.
func runCmd(t *testing.T, cmd string, env map[string]string, args ...string) lookupResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := testEnv(t, env, settings.NewFileStore(t.TempDir()))
	var code int
	switch cmd {
	case "rewards":
		now := func() time.Time { return time.Now() }
		code = rewards(context.Background(), args, &stdout, &stderr, e, &settings.MemoryKV{}, now)
	case "redeem":
		code = redeem(context.Background(), args, &stdout, &stderr, e, &settings.MemoryKV{})
	case "journal":
		code = printJournal(args, &stdout, &stderr, e, time.Local)
	}
	return lookupResult{code, stdout.String(), stderr.String()}
}

// tenantEnv configures the commands for srv through the environment, as IT would.
func tenantEnv(srv *demo.Server, journalDir string, extra ...string) map[string]string {
	env := map[string]string{"OCARD_BASE_URL": srv.BaseURL(), "OCARD_TOKEN_URL": srv.TokenURL(),
		"OCARD_CLIENT_ID": demo.ClientID, "OCARD_CLIENT_SECRET": demo.ClientSecret, "OCARD_SHOP_ID": demo.ShopID,
		"OCARD_JOURNAL_DIR": journalDir}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func TestRewardsCommand(t *testing.T) {
	r := runCmd(t, "rewards", nil, "--demo", "--json", "0911111111", "0987654321")
	if r.code != exitNotMember {
		t.Fatalf("code %d, stderr %s", r.code, r.stderr)
	}
	lines := r.jsonLines(t)
	if len(lines) != 2 || lines[0]["point"] != float64(3250) || len(lines[0]["point_gift"].([]any)) != 4 ||
		len(lines[0]["coupon_list"].([]any)) != 5 || lines[1]["found"] != false {
		t.Fatalf("stdout %s", r.stdout)
	}
	first := lines[0]["coupon_list"].([]any)[0].(map[string]any)
	if first["state"] != "usable" || first["ticket_id"] != first["serial"] {
		t.Errorf("first coupon %v", first)
	}
	r = runCmd(t, "rewards", nil, "--demo", "--redeem-ticket-id", "pos_code", "0911111111")
	if r.code != 0 || !strings.Contains(r.stdout, "needs 16750 more points") || !strings.Contains(r.stdout, "not at this shop") ||
		!strings.Contains(r.stdout, "id T111101") {
		t.Errorf("code %d stdout:\n%s", r.code, r.stdout)
	}
}

// TestRedeemCommandOptIn: off unless turned on; then done, journaled, and the
// balance moves once.
func TestRedeemCommandOptIn(t *testing.T) {
	srv := startDemo(t)
	dir := t.TempDir()
	args := []string{"--points", "10", "--yes", "--json", "0911111111"}
	if r := runCmd(t, "redeem", tenantEnv(srv, dir), args...); r.code != exitUsage || !strings.Contains(r.stderr, "redeeming is off") {
		t.Fatalf("off: %+v", r)
	}
	if r := runCmd(t, "redeem", tenantEnv(srv, dir, "OCARD_REDEEM_ENABLED", "true"), "--points", "10", "0911111111"); r.code != exitUsage {
		t.Fatalf("without --yes: %+v", r)
	}
	if n := srv.Stats().RedeemRequests; n != 0 {
		t.Fatalf("%d redeem requests while off", n)
	}
	r := runCmd(t, "redeem", tenantEnv(srv, dir), append([]string{"--redeem-enabled"}, args...)...)
	if r.code != 0 {
		t.Fatalf("on: %+v", r)
	}
	var out jsonRedeem
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.State != "done" || out.Mobile != "0911***111" {
		t.Fatalf("stdout %s", r.stdout)
	}
	// The same order again: the journal says done, nothing is sent.
	r = runCmd(t, "redeem", tenantEnv(srv, dir, "OCARD_REDEEM_ENABLED", "1"), "--order-id", out.OrderID, "--points", "10", "--yes", "0911111111")
	if r.code != 0 || !strings.Contains(r.stdout, "nothing was sent") || srv.Stats().RedeemRequests != 1 {
		t.Fatalf("replay: %+v, %d requests", r, srv.Stats().RedeemRequests)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "redeem-journal.jsonl"))
	if strings.Count(string(b), "\n") != 2 || strings.Contains(string(b), "0911111111") {
		t.Errorf("journal:\n%s", b)
	}
}

// TestRedeemCommandOutcomes: refused (5, the server's message), unknown (6), and
// the journal command's reconciliation of both.
func TestRedeemCommandOutcomes(t *testing.T) {
	srv := startDemo(t)
	dir := t.TempDir()
	env := tenantEnv(srv, dir, "OCARD_REDEEM_ENABLED", "true")
	r := runCmd(t, "redeem", env, "--points", "10", "--yes", "0900000006")
	if r.code != exitFailure || !strings.Contains(r.stdout, "票券狀態不允許銷售") {
		t.Errorf("refused: %+v", r)
	}
	r = runCmd(t, "redeem", env, "--timeout", "300ms", "--points", "10", "--yes", "0900000005")
	if r.code != exitUnknown || !strings.Contains(r.stdout, "outcome unknown: balance now 14508 points") {
		t.Errorf("unknown: %+v", r)
	}
	if n := srv.Stats().RedeemRequests; n != 2 {
		t.Errorf("%d redeem requests, want 2", n)
	}
	r = runCmd(t, "journal", env)
	if r.code != 0 || !strings.Contains(r.stdout, "2 orders: 0 done, 1 failed, 0 resolved (0 charged, 0 not charged), 1 UNKNOWN") || strings.Contains(r.stdout, "0900000005") {
		t.Errorf("journal: %+v", r)
	}
	r = runCmd(t, "journal", env, "--json", "--since", "2999-01-01")
	if r.code != 0 || r.stdout != "" {
		t.Errorf("journal --since the future: %+v", r)
	}
	if r = runCmd(t, "journal", env, "--since", "yesterday"); r.code != exitUsage {
		t.Errorf("bad --since: %+v", r)
	}
}
