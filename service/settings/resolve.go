package settings

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
)

// Source is where a setting's value came from. Later sources win: a flag beats the
// environment, which beats the provisioning file, which beats what the user saved,
// which beats the default.
type Source int

// The sources, lowest precedence first.
const (
	SourceDefault Source = iota
	SourceSaved
	SourceFile
	SourceEnv
	SourceFlag
)

func (s Source) String() string {
	switch s {
	case SourceSaved:
		return "saved settings"
	case SourceFile:
		return "provisioning file"
	case SourceEnv:
		return "environment"
	case SourceFlag:
		return "command line"
	}
	return "default"
}

// Layer is what one source sets: the fields named in Present, taken from Settings
// (and Secret for FieldClientSecret).
//
// A layer that does not set FieldShops may still list shops in Settings.Shops: they
// name shops rather than replace the list. Each is added to the list when missing,
// and its non-empty Name is used; an empty ID means the current shop. This is how
// --shop-id/--shop-name and OCARD_SHOP_ID/OCARD_SHOP_NAME pick and name one shop
// among a provisioned list without discarding it.
type Layer struct {
	Settings Settings
	Secret   string
	Present  map[Field]bool
}

// Resolved is the settings a desk runs with and where each came from.
type Resolved struct {
	Settings Settings
	Secret   string
	// Sources says, for every Field, which source its value came from.
	Sources map[Field]Source
	// Locked marks the fields a provisioning file with "locked": true sets: the
	// settings screen shows them read-only, as managed by head office.
	Locked map[Field]bool
	// ProvisionPath is the provisioning file consulted ("" when none); ProvisionErr
	// is why it was not used (an *service.Error naming the file and field).
	ProvisionPath string
	ProvisionErr  error
	// Warnings are things worth a log line that do not stop the desk: unknown fields
	// in the provisioning file, an unreadable credential store.
	Warnings []Warning
}

// Warning is something worth telling that does not stop the desk. Code and Args let
// the window say it in the cashier's language; Text is the English sentence for logs
// and the command line. None of them ever holds the secret.
type Warning struct {
	Code string            // one of the Warning* codes
	Args map[string]string // the values the sentence names, by the names listed at the code
	Text string
}

// String returns the English sentence.
func (w Warning) String() string { return w.Text }

// The codes of Warning.
const (
	// WarningSecretUnreadable: the saved client secret could not be read.
	// Args: Location (the store), Error (its first line, from the OS).
	WarningSecretUnreadable = "secret_unreadable"
	// WarningUnknownField: the provisioning file has a key this version does not know.
	// Args: Path, Field.
	WarningUnknownField = "unknown_field"
	// WarningShopNotListed: the remembered current shop is not in the shop list that
	// won, so the desk starts at the list's first shop. Args: Shop, Using.
	WarningShopNotListed = "shop_not_listed"
	// WarningSecretReadable: the provisioning file holds the client secret and every
	// user of the computer can read it. Args: Path, Mode (e.g. "0644").
	WarningSecretReadable = "secret_readable"
)

// EnvLayer reads OCARD_BASE_URL, OCARD_TOKEN_URL, OCARD_CLIENT_ID, OCARD_CLIENT_SECRET,
// OCARD_SHOP_ID, OCARD_SHOP_NAME, OCARD_SCOPE, OCARD_LANG, OCARD_REDEEM_ENABLED
// (true/false, 1/0) and OCARD_REDEEM_TICKET_ID. A variable set to "" counts as
// unset; so does an OCARD_REDEEM_ENABLED that is not a boolean (redeeming stays as
// the lower sources say, off by default).
func EnvLayer(getenv func(string) string) Layer {
	l := Layer{Present: map[Field]bool{}}
	if getenv == nil {
		return l
	}
	set := func(f Field, name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
			l.Present[f] = true
		}
	}
	set(FieldBaseURL, "OCARD_BASE_URL", &l.Settings.BaseURL)
	set(FieldTokenURL, "OCARD_TOKEN_URL", &l.Settings.TokenURL)
	set(FieldClientID, "OCARD_CLIENT_ID", &l.Settings.ClientID)
	set(FieldClientSecret, "OCARD_CLIENT_SECRET", &l.Secret)
	set(FieldScope, "OCARD_SCOPE", &l.Settings.Scope)
	set(FieldLanguage, "OCARD_LANG", &l.Settings.Language)
	set(FieldDefaultShop, "OCARD_SHOP_ID", &l.Settings.CurrentShop)
	set(FieldRedeemTicketID, "OCARD_REDEEM_TICKET_ID", &l.Settings.RedeemTicketID)
	if on, err := strconv.ParseBool(strings.TrimSpace(getenv("OCARD_REDEEM_ENABLED"))); err == nil {
		l.Settings.RedeemEnabled = on
		l.Present[FieldRedeemEnabled] = true
	}
	if id, name := strings.TrimSpace(l.Settings.CurrentShop), getenv("OCARD_SHOP_NAME"); id != "" || name != "" {
		l.Settings.Shops = []Shop{{ID: id, Name: name}}
	}
	return l
}

// Resolve combines the sources: flags over env over the provisioning file (nil when
// none) over saved (LoadSaved's result, which already holds the defaults) and the
// saved secret. It does not validate; see NeedsSetup and SetupError.
func Resolve(flags, env Layer, prov *Provision, saved Settings, savedSecret string) Resolved {
	r := Resolved{Settings: saved, Secret: savedSecret, Sources: map[Field]Source{}, Locked: map[Field]bool{}}
	def := Defaults()
	if r.Settings.TimeoutSeconds <= 0 {
		r.Settings.TimeoutSeconds = def.TimeoutSeconds
	}
	for _, f := range Fields() {
		r.Sources[f] = SourceDefault
		if f != FieldClientSecret && !sameField(f, r.Settings, def) {
			r.Sources[f] = SourceSaved
		}
	}
	if savedSecret != "" {
		r.Sources[FieldClientSecret] = SourceSaved
	}
	if prov != nil {
		r.ProvisionPath = prov.Path
		for _, k := range prov.Unknown {
			r.Warnings = append(r.Warnings, Warning{Code: WarningUnknownField,
				Args: map[string]string{"Path": prov.Path, "Field": k},
				Text: fmt.Sprintf("%s: unknown field %q ignored", prov.Path, k)})
		}
		if prov.SecretMode != 0 {
			mode := fmt.Sprintf("%04o", uint32(prov.SecretMode))
			r.Warnings = append(r.Warnings, Warning{Code: WarningSecretReadable,
				Args: map[string]string{"Path": prov.Path, "Mode": mode},
				Text: fmt.Sprintf("%s holds client_secret and every user of this computer can read it (mode %s): "+
					"remove read access for others (chmod o-r), or leave client_secret out and enter it in Settings", prov.Path, mode)})
		}
		if prov.Locked {
			for f, ok := range prov.Present {
				if ok {
					r.Locked[f] = true
				}
			}
		}
		r.apply(SourceFile, prov.Layer())
	}
	r.apply(SourceEnv, env)
	r.apply(SourceFlag, flags)
	r.Settings = r.Settings.Normalized()
	if _, ok := r.Settings.Shop(r.Settings.CurrentShop); !ok && len(r.Settings.Shops) > 0 {
		// The list came from a higher source than the remembered current shop (a
		// provisioning file replaced the user's shops): start at its first shop.
		r.Warnings = append(r.Warnings, Warning{Code: WarningShopNotListed,
			Args: map[string]string{"Shop": r.Settings.CurrentShop, "Using": r.Settings.Shops[0].ID},
			Text: fmt.Sprintf("shop %s (%s) is not among the shops (%s); using %s",
				quote(r.Settings.CurrentShop), r.Sources[FieldDefaultShop], r.Sources[FieldShops], quote(r.Settings.Shops[0].ID))})
		r.Settings.CurrentShop = r.Settings.Shops[0].ID
	}
	return r
}

// apply lays one source over r.
func (r *Resolved) apply(src Source, l Layer) {
	for _, f := range Fields() {
		if !l.Present[f] {
			continue
		}
		r.Sources[f] = src
		if f == FieldClientSecret {
			r.Secret = l.Secret
			continue
		}
		copyField(f, &r.Settings, l.Settings)
	}
	if l.Present[FieldShops] {
		return
	}
	for _, hint := range l.Settings.Shops {
		id := strings.TrimSpace(hint.ID)
		if id == "" {
			id = strings.TrimSpace(r.Settings.CurrentShop)
		}
		if id == "" {
			continue
		}
		i := slices.IndexFunc(r.Settings.Shops, func(s Shop) bool { return strings.TrimSpace(s.ID) == id })
		if i < 0 {
			r.Settings.Shops = append(slices.Clip(r.Settings.Shops), Shop{ID: id, Name: hint.Name})
			r.Sources[FieldShops] = src
		} else if hint.Name != "" {
			shops := slices.Clone(r.Settings.Shops) // the list may be shared with a lower layer
			shops[i].Name = hint.Name
			r.Settings.Shops = shops
		}
	}
}

func copyField(f Field, dst *Settings, src Settings) {
	switch f {
	case FieldBaseURL:
		dst.BaseURL = src.BaseURL
	case FieldTokenURL:
		dst.TokenURL = src.TokenURL
	case FieldScope:
		dst.Scope = src.Scope
	case FieldClientID:
		dst.ClientID = src.ClientID
	case FieldShops:
		dst.Shops = slices.Clone(src.Shops)
	case FieldDefaultShop:
		dst.CurrentShop = src.CurrentShop
	case FieldTimeout:
		dst.TimeoutSeconds = src.TimeoutSeconds
	case FieldIdleClear:
		dst.IdleClearSeconds = src.IdleClearSeconds
	case FieldLanguage:
		dst.Language = src.Language
	case FieldRedeemEnabled:
		dst.RedeemEnabled = src.RedeemEnabled
	case FieldRedeemTicketID:
		dst.RedeemTicketID = src.RedeemTicketID
	}
}

func sameField(f Field, a, b Settings) bool {
	var x, y Settings
	copyField(f, &x, a)
	copyField(f, &y, b)
	return slices.Equal(x.Shops, y.Shops) && x.BaseURL == y.BaseURL && x.TokenURL == y.TokenURL &&
		x.Scope == y.Scope && x.ClientID == y.ClientID && x.CurrentShop == y.CurrentShop &&
		x.TimeoutSeconds == y.TimeoutSeconds && x.IdleClearSeconds == y.IdleClearSeconds && x.Language == y.Language &&
		x.RedeemEnabled == y.RedeemEnabled && x.RedeemTicketID == y.RedeemTicketID
}

// NeedsSetup reports whether the desk has no usable connection: the provisioning file
// is broken, or a base URL, token URL, client id, secret or shop is missing or unsafe.
// The window then opens on its welcome/settings screen.
func (r Resolved) NeedsSetup() bool { return r.SetupError() != nil }

// SetupError is why the desk cannot connect, or nil: the provisioning file's error,
// or else the first connection problem as an *service.Error of KindConfig naming the
// field and where its value came from.
func (r Resolved) SetupError() error {
	if r.ProvisionErr != nil {
		return r.ProvisionErr
	}
	p := firstConnectionProblem(r.Settings.Validate(r.Secret))
	if p == nil {
		return nil
	}
	detail := p.Detail
	switch src := r.Sources[p.Field]; {
	case src == SourceFile:
		detail += " (set in " + r.ProvisionPath + ")"
	case src == SourceFlag:
		detail += " (set on the command line)"
	case src != SourceDefault:
		detail += " (set in the " + src.String() + ")"
	}
	return &service.Error{Kind: service.KindConfig, Op: "config", Field: string(p.Field), Detail: detail}
}

// ConnectionError is the first problem that keeps s and the secret from connecting,
// as an *service.Error of KindConfig naming the field, or nil. Problems with the
// timeout, idle clear or language do not count: a desk can look members up anyway.
func (s Settings) ConnectionError(secret string) error {
	p := firstConnectionProblem(s.Validate(secret))
	if p == nil {
		return nil
	}
	return &service.Error{Kind: service.KindConfig, Op: "config", Field: string(p.Field), Detail: p.Detail}
}

func firstConnectionProblem(ps []Problem) *Problem {
	for i := range ps {
		if slices.Contains(connectionFields, ps[i].Field) {
			return &ps[i]
		}
	}
	return nil
}

// Unconfigured reports a first run: no provisioning file and no connection setting
// from any source. The window shows its welcome screen ("Try the demo", "Set up")
// rather than a problem to fix.
func (r Resolved) Unconfigured() bool {
	if r.ProvisionPath != "" {
		return false
	}
	for _, f := range connectionFields {
		if f != FieldScope && r.Sources[f] != SourceDefault {
			return false
		}
	}
	return true
}
