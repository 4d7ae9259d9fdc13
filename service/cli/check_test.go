package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

func runCheck(t *testing.T, env deskEnv, prefs settings.KV, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := check(t.Context(), args, &out, &errOut, env, prefs)
	return code, out.String()
}

// check prints every setting with its source (the secret never) and proves the path.
func TestCheckPrintsSourcesAndTestsThePath(t *testing.T) {
	srv := startDemo(t)
	secrets := settings.NewFileStore(t.TempDir())
	env := testEnv(t, map[string]string{"OCARD_TOKEN_URL": srv.TokenURL(), "OCARD_CLIENT_SECRET": demo.ClientSecret}, secrets)
	prefs := &settings.MemoryKV{}
	s := settings.Defaults()
	s.BaseURL, s.TokenURL, s.ClientID = srv.BaseURL(), srv.TokenURL(), demo.ClientID
	s.Shops, s.CurrentShop = []settings.Shop{{ID: demo.ShopID, Name: "信義店"}}, demo.ShopID
	if ps := settings.Save(prefs, s, demo.ClientSecret, settings.NewFileStore(t.TempDir())); ps != nil {
		t.Fatal(ps)
	}
	code, out := runCheck(t, env, prefs)
	if code != 0 || !strings.Contains(out, "Works:") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"base_url:", "[saved settings]", "token_url:", "[environment]", "client_secret:", "not shown", "信義店"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, demo.ClientSecret) {
		t.Error("the secret was printed")
	}
	env = testEnv(t, map[string]string{"OCARD_TOKEN_URL": srv.TokenURL(), "OCARD_CLIENT_SECRET": "wrong"}, settings.NewFileStore(t.TempDir()))
	if code, out := runCheck(t, env, prefs); code != exitAuth || !strings.Contains(out, "token request to 127.0.0.1") {
		t.Errorf("wrong secret: exit %d\n%s", code, out)
	}
	if code, out := runCheck(t, testEnv(t, nil, settings.NewFileStore(t.TempDir())), &settings.MemoryKV{}); code != exitUsage || !strings.Contains(out, "Not configured") {
		t.Errorf("nothing configured: exit %d\n%s", code, out)
	}
}
