package settings

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service"
)

var allSources = []Source{SourceDefault, SourceSaved, SourceFile, SourceEnv, SourceFlag}

// valueFrom is the value a source gives field f in the precedence table; the
// default's is Defaults()'s. Every source's value differs from every other's, but
// for the two-valued redeem fields, whose values alternate from source to source.
func valueFrom(f Field, src Source) (Settings, string) {
	n := int(src)
	tag := strings.ReplaceAll(src.String(), " ", "-")
	var s Settings
	secret := ""
	if src == SourceDefault {
		return Defaults(), ""
	}
	switch f {
	case FieldBaseURL:
		s.BaseURL = "https://" + tag + ".example.com"
	case FieldTokenURL:
		s.TokenURL = "https://login." + tag + ".example.com/t"
	case FieldScope:
		s.Scope = "scope-" + tag
	case FieldClientID:
		s.ClientID = "id-" + tag
	case FieldClientSecret:
		secret = "secret-" + tag
	case FieldShops:
		s.Shops = []Shop{{fmt.Sprintf("00004%d", n), tag}}
	case FieldDefaultShop:
		s.CurrentShop = fmt.Sprintf("00003%d", n)
	case FieldTimeout:
		s.TimeoutSeconds = 10 + n
	case FieldIdleClear:
		s.IdleClearSeconds = map[Source]int{SourceSaved: 0, SourceFile: 62, SourceEnv: 63, SourceFlag: 64}[src] // 0: "never" survives
	case FieldLanguage:
		s.Language = "lang-" + tag
	case FieldRedeemEnabled:
		s.RedeemEnabled = n%2 == 1 // saved on, file off, env on, flag off
	case FieldRedeemTicketID:
		s.RedeemTicketID = map[bool]string{true: TicketIDPOSCode, false: TicketIDSerial}[n%2 == 1]
	}
	return s, secret
}

// get returns field f of r as a comparable value.
func get(f Field, s Settings, secret string) any {
	if f == FieldClientSecret {
		return secret
	}
	var x Settings
	copyField(f, &x, s)
	x = x.Normalized()
	switch f {
	case FieldShops:
		return fmt.Sprint(x.Shops)
	case FieldDefaultShop:
		return s.CurrentShop
	}
	return fmt.Sprintf("%+v", x)
}

// For every field and every source: with every source up to top setting the field,
// top's value wins and Sources says so; no other field moves.
func TestResolvePrecedence(t *testing.T) {
	for _, f := range Fields() {
		for _, top := range allSources {
			t.Run(fmt.Sprintf("%s/%s", f, top), func(t *testing.T) {
				saved, savedSecret := Defaults(), ""
				// Every shop id the table uses exists, so a current shop is never reset.
				for n := range 5 {
					saved.Shops = append(saved.Shops, Shop{ID: fmt.Sprintf("00003%d", n)})
				}
				layers := map[Source]Layer{}
				for _, src := range allSources[1 : int(top)+1] {
					s, secret := valueFrom(f, src)
					if src == SourceSaved {
						copyField(f, &saved, s)
						savedSecret = secret
						continue
					}
					layers[src] = Layer{Settings: s, Secret: secret, Present: map[Field]bool{f: true}}
				}
				var prov *Provision
				if l, ok := layers[SourceFile]; ok {
					prov = &Provision{Path: "/etc/ocard-desk.json", Settings: l.Settings, Secret: l.Secret, Present: l.Present}
				}
				r := Resolve(layers[SourceFlag], layers[SourceEnv], prov, saved, savedSecret)

				want, wantSecret := valueFrom(f, top)
				if f == FieldShops && top == SourceDefault {
					want.Shops = saved.Shops
				}
				if f == FieldDefaultShop && top == SourceDefault {
					want.CurrentShop = "000030" // the first shop
				}
				if got, w := get(f, r.Settings, r.Secret), get(f, want, wantSecret); got != w {
					t.Errorf("value %v, want %v", got, w)
				}
				wantSrc := top
				if f == FieldShops && top == SourceDefault {
					wantSrc = SourceSaved // the table's own list of shops
				}
				if r.Sources[f] != wantSrc {
					t.Errorf("source %v, want %v", r.Sources[f], wantSrc)
				}
				for _, other := range Fields() {
					if other != f && other != FieldShops && other != FieldDefaultShop && r.Sources[other] != SourceDefault {
						t.Errorf("%s moved to %v", other, r.Sources[other])
					}
				}
				if len(r.Locked) != 0 || len(r.Warnings) != 0 {
					t.Errorf("locked %v, warnings %v", r.Locked, r.Warnings)
				}
			})
		}
	}
}

func TestEnvLayer(t *testing.T) {
	env := map[string]string{
		"OCARD_BASE_URL": "https://b", "OCARD_TOKEN_URL": "https://t", "OCARD_CLIENT_ID": "id",
		"OCARD_CLIENT_SECRET": "sec", "OCARD_SHOP_ID": "000030", "OCARD_SHOP_NAME": "信義店",
		"OCARD_SCOPE": "api x", "OCARD_LANG": "zh-TW", "OCARD_TIMEOUT": "99",
	}
	l := EnvLayer(func(k string) string { return env[k] })
	want := Settings{BaseURL: "https://b", TokenURL: "https://t", ClientID: "id", Scope: "api x", Language: "zh-TW",
		CurrentShop: "000030", Shops: []Shop{{"000030", "信義店"}}}
	if !reflect.DeepEqual(l.Settings, want) || l.Secret != "sec" {
		t.Errorf("%+v %q", l.Settings, l.Secret)
	}
	wantPresent := []Field{FieldBaseURL, FieldTokenURL, FieldScope, FieldClientID, FieldClientSecret, FieldDefaultShop, FieldLanguage}
	for _, f := range Fields() {
		if l.Present[f] != slices.Contains(wantPresent, f) {
			t.Errorf("present[%s] = %v", f, l.Present[f])
		}
	}
	if l := EnvLayer(func(string) string { return "" }); len(l.Present) != 0 || l.Settings.Shops != nil {
		t.Errorf("empty environment: %+v", l)
	}
}

// One shop picked by the environment among a provisioned list keeps the list; a
// shop outside it is added; a name alone renames the current shop.
func TestResolveShopHints(t *testing.T) {
	prov := &Provision{Path: "p.json", Present: map[Field]bool{FieldShops: true, FieldDefaultShop: true},
		Settings: Settings{Shops: []Shop{{"000030", "信義店"}, {"000031", "中山店"}}, CurrentShop: "000030"}}
	env := func(kv ...string) Layer {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return EnvLayer(func(k string) string { return m[k] })
	}
	tests := []struct {
		name    string
		env     Layer
		current string
		shops   string
	}{
		{"file only", env(), "000030", "[{000030 信義店} {000031 中山店}]"},
		{"pick one", env("OCARD_SHOP_ID", "000031"), "000031", "[{000030 信義店} {000031 中山店}]"},
		{"pick and rename", env("OCARD_SHOP_ID", "000031", "OCARD_SHOP_NAME", "Zhongshan"), "000031", "[{000030 信義店} {000031 Zhongshan}]"},
		{"another shop", env("OCARD_SHOP_ID", "000099"), "000099", "[{000030 信義店} {000031 中山店} {000099 }]"},
		{"name only", env("OCARD_SHOP_NAME", "Xinyi"), "000030", "[{000030 Xinyi} {000031 中山店}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Resolve(Layer{}, tt.env, prov, Defaults(), "")
			if r.Settings.CurrentShop != tt.current || fmt.Sprint(r.Settings.Shops) != tt.shops {
				t.Errorf("current %q shops %v", r.Settings.CurrentShop, r.Settings.Shops)
			}
			if prov.Settings.Shops[1].Name != "中山店" || len(prov.Settings.Shops) != 2 {
				t.Errorf("the provisioning file's list was modified: %v", prov.Settings.Shops)
			}
		})
	}
	// The user's remembered shop is not in the list head office now ships.
	saved := Defaults()
	saved.Shops, saved.CurrentShop = []Shop{{"000077", "old"}}, "000077"
	p2 := &Provision{Path: "p.json", Present: map[Field]bool{FieldShops: true}, Settings: prov.Settings}
	r := Resolve(Layer{}, Layer{}, p2, saved, "")
	if r.Settings.CurrentShop != "000030" || len(r.Warnings) != 1 || r.Warnings[0].Code != WarningShopNotListed ||
		r.Warnings[0].Args["Shop"] != "000077" || r.Warnings[0].Args["Using"] != "000030" {
		t.Errorf("current %q warnings %v", r.Settings.CurrentShop, r.Warnings)
	}
}

func TestResolveLocked(t *testing.T) {
	prov := &Provision{Path: "p.json", Locked: true, Secret: "file-secret",
		Present:  map[Field]bool{FieldBaseURL: true, FieldClientSecret: true, FieldShops: true},
		Settings: Settings{BaseURL: "https://file.example", Shops: []Shop{{"000030", ""}}},
		Unknown:  []string{"colour"}}
	env := Layer{Settings: Settings{BaseURL: "https://env.example"}, Present: map[Field]bool{FieldBaseURL: true}}
	r := Resolve(Layer{}, env, prov, Defaults(), "saved-secret")
	want := map[Field]bool{FieldBaseURL: true, FieldClientSecret: true, FieldShops: true}
	if !reflect.DeepEqual(r.Locked, want) {
		t.Errorf("locked %v", r.Locked)
	}
	if r.Settings.BaseURL != "https://env.example" || r.Sources[FieldBaseURL] != SourceEnv || r.Secret != "file-secret" {
		t.Errorf("the environment still beats a locked file: %+v %v", r.Settings, r.Sources)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0].String(), `"colour"`) || !strings.Contains(r.Warnings[0].String(), "p.json") ||
		r.Warnings[0].Code != WarningUnknownField || r.Warnings[0].Args["Field"] != "colour" || r.Warnings[0].Args["Path"] != "p.json" {
		t.Errorf("warnings %v", r.Warnings)
	}
	prov.Locked = false
	if r := Resolve(Layer{}, Layer{}, prov, Defaults(), ""); len(r.Locked) != 0 {
		t.Errorf("unlocked file locks %v", r.Locked)
	}
}

func TestNeedsSetup(t *testing.T) {
	complete := good()
	tests := []struct {
		name      string
		saved     Settings
		secret    string
		provErr   error
		wantField string
	}{
		{"complete", complete, goodSecret, nil, ""},
		{"nothing", Defaults(), "", nil, "base_url"},
		{"no secret", complete, "", nil, "client_secret"},
		{"no shop", func() Settings { s := complete; s.Shops = nil; return s }(), goodSecret, nil, "shops"},
		{"unsafe url", func() Settings { s := complete; s.TokenURL = "http://x.example"; return s }(), goodSecret, nil, "token_url"},
		{"bad language does not stop lookups", func() Settings { s := complete; s.Language = "fr"; return s }(), goodSecret, nil, ""},
		{"broken file", complete, goodSecret, &service.Error{Kind: service.KindConfig, Field: "shops"}, "shops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Resolve(Layer{}, Layer{}, nil, tt.saved, tt.secret)
			r.ProvisionErr = tt.provErr
			err := r.SetupError()
			var se *service.Error
			if r.NeedsSetup() != (tt.wantField != "") || (err != nil && (!errors.As(err, &se) || se.Field != tt.wantField)) {
				t.Errorf("NeedsSetup %v, SetupError %v; want field %q", r.NeedsSetup(), err, tt.wantField)
			}
			if err != nil && (!errors.Is(err, service.ErrConfig) || strings.Contains(err.Error(), goodSecret)) {
				t.Errorf("error %v", err)
			}
		})
	}
	// The error says where a bad value came from.
	env := Layer{Settings: Settings{BaseURL: "http://x.example"}, Present: map[Field]bool{FieldBaseURL: true}}
	r := Resolve(Layer{}, env, nil, complete, goodSecret)
	if err := r.SetupError(); err == nil || !strings.Contains(err.Error(), "environment") {
		t.Errorf("%v", err)
	}
}
