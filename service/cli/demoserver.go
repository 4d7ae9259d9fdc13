package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// DemoServer runs `ocard-desk demo-server [--addr 127.0.0.1:8089]`: it serves the
// built-in demo tenant until ctx is done (Ctrl+C), after printing the settings to
// use with it. It refuses a non-loopback address, because the demo's credentials
// are printed for anyone to read. It returns the process exit status.
func DemoServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ocard-desk demo-server [--addr 127.0.0.1:8089] [--slow-delay 15s] [--avatar-delay 2s]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8089", "loopback address to listen on")
	slow := fs.Duration("slow-delay", 15*time.Second, "how long the slow fault number takes")
	avatarDelay := fs.Duration("avatar-delay", 2*time.Second, "how long the slow avatar takes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ocard-desk demo-server: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := demo.CheckLoopback(*addr); err != nil {
		fmt.Fprintf(stderr, "ocard-desk demo-server: %v\n", err)
		return exitUsage
	}
	srv, err := demo.Start(demo.Options{Addr: *addr, SlowDelay: *slow, AvatarDelay: *avatarDelay})
	if err != nil {
		fmt.Fprintf(stderr, "ocard-desk demo-server: cannot listen: %v\n", err)
		return 1
	}
	defer srv.Close()

	fmt.Fprintf(stdout, `Ocard Desk demo server is running. Press Ctrl+C to stop.

  Base URL:       %[1]s
  Token URL:      %[2]s
  Client ID:      %[3]s
  Client secret:  %[4]s
  Shop ID:        %[5]s

Use it from a shell:
  export OCARD_BASE_URL=%[1]s OCARD_TOKEN_URL=%[2]s
  export OCARD_CLIENT_ID=%[3]s OCARD_CLIENT_SECRET=%[4]s OCARD_SHOP_ID=%[5]s
  ocard-desk lookup 0903123123

or as a provisioning file (save as ocard-desk.json next to the app, or --config):
%[6]s

or with curl:
  curl -s -d grant_type=client_credentials -d client_id=%[3]s -d client_secret=%[4]s %[2]s
  curl -s -H "Authorization: Bearer TOKEN" "%[1]s/v1/user/ocard?shop_id=%[5]s&mobile=0903123123"

Demo numbers:
`, srv.BaseURL(), srv.TokenURL(), demo.ClientID, demo.ClientSecret, demo.ShopID, provisioningFor(srv))
	for _, n := range demo.Numbers() {
		fmt.Fprintf(stdout, "  %s  %s\n", n.Mobile, n.Label)
	}

	<-ctx.Done()
	fmt.Fprintln(stdout, "Stopping the demo server.")
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "ocard-desk demo-server: %v\n", err)
		return 1
	}
	return 0
}

// provisioningFor is an ocard-desk.json that points a desk at demo server srv.
func provisioningFor(srv *demo.Server) string {
	file := map[string]any{
		"base_url": srv.BaseURL(), "token_url": srv.TokenURL(), "scope": settings.DefaultScope,
		"client_id": demo.ClientID, "client_secret": demo.ClientSecret,
		"shops": []map[string]string{{"id": demo.ShopID, "name": "Demo"}}, "default_shop": demo.ShopID,
	}
	b, _ := json.MarshalIndent(file, "  ", "  ")
	return "  " + string(b)
}
