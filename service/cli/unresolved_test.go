package cli

import (
	"strings"
	"testing"
)

// Issue 21, the command-line contract: an unknown redemption is unresolved
// (journal --unresolved, JSON with order_id and shown_state); redeeming the same
// again without --order-id is refused with exit 2, nothing sent, the order and
// both ways out named; another amount goes ahead; journal resolve settles it
// (exit 0), after which it leaves --unresolved, cannot be retried (exit 2) nor
// resolved again (exit 2); an unknown order id and neither or both flags are exit 2.
func TestUnresolvedRedemptionContract(t *testing.T) {
	srv := startDemo(t)
	env := tenantEnv(srv, t.TempDir(), "OCARD_REDEEM_ENABLED", "true")
	r := runCmd(t, "redeem", env, "--timeout", "300ms", "--points", "10", "--yes", "--json", "0900000005")
	if r.code != exitUnknown {
		t.Fatalf("unknown: %+v", r)
	}
	id, _ := r.jsonLines(t)[0]["order_id"].(string)

	r = runCmd(t, "journal", env, "--unresolved", "--json")
	lines := r.jsonLines(t)
	if r.code != 0 || len(lines) != 1 || lines[0]["order_id"] != id || lines[0]["shown_state"] != "unknown" || lines[0]["what"] != "10 points" {
		t.Fatalf("--unresolved: %+v", r)
	}

	r = runCmd(t, "redeem", env, "--timeout", "300ms", "--points", "10", "--yes", "0900000005")
	if r.code != exitUsage || !strings.Contains(r.stderr, id) || !strings.Contains(r.stderr, "--order-id "+id) ||
		!strings.Contains(r.stderr, "journal resolve --charged "+id) || !strings.Contains(r.stderr, "--not-charged") {
		t.Errorf("the twin: %+v", r)
	}
	if n := srv.Stats().RedeemRequests; n != 1 {
		t.Errorf("%d redeem requests, want 1 (the twin sends nothing)", n)
	}
	if r = runCmd(t, "redeem", env, "--points", "11", "--yes", "0900000001"); r.code != 0 {
		t.Errorf("another member and amount: %+v", r)
	}

	for _, args := range [][]string{{"resolve", id}, {"resolve", "--charged", "--not-charged", id}, {"resolve", "--charged"},
		{"resolve", "--charged", "000030261204999"}} {
		if r = runCmd(t, "journal", env, args...); r.code != exitUsage {
			t.Errorf("journal %v: %+v, want exit 2", args, r)
		}
	}
	if r = runCmd(t, "journal", env, "resolve", "--not-charged", id); r.code != 0 || !strings.Contains(r.stdout, "not charged") {
		t.Fatalf("resolve: %+v", r)
	}
	if r = runCmd(t, "journal", env, "--unresolved"); r.code != 0 || r.stdout != "" {
		t.Errorf("--unresolved after resolving: %+v", r)
	}
	if r = runCmd(t, "journal", env, "resolve", "--charged", id); r.code != exitUsage {
		t.Errorf("resolved twice: %+v", r)
	}
	if r = runCmd(t, "redeem", env, "--order-id", id, "--points", "10", "--yes", "0900000005"); r.code != exitUsage {
		t.Errorf("retry of a resolved order: %+v", r)
	}
	r = runCmd(t, "journal", env)
	if r.code != 0 || !strings.Contains(r.stdout, "2 orders: 1 done, 0 failed, 1 resolved (0 charged, 1 not charged), 0 UNKNOWN") {
		t.Errorf("journal: %+v", r)
	}
	if n := srv.Stats().RedeemRequests; n != 2 {
		t.Errorf("%d redeem requests, want 2", n)
	}
}
