package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

const journalUsage = `usage: ocard-desk journal [--json] [--since YYYY-MM-DD]
       ocard-desk journal --unresolved [--json]
       ocard-desk journal resolve --charged|--not-charged ORDER_ID

Prints the redemption journal for end-of-day reconciliation: every line (pending
before the request, then done, failed, unknown or resolved), then each order's
final state; archived months are read too. An order left pending (the program
stopped during the request) is UNKNOWN: compare the member's balance.
--unresolved lists only the orders whose last state is pending or unknown, from
any day (JSON lines carry order_id and shown_state). 'resolve' records a person's
decision on one of them as a line of its own: --charged (the balance shows it was
deducted) or --not-charged; the order then leaves --unresolved and is never sent
again. Unreadable lines are reported on stderr and skipped.
The journal is in the user's config folder (OCARD_JOURNAL_DIR overrides it).

Exit status: 0 read or resolved, 2 usage or an order id the journal does not have
or that is not unresolved, 5 the journal cannot be read or written.

Flags:
`

// jsonJournalEntry is one journal line in --json output, with the state an
// order's last line is shown as.
type jsonJournalEntry struct {
	journal.Entry
	Shown journal.State `json:"shown_state"`
}

// Journal runs `ocard-desk journal` and returns the process exit status.
func Journal(args []string, stdout, stderr io.Writer) int {
	return printJournal(args, stdout, stderr, processEnv(), time.Local)
}

func printJournal(args []string, stdout, stderr io.Writer, env deskEnv, loc *time.Location) int {
	fail := func(msg string) { fmt.Fprintln(stderr, "ocard-desk journal: "+msg) }
	if len(args) > 0 && args[0] == "resolve" {
		return resolveOrder(args[1:], stdout, stderr, env)
	}
	fset := flag.NewFlagSet("journal", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, journalUsage)
		fset.PrintDefaults()
	}
	asJSON := fset.Bool("json", false, "print one JSON object per journal line")
	sinceText := fset.String("since", "", "only lines from this day on (YYYY-MM-DD, local time)")
	unresolved := fset.Bool("unresolved", false, "only the orders whose last state is pending or unknown, any day")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitFound
		}
		return exitUsage
	}
	if fset.NArg() > 0 {
		fail("unexpected argument " + fset.Arg(0))
		return exitUsage
	}
	var since time.Time
	if *sinceText != "" {
		t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(*sinceText), loc)
		if err != nil {
			fail("--since must be a date like 2026-12-04")
			return exitUsage
		}
		since = t
	}
	if *unresolved && *sinceText != "" {
		fail("--unresolved lists every day's: no --since with it")
		return exitUsage
	}
	dir, ok := journalDir(env, fail)
	if !ok {
		return exitFailure
	}
	path := filepath.Join(dir, journal.FileName)
	var kept []journal.Entry
	var problems []journal.Problem
	var err error
	if *unresolved {
		kept, problems, err = journal.ReadUnresolved(dir)
	} else {
		kept, problems, err = journal.ReadDir(dir, since)
	}
	if errors.Is(err, fs.ErrNotExist) {
		fail("no journal yet at " + path)
		return exitFound
	}
	if err != nil {
		fail(err.Error())
		return exitFailure
	}
	for _, p := range problems {
		fail(path + ": " + p.String())
	}
	if *unresolved {
		return printUnresolved(stdout, kept, *asJSON, loc)
	}
	latest := journal.Latest(kept)
	shown := map[string]journal.State{}
	for _, e := range latest {
		shown[e.OrderID] = journal.Shown(e.State)
	}
	if *asJSON {
		for _, e := range kept {
			writeJSONLine(stdout, jsonJournalEntry{Entry: e, Shown: shown[e.OrderID]})
		}
		return exitFound
	}
	for _, e := range kept {
		fmt.Fprintln(stdout, service.Printable(journalLine(e, loc))) // the server's messages are in it
	}
	counts := map[journal.State]int{}
	for _, e := range latest {
		counts[journal.Shown(e.State)]++
	}
	charged := 0
	for _, e := range latest {
		if e.State == journal.Resolved && e.Resolution == journal.ResolutionCharged {
			charged++
		}
	}
	fmt.Fprintf(stdout, "\n%d orders: %d done, %d failed, %d resolved (%d charged, %d not charged), %d UNKNOWN\n", len(latest),
		counts[journal.Done], counts[journal.Failed], counts[journal.Resolved], charged, counts[journal.Resolved]-charged,
		counts[journal.Unknown])
	for _, e := range latest {
		if journal.Shown(e.State) == journal.Unknown {
			fmt.Fprintln(stdout, service.Printable(fmt.Sprintf("  unknown: %s (%s, %s): check the balance, then retry it or 'ocard-desk journal resolve'",
				e.OrderID, e.Mobile, journalWhat(e))))
		}
	}
	return exitFound
}

// printUnresolved prints --unresolved: one line (or JSON object) per order.
func printUnresolved(stdout io.Writer, orders []journal.Entry, asJSON bool, loc *time.Location) int {
	for _, e := range orders {
		if asJSON {
			writeJSONLine(stdout, jsonJournalEntry{Entry: e, Shown: journal.Shown(e.State)})
			continue
		}
		fmt.Fprintln(stdout, service.Printable(fmt.Sprintf("%s  %s  UNKNOWN  shop %s  %s  %s",
			e.Time.In(loc).Format("2006-01-02 15:04:05"), e.OrderID, e.ShopID, e.Mobile, journalWhat(e))))
	}
	if !asJSON && len(orders) > 0 {
		fmt.Fprintln(stdout, "check each balance, then retry with 'ocard-desk redeem --order-id ID' or settle with 'ocard-desk journal resolve --charged|--not-charged ID'")
	}
	return exitFound
}

// journalDir is OCARD_JOURNAL_DIR or the default folder.
func journalDir(env deskEnv, fail func(string)) (string, bool) {
	if dir := env.getenv("OCARD_JOURNAL_DIR"); dir != "" {
		return dir, true
	}
	dir, err := journal.DefaultDir()
	if err != nil {
		fail(err.Error())
		return "", false
	}
	return dir, true
}

// resolveOrder runs `ocard-desk journal resolve --charged|--not-charged ORDER_ID`.
func resolveOrder(args []string, stdout, stderr io.Writer, env deskEnv) int {
	fail := func(msg string) { fmt.Fprintln(stderr, "ocard-desk journal resolve: "+msg) }
	fset := flag.NewFlagSet("journal resolve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, journalUsage)
		fset.PrintDefaults()
	}
	charged := fset.Bool("charged", false, "the member's balance shows the order was charged")
	notCharged := fset.Bool("not-charged", false, "the member's balance shows the order was not charged")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitFound
		}
		return exitUsage
	}
	if *charged == *notCharged || fset.NArg() != 1 || strings.TrimSpace(fset.Arg(0)) == "" {
		fail("give exactly one of --charged or --not-charged, and one order id")
		return exitUsage
	}
	resolution := journal.ResolutionNotCharged
	if *charged {
		resolution = journal.ResolutionCharged
	}
	dir, ok := journalDir(env, fail)
	if !ok {
		return exitFailure
	}
	if _, err := os.Stat(filepath.Join(dir, journal.FileName)); err != nil {
		fail("no journal at " + dir + ": no such order")
		return exitUsage
	}
	j, _, _, err := journal.Open(dir)
	if err != nil {
		fail(err.Error())
		return exitFailure
	}
	defer j.Close()
	e, err := j.Resolve(strings.TrimSpace(fset.Arg(0)), resolution)
	switch {
	case errors.Is(err, journal.ErrNoSuchOrder), errors.Is(err, journal.ErrNotUnresolved):
		fail(err.Error())
		return exitUsage
	case err != nil:
		fail(err.Error())
		return exitFailure
	}
	fmt.Fprintln(stdout, service.Printable(fmt.Sprintf("order %s (%s, %s): resolved, %s", e.OrderID, e.Mobile, journalWhat(e), e.Resolution)))
	return exitFound
}

// journalWhat is what an order was for, for people.
func journalWhat(e journal.Entry) string {
	if e.What != "" {
		return e.What
	}
	if len(e.TicketIDs) > 0 {
		return fmt.Sprintf("%d points, coupons %s", e.Points, strings.Join(e.TicketIDs, ","))
	}
	return fmt.Sprintf("%d points", e.Points)
}

// journalLine formats one entry for a person.
func journalLine(e journal.Entry, loc *time.Location) string {
	line := fmt.Sprintf("%s  %s  %-7s  shop %s  %s  %d points", e.Time.In(loc).Format("2006-01-02 15:04:05"),
		e.OrderID, e.State, e.ShopID, e.Mobile, e.Points)
	if len(e.TicketIDs) > 0 {
		line += "  coupons " + strings.Join(e.TicketIDs, ",")
	}
	if e.What != "" {
		line += "  " + e.What
	}
	if e.Resolution != "" {
		line += "  " + e.Resolution
	}
	if e.Message != "" {
		line += "  " + e.Message
	}
	return line
}
