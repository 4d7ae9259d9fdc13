package settings

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
)

// good is a complete, valid configuration.
func good() Settings {
	s := Defaults()
	s.BaseURL = "https://api.example.com"
	s.TokenURL = "https://login.example.com/oauth/v1/token"
	s.ClientID = "desk"
	s.Shops = []Shop{{"000030", "信義店"}, {"000031", "中山店"}}
	s.CurrentShop = "000031"
	return s
}

const goodSecret = "s3cr3t-value-!@#"

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Settings)
		secret string
		want   map[Field]Code
	}{
		{"valid", nil, goodSecret, nil},
		{"loopback http", func(s *Settings) { s.BaseURL = "http://127.0.0.1:8089"; s.TokenURL = "http://localhost/t" }, goodSecret, nil},
		{"spaces trimmed", func(s *Settings) { s.BaseURL = "  https://a.example  "; s.Shops[0].ID = " 000030 " }, goodSecret, nil},
		{"empty current shop means the first", func(s *Settings) { s.CurrentShop = "" }, goodSecret, nil},
		{"idle clear never", func(s *Settings) { s.IdleClearSeconds = 0 }, goodSecret, nil},
		{"two scopes", func(s *Settings) { s.Scope = "api  member" }, goodSecret, nil},
		{"everything missing", func(s *Settings) { *s = Settings{} }, "", map[Field]Code{
			FieldBaseURL: CodeRequired, FieldTokenURL: CodeRequired, FieldClientID: CodeRequired,
			FieldClientSecret: CodeRequired, FieldShops: CodeRequired, FieldTimeout: CodeRange}},
		{"white space secret", nil, " \t", map[Field]Code{FieldClientSecret: CodeRequired}},
		{"http off loopback", func(s *Settings) { s.BaseURL = "http://api.example.com" }, goodSecret,
			map[Field]Code{FieldBaseURL: CodeLoopbackHTTP}},
		{"ftp", func(s *Settings) { s.TokenURL = "ftp://login.example.com/t" }, goodSecret, map[Field]Code{FieldTokenURL: CodeHTTPS}},
		{"not absolute", func(s *Settings) { s.BaseURL = "api.example.com" }, goodSecret, map[Field]Code{FieldBaseURL: CodeURL}},
		{"user info", func(s *Settings) { s.TokenURL = "https://u:p@login.example.com/t" }, goodSecret, map[Field]Code{FieldTokenURL: CodeURL}},
		{"query", func(s *Settings) { s.BaseURL = "https://api.example.com/?x=1" }, goodSecret, map[Field]Code{FieldBaseURL: CodeURL}},
		{"scope quote", func(s *Settings) { s.Scope = `api"` }, goodSecret, map[Field]Code{FieldScope: CodeInvalid}},
		{"no shops", func(s *Settings) { s.Shops = nil; s.CurrentShop = "" }, goodSecret, map[Field]Code{FieldShops: CodeRequired}},
		{"empty shop id", func(s *Settings) { s.Shops[1].ID = " " }, goodSecret,
			map[Field]Code{FieldShops: CodeShopID, FieldDefaultShop: CodeUnknownShop}},
		{"shop id with a space", func(s *Settings) { s.Shops[0].ID = "000 030" }, goodSecret, map[Field]Code{FieldShops: CodeShopID}},
		{"shop id too long", func(s *Settings) { s.Shops[0].ID = strings.Repeat("1", 65) }, goodSecret, map[Field]Code{FieldShops: CodeShopID}},
		{"duplicate shop", func(s *Settings) { s.Shops[1].ID = "000030"; s.CurrentShop = "000030" }, goodSecret,
			map[Field]Code{FieldShops: CodeDuplicateShop}},
		{"leading zeros matter", func(s *Settings) { s.CurrentShop = "30" }, goodSecret, map[Field]Code{FieldDefaultShop: CodeUnknownShop}},
		{"timeout 0", func(s *Settings) { s.TimeoutSeconds = 0 }, goodSecret, map[Field]Code{FieldTimeout: CodeRange}},
		{"timeout 301", func(s *Settings) { s.TimeoutSeconds = 301 }, goodSecret, map[Field]Code{FieldTimeout: CodeRange}},
		{"idle 4", func(s *Settings) { s.IdleClearSeconds = 4 }, goodSecret, map[Field]Code{FieldIdleClear: CodeRange}},
		{"idle negative", func(s *Settings) { s.IdleClearSeconds = -1 }, goodSecret, map[Field]Code{FieldIdleClear: CodeRange}},
		{"language", func(s *Settings) { s.Language = "zh-CN" }, goodSecret, map[Field]Code{FieldLanguage: CodeInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			if tt.edit != nil {
				tt.edit(&s)
			}
			got := map[Field]Code{}
			var order []Field
			for _, p := range s.Validate(tt.secret) {
				if _, dup := got[p.Field]; dup {
					t.Errorf("two problems for %s", p.Field)
				}
				got[p.Field] = p.Code
				order = append(order, p.Field)
				if p.Detail == "" || strings.Contains(p.Detail, goodSecret) {
					t.Errorf("detail %q", p.Detail)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("problems %v, want %v", got, tt.want)
			}
			for f, c := range tt.want {
				if got[f] != c {
					t.Errorf("%s: %q, want %q (all: %v)", f, got[f], c, got)
				}
			}
			if !slices.IsSortedFunc(order, func(a, b Field) int {
				return slices.Index(Fields(), a) - slices.Index(Fields(), b)
			}) {
				t.Errorf("problems not in form order: %v", order)
			}
		})
	}
}

// checkURL must agree with service.Config.Validate, which the client applies: a URL
// the form accepts must not be refused at connect time, nor the reverse.
func TestCheckURLAgreesWithService(t *testing.T) {
	for _, raw := range []string{
		"https://api.example.com", "https://api.example.com/prefix/", "http://localhost:8080", "http://127.0.0.5",
		"http://[::1]:9/x", "http://api.example.com", "http://localhost.example.com", "ftp://x.example", "api.example.com",
		"", "https://", "https://u@x.example", "https://x.example/?", "https://x.example/#f", "https://x.example?q=1",
		"mailto:a@example.com", "https://x.example:99999", "HTTPS://X.EXAMPLE", "http://LOCALHOST",
	} {
		code, _ := checkURL(strings.TrimSpace(raw))
		cfg := service.Config{BaseURL: raw, TokenURL: "https://login.example.com/t", ClientID: "c", ClientSecret: "s"}
		err := cfg.Validate()
		if (code == "") != (err == nil) {
			t.Errorf("%q: form says %q, service says %v", raw, code, err)
		}
	}
}

func TestServiceConfig(t *testing.T) {
	s := good()
	s.Scope = " api  member "
	s.TimeoutSeconds = 7
	cfg := s.ServiceConfig(" " + goodSecret + "\n")
	if cfg.BaseURL != s.BaseURL || cfg.TokenURL != s.TokenURL || cfg.ClientID != "desk" ||
		cfg.ClientSecret != goodSecret || !slices.Equal(cfg.Scopes, []string{"api", "member"}) || cfg.Timeout != 7*time.Second {
		t.Errorf("%+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	// A bad configuration is refused by the client with the same field.
	s.BaseURL = "http://api.example.com"
	var se *service.Error
	if _, err := service.NewClient(s.ServiceConfig(goodSecret)); !errors.As(err, &se) || se.Field != string(FieldBaseURL) {
		t.Errorf("NewClient: %v", err)
	}
}

func TestShopAndNormalized(t *testing.T) {
	s := good()
	if sh, ok := s.Shop("000030"); !ok || sh.Name != "信義店" {
		t.Errorf("Shop(000030) = %v, %v", sh, ok)
	}
	if _, ok := s.Shop("30"); ok {
		t.Error("leading zeros ignored")
	}
	n := Settings{Shops: []Shop{{" 000031 ", " 中山店 "}}}.Normalized()
	if n.CurrentShop != "000031" || n.Shops[0].Name != "中山店" || n.Scope != DefaultScope {
		t.Errorf("%+v", n)
	}
}
