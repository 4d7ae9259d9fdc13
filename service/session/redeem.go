package session

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// Redemptions: a desk redeems only when turned on (redeem_enabled: flag, environment,
// provisioning file or Settings; the demo always), and every redemption goes through
// the journal (service/journal), which records it before it is sent.

// RedeemOn reports whether this desk may redeem points and coupons.
func (s *Session) RedeemOn() bool { return s.Demo || s.Resolved.Settings.RedeemEnabled }

// DemoJournalName is the demo's journal folder inside the desk's journal folder:
// a folder of its own, so that invented redemptions never mix with a desk's real
// ones, kept across runs so that a demo redemption left unresolved is still there
// (and on `OCARD_JOURNAL_DIR=… ocard-desk journal`) after a restart.
const DemoJournalName = "demo-journal"

// openJournal opens the redemption journal when redeeming is on: the user's
// (OCARD_JOURNAL_DIR or the config folder), or for the demo its own (DemoJournalName).
// A journal that cannot be opened turns redeeming off, with the reason in
// RedeemProblem: nothing may be sent that is not journaled first.
func (s *Session) openJournal(getenv func(string) string) {
	if !s.RedeemOn() {
		return
	}
	if s.Demo {
		if err := s.openDemoJournal(); err != nil {
			s.RedeemProblem = fmt.Errorf("redeeming is off: %w", err)
			return
		}
		s.Journal = s.demoJournal // --demo: the session's journal is the demo's
		s.PendingAtStart = s.demoUnresolved
		return
	}
	dir := getenv("OCARD_JOURNAL_DIR")
	var err error
	if dir == "" {
		dir, err = journal.DefaultDir()
	}
	if err == nil {
		var problems []journal.Problem
		s.Journal, problems, s.PendingAtStart, err = journal.Open(dir)
		for _, p := range problems {
			s.Logger.Warn("redemption journal: line skipped", "file", s.Journal.Path(), "problem", p.String())
		}
	}
	if err != nil {
		s.RedeemProblem = fmt.Errorf("redeeming is off: %w", err)
		s.Logger.Warn("redemption journal cannot be opened: redeeming is off", "err", err.Error())
		return
	}
	for _, e := range s.PendingAtStart {
		s.Logger.Warn("unresolved redemption: unknown, check the balance",
			"order_id", e.OrderID, "mobile", e.Mobile, "points", e.Points, "what", e.What)
	}
}

// Redeemer is the journaled, at-most-once redeemer for client, or nil when this
// desk does not redeem (off, or no journal).
func (s *Session) Redeemer(client *service.Client) *journal.Redeemer {
	s.waitJournal()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Journal == nil || client == nil {
		return nil
	}
	return journal.NewRedeemer(s.Journal, client)
}

// RedeemerFor is Redeemer after settings c were saved: redeeming turned on in
// Settings opens the journal then; turned off, there is no redeemer.
func (s *Session) RedeemerFor(client *service.Client, c settings.Settings) *journal.Redeemer {
	s.waitJournal()
	if !c.RedeemEnabled && !s.Demo {
		return nil
	}
	s.mu.Lock()
	if s.Journal == nil {
		s.Resolved.Settings.RedeemEnabled = true
		if s.getenv == nil {
			s.getenv = os.Getenv
		}
		s.openJournal(s.getenv) // under the lock: Redeemer reads Journal under it too
	}
	s.mu.Unlock()
	return s.Redeemer(client)
}

// DemoRedeemer is the redeemer for a client of the built-in demo server and the
// journal it writes: the demo's own (DemoJournalDir), never the desk's (a desk may start the demo from its welcome screen while its real
// journal is open).
func (s *Session) DemoRedeemer(client *service.Client) (*journal.Redeemer, *journal.Journal) {
	s.waitJournal()
	s.mu.Lock()
	defer s.mu.Unlock()
	if client == nil {
		return nil, nil
	}
	if err := s.openDemoJournal(); err != nil {
		return nil, nil
	}
	return journal.NewRedeemer(s.demoJournal, client), s.demoJournal
}

// openDemoJournal opens the demo's journal, once: DemoJournalName in the desk's
// journal folder (OCARD_JOURNAL_DIR or the config folder), kept after exit.
func (s *Session) openDemoJournal() error {
	if s.demoJournal != nil {
		return nil
	}
	getenv := s.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	base := getenv("OCARD_JOURNAL_DIR")
	if base == "" {
		var err error
		if base, err = journal.DefaultDir(); err != nil {
			return err
		}
	}
	dir := filepath.Join(base, DemoJournalName)
	j, problems, unresolved, err := journal.Open(dir)
	if err != nil {
		return err
	}
	for _, p := range problems {
		s.Logger.Warn("demo redemption journal: line skipped", "file", j.Path(), "problem", p.String())
	}
	s.Logger.Info("the demo's redemption journal", "dir", dir)
	s.demoJournal, s.demoJournalDir, s.demoUnresolved = j, dir, unresolved
	return nil
}

// DemoJournalDir is the demo's journal folder once the demo has redeemed or can
// ("" before): the window says where it is.
func (s *Session) DemoJournalDir() string {
	s.waitJournal()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.demoJournalDir
}

// RedemptionLog is the desk's journal (nil when it does not redeem).
func (s *Session) RedemptionLog() *journal.Journal {
	s.waitJournal()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Journal
}

// closeJournal closes the journals; the demo's stays on disk.
func (s *Session) closeJournal() {
	s.waitJournal()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Journal != nil && s.Journal != s.demoJournal {
		_ = s.Journal.Close()
	}
	s.Journal = nil
	if s.demoJournal != nil {
		_ = s.demoJournal.Close()
		s.demoJournal = nil
	}
}
