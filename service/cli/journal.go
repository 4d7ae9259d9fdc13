package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
)

const journalUsage = `usage: ocard-desk journal [--json] [--since YYYY-MM-DD]

Prints the redemption journal for end-of-day reconciliation: every line (pending
before the request, then done, failed or unknown), then each order's final state.
An order left pending (the program stopped during the request) is UNKNOWN: compare
the member's balance. Unreadable lines are reported on stderr and skipped.
The journal is in the user's config folder (OCARD_JOURNAL_DIR overrides it).

Exit status: 0 read, 2 usage, 5 the journal cannot be read.

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
	fset := flag.NewFlagSet("journal", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, journalUsage)
		fset.PrintDefaults()
	}
	asJSON := fset.Bool("json", false, "print one JSON object per journal line")
	sinceText := fset.String("since", "", "only lines from this day on (YYYY-MM-DD, local time)")
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
	dir := env.getenv("OCARD_JOURNAL_DIR")
	if dir == "" {
		var err error
		if dir, err = journal.DefaultDir(); err != nil {
			fail(err.Error())
			return exitFailure
		}
	}
	path := filepath.Join(dir, journal.FileName)
	entries, problems, err := journal.ReadFile(path)
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
	var kept []journal.Entry
	for _, e := range entries {
		if !e.Time.Before(since) {
			kept = append(kept, e)
		}
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
	fmt.Fprintf(stdout, "\n%d orders: %d done, %d failed, %d UNKNOWN\n", len(latest),
		counts[journal.Done], counts[journal.Failed], counts[journal.Unknown])
	for _, e := range latest {
		if journal.Shown(e.State) == journal.Unknown {
			fmt.Fprintf(stdout, "  unknown: %s (%s, %d points, coupons %v): check the balance\n",
				e.OrderID, e.Mobile, e.Points, e.TicketIDs)
		}
	}
	return exitFound
}

// journalLine formats one entry for a person.
func journalLine(e journal.Entry, loc *time.Location) string {
	line := fmt.Sprintf("%s  %s  %-7s  shop %s  %s  %d points", e.Time.In(loc).Format("2006-01-02 15:04:05"),
		e.OrderID, e.State, e.ShopID, e.Mobile, e.Points)
	if len(e.TicketIDs) > 0 {
		line += "  coupons " + strings.Join(e.TicketIDs, ",")
	}
	if e.Message != "" {
		line += "  " + e.Message
	}
	return line
}
