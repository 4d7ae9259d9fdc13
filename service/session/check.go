package session

import (
	"context"
	"errors"
	"net/url"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// TestConnection proves the whole path the window uses, for the settings screen's
// "Test connection": a fresh token with c and the secret, then one member request at
// c's shop for a number nobody is expected to have (a well-formed "not a member"
// answer counts as success). It returns nil, the setting that is missing or unsafe
// (an *service.Error of KindConfig), or a *CheckError saying which step failed, at
// which host, and why. It neither saves anything nor stores the token: the settings
// under test may never be saved.
func (s *Session) TestConnection(ctx context.Context, c settings.Settings, secret string) error {
	if err := c.ConnectionError(secret); err != nil {
		return err
	}
	cfg := c.ServiceConfig(secret)
	cfg.Logger = s.Logger
	client, err := service.NewClient(cfg)
	if err != nil {
		return err
	}
	if err := client.CheckConnection(ctx); err != nil {
		return &CheckError{Step: StepToken, Host: hostOf(cfg.TokenURL), Err: err}
	}
	shop := c.CurrentShop
	if shop == "" && len(c.Shops) > 0 {
		shop = c.Shops[0].ID // what the form saves when no shop was picked
	}
	if _, err := client.LookupMember(ctx, shop, ProbeNumber); err != nil && !errors.Is(err, service.ErrNotMember) {
		return &CheckError{Step: StepMember, Host: hostOf(cfg.BaseURL), Err: err}
	}
	return nil
}

// ProbeNumber is the number Test connection asks about: well formed, and not expected
// to belong to anyone (the answer is then "not a member", which proves the path).
const ProbeNumber = "0900000000"

// The steps of TestConnection.
const (
	StepToken  = "token"  // the token request to the token URL
	StepMember = "member" // the member request to the API address
)

// CheckError is a failed TestConnection: the step, the host it went to, and why.
type CheckError struct {
	Step string // StepToken or StepMember
	Host string
	Err  error // an *service.Error
}

func (e *CheckError) Error() string { return e.Step + " request to " + e.Host + ": " + e.Err.Error() }

func (e *CheckError) Unwrap() error { return e.Err }

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}
