package session

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/demo"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func noEnv(string) string { return "" }

// An unconfigured desk is a session with a reason, not an error: the window explains it.
func TestOpenUnconfiguredIsAWelcome(t *testing.T) {
	s, err := Open(Inputs{Getenv: noEnv, Prefs: &settings.MemoryKV{}, Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Client != nil || !errors.Is(s.SetupProblem, service.ErrConfig) || !s.Welcome() {
		t.Fatalf("client %v, problem %v, welcome %v", s.Client, s.SetupProblem, s.Welcome())
	}
	if s.IdleClear <= 0 {
		t.Errorf("idle clear %v, want the default", s.IdleClear)
	}
}

// The demo session talks to a real demo server on loopback, for the shop asked for.
func TestOpenDemoLooksMembersUp(t *testing.T) {
	s, err := Open(Inputs{Demo: true, DemoShop: "000099", IdleClear: -1, Getenv: noEnv, Prefs: &settings.MemoryKV{},
		Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Welcome() || s.ShopID != "000099" || s.IdleClear != -1 || len(s.DemoNumbers) == 0 {
		t.Fatalf("welcome %v, shop %q, idle %v, %d numbers", s.Welcome(), s.ShopID, s.IdleClear, len(s.DemoNumbers))
	}
	m, err := s.Client.LookupMember(t.Context(), demo.ShopID, "0903123123")
	if err != nil || m.ID == "" {
		t.Fatalf("demo lookup: %+v %v", m, err)
	}
	// StartDemo again reuses the running server.
	d, err := s.StartDemo()
	if err != nil || d.ShopID != demo.ShopID {
		t.Fatalf("StartDemo: %+v %v", d, err)
	}
	s.Close()
	if _, err := s.Client.LookupMember(t.Context(), demo.ShopID, "0903123123"); err == nil {
		t.Fatal("the demo server still answers after Close")
	}
}

// Redeeming turned on in Settings opens the journal then; off, there is no redeemer.
func TestRedeemerForOpensTheJournalWhenTurnedOn(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "OCARD_JOURNAL_DIR" {
			return dir
		}
		return ""
	}
	s, err := Open(Inputs{Getenv: getenv, Prefs: &settings.MemoryKV{}, Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Journal != nil || s.RedeemOn() {
		t.Fatal("redeeming is on before anyone turned it on")
	}
	client, err := service.NewClient(service.Config{BaseURL: "http://127.0.0.1:1", TokenURL: "http://127.0.0.1:1/t", ClientID: "a", ClientSecret: "b"})
	if err != nil {
		t.Fatal(err)
	}
	off := settings.Defaults()
	if r := s.RedeemerFor(client, off); r != nil {
		t.Fatal("a redeemer with redeeming off")
	}
	on := off
	on.RedeemEnabled = true
	if r := s.RedeemerFor(client, on); r == nil || s.Journal == nil || filepath.Dir(s.Journal.Path()) != dir {
		t.Fatalf("redeemer %v, journal %v", r, s.Journal)
	}
}

// Test connection proves the token and one member request, and says which failed where.
func TestTestConnectionNamesTheStepThatFailed(t *testing.T) {
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s, err := Open(Inputs{Getenv: noEnv, Prefs: &settings.MemoryKV{}, Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good := settings.Defaults()
	good.BaseURL, good.TokenURL, good.ClientID = srv.BaseURL(), srv.TokenURL(), demo.ClientID
	good.Shops, good.CurrentShop = []settings.Shop{{ID: demo.ShopID}}, demo.ShopID
	before := srv.Stats().MemberRequests
	if err := s.TestConnection(t.Context(), good, demo.ClientSecret); err != nil {
		t.Fatalf("the demo's own settings: %v", err)
	}
	if n := srv.Stats().MemberRequests - before; n != 1 {
		t.Errorf("%d member requests, want 1", n)
	}
	var ce *CheckError
	if err := s.TestConnection(t.Context(), good, "wrong"); !errors.As(err, &ce) || ce.Step != StepToken || !errors.Is(err, service.ErrAuth) {
		t.Errorf("wrong secret: %v", err)
	}
	wrongAPI := good
	wrongAPI.BaseURL = srv.BaseURL() + "/not-the-api"
	if err := s.TestConnection(t.Context(), wrongAPI, demo.ClientSecret); !errors.As(err, &ce) || ce.Step != StepMember || !strings.Contains(ce.Host, "127.0.0.1") {
		t.Errorf("wrong API address: %v", err)
	}
}

// A demo started from the window redeems into a journal of its own, never the desk's.
func TestDemoStartedFromTheWindowHasItsOwnJournal(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		switch k {
		case "OCARD_JOURNAL_DIR":
			return dir
		case "OCARD_REDEEM_ENABLED":
			return "true"
		}
		return ""
	}
	s, err := Open(Inputs{Getenv: getenv, Prefs: &settings.MemoryKV{}, Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Journal == nil {
		t.Fatal("redeeming on, yet no journal")
	}
	d, err := s.StartDemo()
	if err != nil {
		t.Fatal(err)
	}
	r, j := s.DemoRedeemer(d.Client)
	if r == nil || j == nil || filepath.Dir(j.Path()) == dir {
		t.Fatalf("the demo's journal is %v (the desk's is in %s)", j, dir)
	}
	demoDir := filepath.Dir(j.Path())
	if demoDir != filepath.Join(dir, DemoJournalName) || s.DemoJournalDir() != demoDir || j.Dir() != demoDir {
		t.Errorf("the demo's journal is in %s (DemoJournalDir %q), want %s", demoDir, s.DemoJournalDir(), filepath.Join(dir, DemoJournalName))
	}
	s.Close()
	if _, err := os.Stat(j.Path()); err != nil {
		t.Errorf("the demo's journal is gone after exit: %v", err)
	}
}

// Issue 21 point 9: the demo's journal outlives the demo, so a demo redemption
// left unknown is still unresolved at the next --demo start (PendingAtStart).
func TestDemoJournalIsKeptAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "OCARD_JOURNAL_DIR" {
			return dir
		}
		return ""
	}
	open := func() *Session {
		s, err := Open(Inputs{Demo: true, IdleClear: -1, Getenv: getenv, Prefs: &settings.MemoryKV{},
			Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	if s.Journal == nil || s.DemoJournalDir() != filepath.Join(dir, DemoJournalName) {
		t.Fatalf("demo journal %v in %q", s.Journal, s.DemoJournalDir())
	}
	if err := s.Journal.Append(journal.Entry{OrderID: "000030261204123", State: journal.Unknown, ShopID: "000030",
		Mobile: "0900***005", Points: 10, What: "10 points"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open()
	defer s.Close()
	if len(s.PendingAtStart) != 1 || s.PendingAtStart[0].OrderID != "000030261204123" {
		t.Errorf("PendingAtStart after a restart: %+v", s.PendingAtStart)
	}
}

// A settings file a power cut damaged: the session opens with the backup's settings
// and says so (SettingsWarnings for the first screen, and a warning the Settings screen shows).
func TestSettingsRestoredFromTheBackupAreNoticed(t *testing.T) {
	path := filepath.Join(t.TempDir(), settings.DeskFileName)
	c := settings.Defaults()
	c.BaseURL, c.TokenURL, c.ClientID = "https://api.example.com", "https://login.example.com/t", "desk"
	c.Shops, c.CurrentShop = []settings.Shop{{ID: "000030"}, {ID: "000031"}}, "000031"
	if ps := settings.SaveAsDesk(settings.OpenDeskFile(path, ""), c, "secret", nil); ps != nil {
		t.Fatal(ps)
	}
	if ps := settings.SaveAsDesk(settings.OpenDeskFile(path, ""), c, "secret", nil); ps != nil {
		t.Fatal(ps)
	}
	if err := os.Rename(path, settings.Backup(path)); err != nil { // the backup: the same settings
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil { // the file: cut to nothing
		t.Fatal(err)
	}
	s, err := Open(Inputs{Getenv: noEnv, Prefs: settings.OpenDeskFile(path, ""), Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ShopID != "000031" || s.Resolved.Settings.ClientID != "desk" {
		t.Errorf("shop %q, client id %q: not the saved settings", s.ShopID, s.Resolved.Settings.ClientID)
	}
	if len(s.SettingsWarnings) != 1 || !strings.Contains(s.SettingsWarnings[0].Text, "restored from its backup") ||
		s.SettingsWarnings[0].Code != settings.WarningSettingsRestored {
		t.Errorf("warnings %+v", s.SettingsWarnings)
	}
	found := false
	for _, w := range s.Resolved.Warnings {
		found = found || w.Code == settings.WarningSettingsRestored
	}
	if !found {
		t.Errorf("not among the Settings screen's warnings: %+v", s.Resolved.Warnings)
	}

	// A settings file that cannot be written: SaveShop says so, Save returns a problem.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "blocked"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveShop("000030"); err == nil {
		t.Error("SaveShop: no error from a file that cannot be written")
	}
	if ps := s.Save(c, "secret"); len(ps) != 1 || ps[0].Code != settings.CodeSettingsFile {
		t.Errorf("Save: %v", ps)
	}
}

// Issue 24: the window's session opens the journal beside the window's creation: Open
// returns before it is open, every method that needs it waits for it (a Close that
// comes first too: the journal is never left open behind a closed session), and what it
// finds is what a journal opened in Open finds.
func TestJournalOpenedBesideTheStart(t *testing.T) {
	dir := t.TempDir()
	var gate chan struct{} // while open, the journal's opening waits at its folder's name
	getenv := func(k string) string {
		if k == "OCARD_JOURNAL_DIR" {
			if gate != nil {
				<-gate
			}
			return dir
		}
		return ""
	}
	open := func() *Session {
		s, err := Open(Inputs{Demo: true, IdleClear: -1, Getenv: getenv, Prefs: &settings.MemoryKV{},
			Secrets: settings.NewFileStore(t.TempDir()), Logger: quietLogger(), JournalBeside: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	returned := func(f func()) <-chan struct{} {
		done := make(chan struct{})
		go func() { f(); close(done) }()
		return done
	}
	notYet := func(done <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-done:
			t.Fatalf("%s returned while the journal was still opening", what)
		case <-time.After(100 * time.Millisecond):
		}
	}

	gate = make(chan struct{})
	s := open() // returns with the journal's opening held at the gate
	var j *journal.Journal
	got := returned(func() { j = s.RedemptionLog() })
	notYet(s.JournalReady(), "JournalReady")
	notYet(got, "RedemptionLog")
	close(gate)
	<-got
	if j == nil || s.DemoJournalDir() != filepath.Join(dir, DemoJournalName) {
		t.Fatalf("demo journal %v in %q", j, s.DemoJournalDir())
	}
	if err := j.Append(journal.Entry{OrderID: "000030261204124", State: journal.Unknown, ShopID: "000030",
		Mobile: "0900***005", Points: 10, What: "10 points"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	gate = make(chan struct{})
	s = open()
	closed := returned(s.Close)
	notYet(closed, "Close")
	close(gate)
	<-closed
	if s.Journal != nil || s.demoJournal != nil {
		t.Fatal("a journal opened after its session was closed")
	}

	gate = nil
	s = open()
	defer s.Close()
	<-s.JournalReady()
	if len(s.PendingAtStart) != 1 || s.PendingAtStart[0].OrderID != "000030261204124" {
		t.Errorf("PendingAtStart of a journal opened beside the start: %+v", s.PendingAtStart)
	}
	if s.Redeemer(s.Client) == nil {
		t.Error("no redeemer once the journal opened beside the start is open")
	}
}
