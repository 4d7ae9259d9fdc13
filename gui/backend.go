package gui

import (
	"context"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/session"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Backend is what the welcome and settings screens need beyond a member lookup: the
// session (service/session) has it; tests hand in a fake.
type Backend interface {
	// Save validates s and the secret and stores them; on any problem it stores nothing
	// and returns the problems, field by field.
	Save(s settings.Settings, secret string) []settings.Problem
	// Connect builds the member lookup for s.
	Connect(s settings.Settings, secret string) (MemberLookup, error)
	// TestConnection fetches a token with s and the secret, and reports what failed.
	TestConnection(ctx context.Context, s settings.Settings, secret string) error
	// StartDemo starts the built-in demo server and connects to it.
	StartDemo() (DemoSession, error)
	// SaveShop keeps id as this desk's shop for the next start (the header's picker).
	// It writes a file (locked, fsynced): call it off the UI goroutine.
	SaveShop(id string) error
	// RedemptionLog is the desk's journal, once redeeming is on (nil before).
	RedemptionLog() RedemptionLog
	// RedeemerFor is the redeemer for lookup l (from Connect or StartDemo) with settings
	// s, or nil when this desk does not redeem.
	RedeemerFor(l MemberLookup, s settings.Settings) Redeemer
}

// DemoSession is a connection to the built-in demo server, with the demo's own
// redeemer and journal (never the desk's).
type DemoSession struct {
	Lookup   MemberLookup
	ShopID   string
	Numbers  []DemoNumber
	Redeemer Redeemer
	Log      RedemptionLog
}

// connection is what the window currently looks members up with. It starts from Options
// and changes when the user saves settings, starts the demo, or picks another shop.
type connection struct {
	lookup      MemberLookup
	shops       []settings.Shop
	shopID      string
	demo        bool
	demoNumbers []DemoNumber
	problem     error         // why there is no lookup, when there is none
	redeemer    Redeemer      // nil: no redeeming on this connection
	log         RedemptionLog // where redeemer journals (today's list)
}

// shopName is the current shop's display name (its id when it has no name).
func (c connection) shopName() string { return c.shopNameOf(c.shopID) }

// shopNameOf is the name of shop id, or the id when it has none here.
func (c connection) shopNameOf(id string) string {
	for _, s := range c.shops {
		if s.ID == id && s.Name != "" {
			return s.Name
		}
	}
	return id
}

// sessionBackend is the window's Backend on a session (service/session).
type sessionBackend struct{ s *session.Session }

func (b sessionBackend) Save(s settings.Settings, secret string) []settings.Problem {
	return b.s.Save(s, secret)
}

func (b sessionBackend) Connect(s settings.Settings, secret string) (MemberLookup, error) {
	c, err := b.s.Connect(s, secret)
	if err != nil {
		return nil, err // never a nil *service.Client inside a non-nil interface
	}
	return c, nil
}

func (b sessionBackend) TestConnection(ctx context.Context, s settings.Settings, secret string) error {
	return b.s.TestConnection(ctx, s, secret)
}

func (b sessionBackend) StartDemo() (DemoSession, error) {
	d, err := b.s.StartDemo()
	if err != nil {
		return DemoSession{}, err
	}
	ds := DemoSession{Lookup: d.Client, ShopID: d.ShopID, Numbers: DemoNumbers(d.Numbers)}
	if r, j := b.s.DemoRedeemer(d.Client); r != nil { // no nil pointers inside the interfaces
		ds.Redeemer, ds.Log = r, j
	}
	return ds, nil
}

func (b sessionBackend) RedemptionLog() RedemptionLog {
	if j := b.s.RedemptionLog(); j != nil {
		return j
	}
	return nil
}

func (b sessionBackend) SaveShop(id string) error { return b.s.SaveShop(id) }

func (b sessionBackend) RedeemerFor(l MemberLookup, s settings.Settings) Redeemer {
	c, ok := l.(*service.Client)
	if !ok {
		return nil
	}
	if r := b.s.RedeemerFor(c, s); r != nil {
		return r // not a nil *journal.Redeemer inside the interface
	}
	return nil
}

// optionsFor is what the window is built from for session s.
func optionsFor(s *session.Session) Options {
	opts := optionsBeforeJournal(s)
	addJournal(&opts, s)
	return opts
}

// optionsBeforeJournal is optionsFor without the redeemer and the journal: all that
// does not wait for the journal.
func optionsBeforeJournal(s *session.Session) Options {
	var lookup MemberLookup
	if s.Client != nil { // a nil *service.Client in the interface would not be nil
		lookup = s.Client
	}
	return Options{
		Lookup: lookup, Avatars: s.Avatars, ShopID: s.ShopID, ShopName: s.ShopName,
		Demo: s.Demo, DemoNumbers: DemoNumbers(s.DemoNumbers), IdleClear: s.IdleClear,
		SetupProblem: s.SetupProblem, ConnectionSummary: s.Summary, Logger: s.Logger,
		Shops: s.Resolved.Settings.Shops, Backend: sessionBackend{s}, Settings: s.Resolved,
		SecretStoreKind: s.Secrets.Kind(), SecretStoreLocation: s.Secrets.Location(),
		Welcome: s.Welcome(), TicketIDOf: s.Resolved.Settings.TicketIDOf,
		SettingsWarnings: s.SettingsWarnings, Support: supportFor(s),
	}
}

// addJournal adds the session's redeemer and journal to opts. It waits for the journal,
// which the window's session opens beside the window's creation (session.JournalBeside).
func addJournal(opts *Options, s *session.Session) {
	if r := s.Redeemer(s.Client); r != nil {
		opts.Redeemer = r
	}
	if j := s.RedemptionLog(); j != nil {
		opts.RedemptionLog = j
	}
}

// DemoNumbers converts the demo server's numbers for the window.
func DemoNumbers(ns []demo.Number) []DemoNumber {
	out := make([]DemoNumber, 0, len(ns))
	for _, n := range ns {
		out = append(out, DemoNumber{Mobile: n.Mobile, Label: n.Label})
	}
	return out
}
