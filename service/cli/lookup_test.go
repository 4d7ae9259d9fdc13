package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// lookupResult is one run of the lookup command.
type lookupResult struct {
	code           int
	stdout, stderr string
}

// runLookup runs the command in-process with env as its whole environment, no
// provisioning file, nothing saved and an empty secret store.
func runLookup(t *testing.T, env map[string]string, args ...string) lookupResult {
	t.Helper()
	return runLookupWith(t, testEnv(t, env, settings.NewFileStore(t.TempDir())), &settings.MemoryKV{}, args...)
}

// runLookupWith runs the command with the given surroundings.
func runLookupWith(t *testing.T, env deskEnv, prefs settings.KV, args ...string) lookupResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := lookup(context.Background(), args, &stdout, &stderr, env, prefs)
	return lookupResult{code, stdout.String(), stderr.String()}
}

// testEnv is a process environment of env's variables, an executable directory with
// no provisioning file, and secrets as the secret store.
func testEnv(t *testing.T, env map[string]string, secrets settings.SecretStore) deskEnv {
	return deskEnv{
		getenv:      func(k string) string { return env[k] },
		exeDir:      t.TempDir(),
		openSecrets: func() settings.SecretStore { return secrets },
	}
}

// jsonLines decodes stdout's lines, failing unless each is one JSON object.
func (r lookupResult) jsonLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("stdout line %q is not a JSON object: %v", line, err)
		}
		out = append(out, v)
	}
	return out
}

func startDemo(t *testing.T) *demo.Server {
	t.Helper()
	srv, err := demo.Start(demo.Options{SlowDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// demoFlags points the command at srv through flags.
func demoFlags(srv *demo.Server) []string {
	return []string{"--base-url", srv.BaseURL(), "--token-url", srv.TokenURL(),
		"--client-id", demo.ClientID, "--client-secret", demo.ClientSecret, "--shop-id", demo.ShopID}
}

// The acceptance check: `ocard-desk lookup --demo --json 0903123123`.
func TestLookupDemoJSONAcceptance(t *testing.T) {
	r := runLookup(t, nil, "--demo", "--json", "0903123123")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	want := `{"mobile":"0903123123","found":true,` +
		`"member":{"id":"-JR04E188","name":"Chien YH","mobile":"0903515908","group_id":"01","group_name":"VIP_LV1 測試",` +
		`"head_image":"DEMO/avatars/normal.png","carrier":"/XXX1XXX"},` +
		`"point_card":{"point":14518,"spend":1579,"convert":"100","available_gift_count":10,"title":"電子集點","content":"電子集點",` +
		`"expire":[{"date":"2026-12-31","point":14488}]}}` + "\n"
	// The demo serves the seed member's avatar itself, at its own (random) port.
	got := regexp.MustCompile(`http://127\.0\.0\.1:\d+/avatars/`).ReplaceAllString(r.stdout, "DEMO/avatars/")
	if got != want {
		t.Errorf("stdout\n%s\nwant\n%s", r.stdout, want)
	}
}

func TestLookupDemoNumbersJSON(t *testing.T) {
	srv := startDemo(t)
	tests := []struct {
		mobile string
		code   int
		check  func(v map[string]any) bool
	}{
		{"0912345678", 0, func(v map[string]any) bool { // no expiry: an empty array, not null
			e, ok := v["point_card"].(map[string]any)["expire"].([]any)
			return ok && len(e) == 0
		}},
		{"0944444444", 0, func(v map[string]any) bool {
			pc, present := v["point_card"]
			return present && pc == nil && v["found"] == true
		}},
		{"0911111111", 0, func(v map[string]any) bool {
			e := v["point_card"].(map[string]any)["expire"].([]any)
			d := func(i int) string { return e[i].(map[string]any)["date"].(string) }
			return len(e) == 3 && d(0) < d(1) && d(1) < d(2) && len(d(0)) == len("2006-01-02")
		}},
		{"0955555555", 0, func(v map[string]any) bool {
			return v["point_card"].(map[string]any)["point"] == float64(9876543)
		}},
		{"0987654321", 3, func(v map[string]any) bool { return v["found"] == false && len(v) == 2 }},
		{"0900000002", 5, func(v map[string]any) bool { return strings.Contains(v["error"].(string), "500") }},
		{"0900000004", 5, func(v map[string]any) bool { return strings.Contains(v["error"].(string), "malformed") }},
		{"0900000001", 5, func(v map[string]any) bool { return strings.Contains(v["error"].(string), "timed out") }},
	}
	for _, tt := range tests {
		t.Run(tt.mobile, func(t *testing.T) {
			args := append(demoFlags(srv), "--json", "--timeout", "300ms", tt.mobile)
			r := runLookup(t, nil, args...)
			lines := r.jsonLines(t)
			if r.code != tt.code || len(lines) != 1 || lines[0]["mobile"] != tt.mobile || !tt.check(lines[0]) {
				t.Errorf("exit %d (want %d)\nstdout %s\nstderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if wantStderr := tt.code == 5; wantStderr != (strings.Count(r.stderr, "\n") == 1) {
				t.Errorf("stderr %q: want one line exactly for an error", r.stderr)
			}
		})
	}
}

func TestLookupOneTokenForAllAndLargestExitWins(t *testing.T) {
	srv := startDemo(t)
	args := append(demoFlags(srv), "--json", "0903123123", "0987654321", "0900000002", "0912-345-678")
	r := runLookup(t, nil, args...)
	lines := r.jsonLines(t)
	if r.code != 5 || len(lines) != 4 || lines[3]["mobile"] != "0912345678" {
		t.Errorf("exit %d, stdout %s", r.code, r.stdout)
	}
	if st := srv.Stats(); st.TokenRequests != 1 || st.MemberRequests != 4 {
		t.Errorf("stats %+v, want 1 token request for 4 lookups", st)
	}
	r = runLookup(t, nil, append(demoFlags(srv), "0903123123", "0987654321")...)
	if r.code != 3 {
		t.Errorf("member and non-member: exit %d, want 3", r.code)
	}
}

func TestLookupRevokedOnceUsesTwoTokens(t *testing.T) {
	srv := startDemo(t)
	r := runLookup(t, nil, append(demoFlags(srv), "--json", "0900000003", "0903123123")...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if st := srv.Stats(); st.TokenRequests != 2 {
		t.Errorf("%d token requests, want 2 (the revoked one and its replacement)", st.TokenRequests)
	}
}

func TestLookupReadable(t *testing.T) {
	srv := startDemo(t)
	r := runLookup(t, nil, append(demoFlags(srv), "0903123123", "0944444444", "0933333333", "0987654321")...)
	for _, want := range []string{
		"0903123123: member", "Chien YH", "VIP_LV1 測試 (group 01)", "14518", "2026-12-31  14488 points",
		"Point card:  (none)", "ABC123 (not a valid mobile barcode)", "0987654321: not a member",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 3 || r.stderr != "" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestLookupValidatesEveryNumberFirst(t *testing.T) {
	srv := startDemo(t)
	r := runLookup(t, nil, append(demoFlags(srv), "--json", "0903123123", "12345", "0912x45678")...)
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if st := srv.Stats(); st.TokenRequests+st.MemberRequests != 0 {
		t.Errorf("requests were sent before every number was checked: %+v", st)
	}
	if lines := r.jsonLines(t); len(lines) != 2 || lines[0]["mobile"] != "12345" || lines[0]["error"] == nil {
		t.Errorf("stdout %s", r.stdout)
	}
	if strings.Count(r.stderr, "\n") != 2 {
		t.Errorf("stderr %q: want one line per invalid number", r.stderr)
	}
}

func TestLookupUsageAndConfiguration(t *testing.T) {
	srv := startDemo(t)
	env := map[string]string{
		"OCARD_BASE_URL": srv.BaseURL(), "OCARD_TOKEN_URL": srv.TokenURL(),
		"OCARD_CLIENT_ID": demo.ClientID, "OCARD_CLIENT_SECRET": demo.ClientSecret, "OCARD_SHOP_ID": demo.ShopID,
	}
	without := func(key string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"environment only", env, []string{"0903123123"}, 0},
		{"flags after the number", env, []string{"0903123123", "--json"}, 0},
		{"number after --", env, []string{"--json", "--", "0903123123"}, 0},
		{"help", env, []string{"--help"}, 0},
		{"no number", env, []string{"--json"}, 2},
		{"unknown flag", env, []string{"--colour", "0903123123"}, 2},
		{"bad timeout", env, []string{"--timeout", "-1s", "0903123123"}, 2},
		{"no base url", without("OCARD_BASE_URL"), []string{"0903123123"}, 2},
		{"no shop id", without("OCARD_SHOP_ID"), []string{"0903123123"}, 2},
		{"no secret", without("OCARD_CLIENT_SECRET"), []string{"0903123123"}, 2},
		{"plain http to a remote host", env, []string{"--base-url", "http://example.com", "0903123123"}, 2},
		{"a flag beats the environment", env, []string{"--client-secret", "wrong", "0903123123"}, 4},
		{"--demo beats the environment", map[string]string{"OCARD_BASE_URL": "https://nowhere.invalid"}, []string{"--demo", "0903123123"}, 0},
		{"a flag beats --demo", nil, []string{"--demo", "--client-secret", "wrong", "0903123123"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runLookup(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == 2 && r.stderr == "" {
				t.Error("a usage error without a word on stderr")
			}
			if strings.Contains(r.stdout+r.stderr, demo.ClientSecret) {
				t.Errorf("the secret was printed:\n%s\n%s", r.stdout, r.stderr)
			}
		})
	}
}

// hostile starts a tenant whose token endpoint and API misbehave as told. It counts
// member requests so tests can prove the API was never called.
func hostile(t *testing.T, token, member http.HandlerFunc) (string, *atomic.Int64) {
	t.Helper()
	var memberHits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/v1/token", token)
	mux.HandleFunc("/v1/user/ocard", func(w http.ResponseWriter, r *http.Request) {
		memberHits.Add(1)
		member(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, &memberHits
}

func goodToken(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"access_token":"tok","expires_in":2592000,"token_type":"Bearer","scope":"api"}`)
}

const hostileSecret = "s3cr+t/with&odd=chars"

func TestLookupHostileServers(t *testing.T) {
	echoBody := func(w http.ResponseWriter, r *http.Request) { // echoes the form, secret and all
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": "bad: " + string(b)})
	}
	tests := []struct {
		name        string
		token       http.HandlerFunc
		member      http.HandlerFunc
		code        int
		memberCalls int64
	}{
		{"500", goodToken, func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "<html>boom "+hostileSecret+"</html>", 500)
		}, 5, 1},
		{"garbage 200", goodToken, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "\x00\xff not json at all")
		}, 5, 1},
		{"JSON array", goodToken, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `[1,2]`) }, 5, 1},
		{"token refused", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		}, nil, 4, 0},
		{"token endpoint echoes the secret", echoBody, nil, 4, 0},
		{"token endpoint answers garbage", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<html>login</html>")
		}, nil, 5, 0},
		{"API refuses every token", goodToken, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		}, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, memberHits := hostile(t, tt.token, tt.member)
			r := runLookup(t, nil, "--json", "--base-url", base, "--token-url", base+"/oauth/v1/token",
				"--client-id", "desk", "--client-secret", hostileSecret, "--shop-id", "000030", "0903123123", "0912345678")
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			lines := r.jsonLines(t)
			if len(lines) != 2 || lines[0]["error"] == nil || strings.Count(r.stderr, "\n") != 2 {
				t.Errorf("want an error object and a stderr line per number\nstdout %s\nstderr %s", r.stdout, r.stderr)
			}
			// After refused credentials the rest are not tried again.
			if want := tt.memberCalls * map[bool]int64{true: 1, false: 2}[tt.code == 4]; memberHits.Load() != want {
				t.Errorf("%d member requests, want %d", memberHits.Load(), want)
			}
			for _, s := range []string{hostileSecret, "s3cr%2Bt", "tok\""} {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("output contains %q:\n%s\n%s", s, r.stdout, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestLookupConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	r := runLookup(t, nil, "--base-url", base, "--token-url", base+"/oauth/v1/token",
		"--client-id", "desk", "--client-secret", hostileSecret, "--shop-id", "000030", "0903123123")
	if r.code != 5 {
		t.Errorf("exit %d, want 5\n%s", r.code, r.stderr)
	}
}

// A hostile name, tier or card text must not reach the terminal raw: a BEL, an ANSI
// colour sequence and a bidi override are shown escaped in readable output (JSON
// escapes them already).
func TestLookupReadableEscapesTerminalControls(t *testing.T) {
	evil := "\u202eevil\u0007\u001b[31mred"
	url, _ := hostile(t, goodToken, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"member":     map[string]any{"id": "-X1", "name": evil, "mobile": "0912345678", "group_name": evil, "carrier": "/ABC1234"},
			"point_card": map[string]any{"point": "1", "spend": "0", "convert": evil, "available_gift_count": "0", "title": evil, "content": evil + "!"},
		})
	})
	r := runLookup(t, map[string]string{"OCARD_BASE_URL": url, "OCARD_TOKEN_URL": url + "/oauth/v1/token",
		"OCARD_CLIENT_ID": "id", "OCARD_CLIENT_SECRET": hostileSecret, "OCARD_SHOP_ID": "000030"}, "0912345678")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{"\u0007", "\u001b", "\u202e"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("a raw %q reached the terminal:\n%q", bad, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, `\u202eevil\u0007\u001b[31mred`) {
		t.Errorf("the name is not shown escaped:\n%s", r.stdout)
	}
}
