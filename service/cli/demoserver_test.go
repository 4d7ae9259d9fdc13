package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service/demo"
)

func TestDemoServerServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := DemoServer(ctx, []string{"--addr", "127.0.0.1:0"}, pw, &stderr)
		pw.Close()
		done <- code
	}()

	// Read the banner up to the demo numbers; the server is serving by then.
	settings := map[string]string{}
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	nums := demo.Numbers()
	last := nums[len(nums)-1].Mobile
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":  "); ok {
			settings[k] = strings.TrimSpace(v)
		}
		if strings.Contains(line, last) {
			break
		}
	}
	for _, k := range []string{"Base URL", "Token URL", "Client ID", "Client secret", "Shop ID"} {
		if settings[k] == "" {
			t.Fatalf("the banner lacks %q:\n%s", k, out.String())
		}
	}
	if settings["Client secret"] != demo.ClientSecret || settings["Shop ID"] != demo.ShopID {
		t.Errorf("settings %v", settings)
	}
	for _, n := range demo.Numbers() {
		if !strings.Contains(out.String(), n.Mobile+"  "+n.Label) {
			t.Errorf("the banner lacks %s", n.Mobile)
		}
	}

	// What the banner says works, as curl would use it.
	resp, err := http.PostForm(settings["Token URL"], url.Values{
		"grant_type": {"client_credentials"}, "client_id": {settings["Client ID"]}, "client_secret": {settings["Client secret"]},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token request: %d", resp.StatusCode)
	}
	r := runLookup(t, map[string]string{
		"OCARD_BASE_URL": settings["Base URL"], "OCARD_TOKEN_URL": settings["Token URL"], "OCARD_CLIENT_ID": settings["Client ID"],
		"OCARD_CLIENT_SECRET": settings["Client secret"], "OCARD_SHOP_ID": settings["Shop ID"],
	}, "0903123123")
	if r.code != 0 || !strings.Contains(r.stdout, "Chien YH") {
		t.Errorf("lookup against the standalone server: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The provisioning file it prints sets a desk up as it is.
	banner := out.String()
	start, end := strings.Index(banner, "{"), strings.Index(banner, "\n  }\n")+3 // its own closing line
	if start < 0 || end < start {
		t.Fatalf("no provisioning file in the banner:\n%s", banner)
	}
	path := filepath.Join(t.TempDir(), "ocard-desk.json")
	if err := os.WriteFile(path, []byte(banner[start:end+1]), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runLookup(t, map[string]string{"OCARD_CONFIG": path}, "0903123123"); r.code != 0 || !strings.Contains(r.stdout, "Chien YH") {
		t.Errorf("lookup with the printed provisioning file: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }() // the goodbye line
	if code := <-done; code != 0 {
		t.Errorf("exit %d, stderr %s", code, stderr.String())
	}
	if _, err := http.Get(settings["Base URL"]); err == nil {
		t.Error("the server still answers after it stopped")
	}
}

func TestDemoServerRefusesNonLoopback(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:8089"},
		{"--addr", ":8089"},
		{"--addr", "192.0.2.7:8089"},
		{"--bogus"},
		{"extra"},
	} {
		var stdout, stderr bytes.Buffer
		if code := DemoServer(context.Background(), args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a reason", args, code, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: printed %q", args, stdout.String())
		}
	}
}
