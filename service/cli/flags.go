package cli

import (
	"flag"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// connectionFlags are the flags the window and the lookup command share. String
// flags default to "" and only count when given, so that --help never prints a value
// taken from the environment (a secret) and a flag not given leaves the field to the
// environment, the provisioning file or the saved settings.
type connectionFlags struct {
	config, baseURL, tokenURL, clientID, clientSecret, shopID, scope *string
	timeout                                                          *time.Duration
}

func addConnectionFlags(fs *flag.FlagSet) *connectionFlags {
	return &connectionFlags{
		config:       fs.String("config", "", "provisioning file (env OCARD_CONFIG; default: ocard-desk.json next to the program)"),
		baseURL:      fs.String("base-url", "", "member API base URL (env OCARD_BASE_URL)"),
		tokenURL:     fs.String("token-url", "", "OAuth2 token URL (env OCARD_TOKEN_URL)"),
		clientID:     fs.String("client-id", "", "OAuth2 client ID (env OCARD_CLIENT_ID)"),
		clientSecret: fs.String("client-secret", "", "OAuth2 client secret; prefer env OCARD_CLIENT_SECRET or the saved settings, which no process list shows"),
		shopID:       fs.String("shop-id", "", "shop id, leading zeros kept (env OCARD_SHOP_ID)"),
		scope:        fs.String("scope", settings.DefaultScope, "OAuth2 scope(s), space-separated (env OCARD_SCOPE)"),
		timeout:      fs.Duration("timeout", service.DefaultTimeout, "per-request timeout, instead of the provisioned or saved one"),
	}
}

// layer is what the given flags set, for settings.Resolve.
func (f *connectionFlags) layer(given map[string]bool) settings.Layer {
	l := settings.Layer{Present: map[settings.Field]bool{}}
	set := func(name string, field settings.Field, value string, dst *string) {
		if given[name] {
			*dst = value
			l.Present[field] = true
		}
	}
	set("base-url", settings.FieldBaseURL, *f.baseURL, &l.Settings.BaseURL)
	set("token-url", settings.FieldTokenURL, *f.tokenURL, &l.Settings.TokenURL)
	set("client-id", settings.FieldClientID, *f.clientID, &l.Settings.ClientID)
	set("client-secret", settings.FieldClientSecret, *f.clientSecret, &l.Secret)
	set("scope", settings.FieldScope, *f.scope, &l.Settings.Scope)
	set("shop-id", settings.FieldDefaultShop, *f.shopID, &l.Settings.CurrentShop)
	if given["shop-id"] {
		l.Settings.Shops = []settings.Shop{{ID: *f.shopID}} // added to the shops when missing
	}
	if given["timeout"] {
		l.Present[settings.FieldTimeout] = true
		l.Settings.TimeoutSeconds = ceilSeconds(*f.timeout)
	}
	return l
}

// givenFlags names the flags given on the command line.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}
