package diagnose

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// WriteSettings lists every setting of s, its value and where it came from (flag,
// environment, provisioning file, saved settings, default): what `check` prints and
// what diagnostics carry. The secret is only said to be set, with its length.
func WriteSettings(w io.Writer, s *session.Session) {
	r := s.Resolved
	c := r.Settings
	if r.ProvisionPath != "" {
		fmt.Fprintf(w, "  provisioning file: %s\n", r.ProvisionPath)
	}
	secret := "(not set)"
	if r.Secret != "" {
		secret = "set (" + strconv.Itoa(len(r.Secret)) + " characters, not shown)"
	}
	shops := make([]string, 0, len(c.Shops))
	for _, sh := range c.Shops {
		shops = append(shops, strings.TrimSpace(sh.ID+" "+sh.Name))
	}
	value := map[settings.Field]string{
		settings.FieldBaseURL: c.BaseURL, settings.FieldTokenURL: c.TokenURL, settings.FieldScope: c.Scope,
		settings.FieldClientID: c.ClientID, settings.FieldClientSecret: secret,
		settings.FieldShops: strings.Join(shops, ", "), settings.FieldDefaultShop: c.CurrentShop,
		settings.FieldTimeout: strconv.Itoa(c.TimeoutSeconds) + " s", settings.FieldIdleClear: strconv.Itoa(c.IdleClearSeconds) + " s",
		settings.FieldLanguage: c.Language, settings.FieldRedeemEnabled: strconv.FormatBool(c.RedeemEnabled),
		settings.FieldRedeemTicketID: c.RedeemTicketID,
	}
	for _, f := range settings.Fields() {
		v := value[f]
		if v == "" {
			v = "(not set)"
		}
		from := r.Sources[f].String()
		if r.Locked[f] {
			from += ", locked"
		}
		fmt.Fprintf(w, "  %-19s %s  [%s]\n", string(f)+":", service.Printable(v), from)
	}
	if s.Secrets != nil {
		fmt.Fprintf(w, "  %-19s %s (%s)\n", "secret store:", s.Secrets.Kind(), s.Secrets.Location())
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", service.Printable(warn.String()))
	}
}
