package settings

import (
	"errors"
	"strings"
	"testing"

	"github.com/ocard-desk/ocard-desk/service"
)

// TestRedeemSettingsFromEverySource: the file turns redeeming on and locks it;
// the environment and flags override as for every other setting; a bad ticket id
// choice in the file is refused naming the field; saved settings keep both.
func TestRedeemSettingsFromEverySource(t *testing.T) {
	p, err := LoadProvision(writeFile(t, "c.json", `{"redeem_enabled": true, "redeem_ticket_id": "pos_code", "locked": true}`))
	if err != nil {
		t.Fatal(err)
	}
	r := Resolve(Layer{}, Layer{}, p, Defaults(), "")
	if !r.Settings.RedeemEnabled || r.Settings.RedeemTicketID != TicketIDPOSCode ||
		!r.Locked[FieldRedeemEnabled] || !r.Locked[FieldRedeemTicketID] || r.Sources[FieldRedeemEnabled] != SourceFile {
		t.Errorf("%+v locked %v", r.Settings, r.Locked)
	}
	env := EnvLayer(func(k string) string {
		return map[string]string{"OCARD_REDEEM_ENABLED": "false", "OCARD_REDEEM_TICKET_ID": "serial"}[k]
	})
	r = Resolve(Layer{}, env, p, Defaults(), "")
	if r.Settings.RedeemEnabled || r.Settings.RedeemTicketID != TicketIDSerial || r.Sources[FieldRedeemEnabled] != SourceEnv {
		t.Errorf("env: %+v", r.Settings)
	}
	if l := EnvLayer(func(k string) string { return map[string]string{"OCARD_REDEEM_ENABLED": "yes please"}[k] }); l.Present[FieldRedeemEnabled] {
		t.Error("a non-boolean OCARD_REDEEM_ENABLED counted")
	}
	if Defaults().RedeemEnabled {
		t.Error("redeeming is on by default")
	}
	for _, bad := range []string{`{"redeem_ticket_id": "uuid"}`, `{"redeem_enabled": "true"}`} {
		_, err := LoadProvision(writeFile(t, "c.json", bad))
		var se *service.Error
		if !errors.As(err, &se) || !strings.HasPrefix(se.Field, "redeem_") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	kv := &MemoryKV{}
	s := Settings{BaseURL: "https://a.example", TokenURL: "https://a.example/t", ClientID: "c", Shops: []Shop{{ID: "000030"}},
		TimeoutSeconds: 10, RedeemEnabled: true, RedeemTicketID: TicketIDPOSCode}
	if ps := Save(kv, s, "secret", nil); ps != nil {
		t.Fatal(ps)
	}
	if got := LoadSaved(kv); !got.RedeemEnabled || got.RedeemTicketID != TicketIDPOSCode {
		t.Errorf("saved %+v", got)
	}
}

func TestTicketIDOf(t *testing.T) {
	c := service.Coupon{Serial: "6f1c2a4e-8b1d-4c3a-9f7e-2d5b8c0a1e93", POSCode: "T00001"}
	if got := (Settings{}).TicketIDOf(c); got != c.Serial {
		t.Errorf("default: %q", got)
	}
	if got := (Settings{RedeemTicketID: TicketIDPOSCode}).TicketIDOf(c); got != c.POSCode {
		t.Errorf("pos_code: %q", got)
	}
}
