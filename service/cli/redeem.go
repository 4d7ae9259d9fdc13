package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/journal"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

// exitUnknown is redeem's status for a redemption that was sent but whose outcome
// is unknown: check the balance, then retry with the same --order-id or abandon.
const exitUnknown = 6

const redeemUsage = `usage: ocard-desk redeem (--points N | --coupon ID ...) [--order-id ID] --yes
                         [--json] [--demo] [flags as for lookup] MOBILE

Redeems points and/or coupons from one member's account, through the same code as
the window: only when redeeming is turned on (redeem_enabled in the provisioning
file, OCARD_REDEEM_ENABLED=true, --redeem-enabled or Settings), journaled before
it is sent (see 'ocard-desk journal'), sent at most once. --coupon takes the id
'ocard-desk rewards' prints. Without --order-id a new order id is made, unless
the same redemption (member, points, coupons) is still unresolved: then nothing is
sent and the unresolved order is named (retry it with --order-id ID, or settle it
with 'ocard-desk journal resolve --charged|--not-charged ID'). To retry after an
unknown outcome, give the same --order-id and the same amounts; the outcome stays
UNKNOWN unless the server answers 2xx (a refusal of a retry proves nothing about
the first send). Whether a repeated order id can charge again is not documented:
check the balance before retrying.
The journal lives in the user's config folder (OCARD_JOURNAL_DIR overrides it).

Exit status: 0 done, 2 usage/configuration/invalid input/redeeming off/order id
reused or resolved/an unresolved twin (nothing sent), 4 authentication failed,
5 refused by the server or not sent (network, journal, interrupted while waiting
for another redemption), 6 OUTCOME UNKNOWN (check the balance; retry with the same
--order-id or resolve it).

Flags:
`

// redeemFlags are redeem's own flags.
type redeemFlags struct {
	points  int64
	coupons []string
	orderID string
	yes     bool
}

func (rf *redeemFlags) spec() commandSpec {
	return commandSpec{name: "redeem", usage: redeemUsage, jsonHelp: "print the outcome as one JSON object",
		flags: func(fs *flag.FlagSet) func(*settings.Layer, map[string]bool) {
			fs.Int64Var(&rf.points, "points", 0, "points to redeem")
			fs.Func("coupon", "a coupon to redeem, by the id 'ocard-desk rewards' prints (repeatable)", func(s string) error {
				rf.coupons = append(rf.coupons, s)
				return nil
			})
			fs.StringVar(&rf.orderID, "order-id", "", "the order id to send (to retry an unknown outcome); default a new one")
			fs.BoolVar(&rf.yes, "yes", false, "confirm: this charges the member's account")
			enabled := fs.Bool("redeem-enabled", false, "turn redeeming on for this run (env OCARD_REDEEM_ENABLED)")
			return func(l *settings.Layer, given map[string]bool) {
				if given["redeem-enabled"] {
					l.Settings.RedeemEnabled = *enabled
					l.Present[settings.FieldRedeemEnabled] = true
				}
			}
		}}
}

// jsonRedeem is redeem's --json output.
type jsonRedeem struct {
	OrderID   string   `json:"order_id"`
	State     string   `json:"state"` // done, failed, unknown
	Mobile    string   `json:"mobile"`
	Points    int64    `json:"points"`
	TicketIDs []string `json:"ticket_ids"`
	Message   string   `json:"message,omitempty"`
	Replayed  bool     `json:"replayed,omitempty"`
}

// Redeem runs `ocard-desk redeem` with args and returns the process exit status.
func Redeem(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	prefs := readDeskSettings()
	return redeem(ctx, args, stdout, stderr, processEnv(), prefs)
}

func redeem(ctx context.Context, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV) (code int) {
	var secret string
	defer recoverInternal("redeem", stderr, &secret, &code)
	rf := &redeemFlags{}
	run, srv, code := parseCommand(rf.spec(), args, stdout, stderr, env, prefs)
	if run == nil {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}
	secret = run.cfg.ClientSecret
	switch {
	case len(run.numbers) != 1:
		run.fail("give exactly one mobile number")
		return exitUsage
	case !rf.yes:
		run.fail("--yes is required: redeeming charges the member's account")
		return exitUsage
	case !run.settings.RedeemEnabled:
		run.fail("redeeming is off: set \"redeem_enabled\": true in the provisioning file, OCARD_REDEEM_ENABLED=true or --redeem-enabled")
		return exitUsage
	}
	client, err := service.NewClient(run.cfg)
	if err != nil {
		run.fail(err.Error())
		return exitUsage
	}
	j, ok := run.openJournal(env)
	if !ok {
		return exitFailure
	}
	defer j.Close()
	req := service.RedeemRequest{ShopID: run.shopID, OrderID: strings.TrimSpace(rf.orderID), Mobile: run.numbers[0],
		TicketIDs: rf.coupons, Points: rf.points}
	res, err := journal.NewRedeemer(j, client).Redeem(ctx, journal.Order{RedeemRequest: req, What: whatOf(req)})
	if err != nil {
		var twin *journal.TwinError
		if errors.As(err, &twin) {
			run.fail(fmt.Sprintf("nothing was sent: order %s (%s, %s) asked the same and its outcome is UNKNOWN.\n"+
				"  If the balance shows it was not charged, retry it:  ocard-desk redeem --order-id %s ... (the same amounts)\n"+
				"  Or settle it first:  ocard-desk journal resolve --charged %s   (or --not-charged %s)",
				twin.Order.OrderID, twin.Order.Mobile, journalWhat(twin.Order), twin.Order.OrderID, twin.Order.OrderID, twin.Order.OrderID))
			return exitUsage
		}
		run.fail(err.Error())
		switch {
		case errors.Is(err, journal.ErrOrderReused), errors.Is(err, journal.ErrOrderSettled),
			service.KindOf(err) == service.KindInvalidInput:
			return exitUsage
		}
		return exitFailure // journal unwritable, or interrupted (Ctrl-C) while waiting: nothing was sent
	}
	balance := ""
	if res.State == journal.Unknown {
		// What the cashier compares with before retrying: the balance now.
		if m, err := client.LookupMember(ctx, run.shopID, req.Mobile); err == nil && m.Card != nil {
			balance = fmt.Sprint(m.Card.Points)
		}
	}
	return run.reportRedeem(req, res, balance)
}

// openJournal opens the journal (OCARD_JOURNAL_DIR or the config folder) and
// tells about unreadable lines and redemptions left pending by an earlier run.
func (r *lookupRun) openJournal(env deskEnv) (*journal.Journal, bool) {
	dir := env.getenv("OCARD_JOURNAL_DIR")
	if dir == "" {
		var err error
		if dir, err = journal.DefaultDir(); err != nil {
			r.fail(err.Error() + "; nothing was sent")
			return nil, false
		}
	}
	j, problems, pending, err := journal.Open(dir)
	if err != nil {
		r.fail(err.Error() + "; nothing was sent")
		return nil, false
	}
	for _, p := range problems {
		r.fail("journal " + j.Path() + ": " + p.String())
	}
	for _, e := range pending {
		r.fail(fmt.Sprintf("journal: order %s (%s, %s) is unresolved: UNKNOWN, check the balance ('ocard-desk journal --unresolved')",
			e.OrderID, e.Mobile, journalWhat(e)))
	}
	return j, true
}

// whatOf is what a command-line redemption is for people: its points and coupons.
func whatOf(req service.RedeemRequest) string {
	var parts []string
	if req.Points > 0 || len(req.TicketIDs) == 0 {
		parts = append(parts, fmt.Sprintf("%d points", req.Points))
	}
	if len(req.TicketIDs) > 0 {
		parts = append(parts, "coupons "+strings.Join(req.TicketIDs, ","))
	}
	return strings.Join(parts, ", ")
}

// reportRedeem prints the outcome and returns the exit status.
func (r *lookupRun) reportRedeem(req service.RedeemRequest, res journal.Result, balance string) int {
	msg, code := "", exitFound
	var se *service.Error
	switch {
	case res.State == journal.Unknown:
		msg, code = "outcome unknown: check the member's balance, then retry with --order-id "+res.OrderID+" or resolve it", exitUnknown
		if balance != "" {
			msg = "outcome unknown: balance now " + balance + " points; retry with --order-id " + res.OrderID +
				" if it was not deducted, or resolve it ('ocard-desk journal resolve')"
		}
		if errors.As(res.Err, &se) && se.APIMessage != "" {
			msg += "; the server answered: " + se.APIMessage // a refused retry: still unknown
		}
	case res.State == journal.Failed && errors.As(res.Err, &se) && se.APIMessage != "":
		msg, code = se.APIMessage, exitStatus(res.Err)
	case res.State == journal.Failed:
		msg, code = redact(res.Err.Error(), r.cfg.ClientSecret), exitStatus(res.Err)
	case res.Replayed:
		msg = "already done (journal); nothing was sent"
	}
	if res.JournalErr != nil {
		r.fail("the outcome could not be journaled (it will show as unknown): " + res.JournalErr.Error())
	}
	mobile := service.MaskMobile(req.Mobile)
	if r.asJSON {
		tickets := req.TicketIDs
		if tickets == nil {
			tickets = []string{}
		}
		writeJSONLine(r.stdout, jsonRedeem{OrderID: res.OrderID, State: string(res.State), Mobile: mobile,
			Points: req.Points, TicketIDs: tickets, Message: msg, Replayed: res.Replayed})
	} else {
		line := fmt.Sprintf("order %s: %s (%s, %d points, %d coupons)", res.OrderID, res.State, mobile, req.Points, len(req.TicketIDs))
		if msg != "" {
			line += ": " + msg
		}
		fmt.Fprintln(r.stdout, service.Printable(line)) // msg is the server's
	}
	if code != exitFound {
		r.fail(service.Printable(fmt.Sprintf("order %s: %s: %s", res.OrderID, res.State, msg)))
	}
	return code
}
