package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestLookupNeverPrintsSecretOrToken runs the lookup command against a tenant
// that echoes everything it was sent (the form with the secret, the bearer token,
// the URL) into every kind of answer, for several numbers at once, with the
// secret given by flag and by environment, as text and as JSON. Neither the
// secret, in any encoding, nor a token the tenant issued may reach stdout or
// stderr. (TestLookupHostileServers covers refused credentials and garbage.)
func TestLookupNeverPrintsSecretOrToken(t *testing.T) {
	const secret = `p@ss/w+rd&"x"=1 ` // a trailing space: trimmed before use
	const tokenMark = "TKN-cli-leak-"
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request reached another host (Authorization %q)", r.Header.Get("Authorization"))
	}))
	t.Cleanup(elsewhere.Close)

	var issued atomic.Int64
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+r.Header.Get("Authorization")+`"`)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"error": "invalid_client " + r.PostForm.Get("client_secret"), "error_description": r.Form.Encode(),
			"url": r.URL.String(), "auth": r.Header.Get("Authorization"),
		})
	}
	token := func(w http.ResponseWriter, r *http.Request) {
		if _ = r.ParseForm(); r.PostForm.Get("client_id") == "refused" {
			echo(w, r, http.StatusBadRequest)
			return
		}
		n := issued.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"%s%d","expires_in":2592000,"token_type":"Bearer"}`, tokenMark, n)
	}
	member := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("mobile") {
		case "0911111111":
			echo(w, r, http.StatusInternalServerError)
		case "0922222222":
			echo(w, r, http.StatusUnauthorized)
		case "0933333333":
			echo(w, r, http.StatusOK) // not a member body: malformed
		case "0944444444":
			http.Redirect(w, r, elsewhere.URL+"/?t="+url.QueryEscape(r.Header.Get("Authorization")), http.StatusTemporaryRedirect)
		case "0955555555":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		case "0966666666":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		default:
			_, _ = fmt.Fprint(w, `{"member":{"id":"M1","name":"Amy"},"point_card":null}`)
		}
	}
	base, _ := hostile(t, token, member)
	// The 401 number comes last: after refused credentials the command stops asking.
	numbers := []string{"0977777777", "0911111111", "0933333333", "0944444444", "0955555555", "0966666666", "0922222222"}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		args    []string
		refused bool // the token endpoint refuses the client and echoes the secret
	}{
		{name: "secret by flag, text", args: []string{"--client-secret", secret}},
		{name: "secret by flag, JSON", args: []string{"--json", "--client-secret", secret}},
		{name: "secret by environment", env: map[string]string{"OCARD_CLIENT_SECRET": secret}},
		{name: "token endpoint echoes the secret", args: []string{"--client-secret", secret}, refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clientID := "desk"
			if tc.refused {
				clientID = "refused"
			}
			args := append([]string{"--base-url", base, "--token-url", base + "/oauth/v1/token", "--client-id", clientID,
				"--shop-id", "000030", "--timeout", "300ms"}, tc.args...)
			r := runLookup(t, tc.env, append(args, numbers...)...)
			out := r.stdout + r.stderr
			if !tc.refused && r.code != exitFailure || tc.refused && r.code != exitAuth {
				t.Errorf("exit %d\n%s", r.code, out)
			}
			trimmed := strings.TrimSpace(secret)
			for _, bad := range []string{trimmed, url.QueryEscape(trimmed), url.PathEscape(trimmed),
				strings.Trim(fmt.Sprintf("%q", trimmed), `"`), "p@ss", "w%2Brd", tokenMark} {
				if strings.Contains(out, bad) {
					t.Errorf("output contains %q:\n%s", bad, out)
				}
			}
			if !tc.refused && !strings.Contains(out, "0977777777: member") && !strings.Contains(out, `"found":true`) {
				t.Errorf("the good number was not looked up:\n%s", out)
			}
		})
	}
	if issued.Load() == 0 {
		t.Error("no token was issued: the test proved nothing")
	}
}
