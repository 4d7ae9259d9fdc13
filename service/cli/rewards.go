package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ocard-desk/ocard-desk/service"
	"github.com/ocard-desk/ocard-desk/service/settings"
)

const rewardsUsage = `usage: ocard-desk rewards [--json] [--demo] [flags as for lookup] MOBILE...

Shows each member's gifts (cheapest first, what they can afford or how many points
they still need, and whether the gift is offered at this shop) and coupons (usable
now, not yet valid, used, expired, with their dates and the id a redemption sends),
configured exactly like 'ocard-desk lookup'.

Exit status: as lookup: 0 all found, 2 usage/configuration/invalid number,
3 not a member, 4 authentication failed, 5 network/timeout/server/malformed.

Flags:
`

// rewardsSpec configures the rewards command like lookup, plus the coupon-id choice
// (so the printed id is the one `redeem --coupon` should be given).
var rewardsSpec = commandSpec{name: "rewards", usage: rewardsUsage,
	jsonHelp: "print one JSON object per number, one per line", flags: addTicketIDFlag}

// addTicketIDFlag adds --redeem-ticket-id.
func addTicketIDFlag(fs *flag.FlagSet) func(*settings.Layer, map[string]bool) {
	ticket := fs.String("redeem-ticket-id", "", `coupon id sent when redeeming: "serial" or "pos_code" (env OCARD_REDEEM_TICKET_ID)`)
	return func(l *settings.Layer, given map[string]bool) {
		if given["redeem-ticket-id"] {
			l.Settings.RedeemTicketID = *ticket
			l.Present[settings.FieldRedeemTicketID] = true
		}
	}
}

// Rewards runs `ocard-desk rewards` with args (the words after "rewards") and
// returns the process exit status, reading settings as Lookup does.
func Rewards(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	prefs := readDeskSettings()
	return rewards(ctx, args, stdout, stderr, processEnv(), prefs, time.Now)
}

func rewards(ctx context.Context, args []string, stdout, stderr io.Writer, env deskEnv, prefs settings.KV, now func() time.Time) (code int) {
	var secret string
	defer recoverInternal("rewards", stderr, &secret, &code)
	run, srv, code := parseCommand(rewardsSpec, args, stdout, stderr, env, prefs)
	if run == nil {
		return code
	}
	if srv != nil {
		defer srv.Close()
	}
	secret = run.cfg.ClientSecret
	client, err := service.NewClient(run.cfg)
	if err != nil {
		run.fail(err.Error())
		return exitUsage
	}
	code = exitFound
	var authErr error
	for i, n := range run.numbers {
		if !run.asJSON && i > 0 {
			fmt.Fprintln(run.stdout)
		}
		var r service.Rewards
		err := authErr
		if err == nil {
			r, err = client.LookupRewards(ctx, run.shopID, n)
		}
		if service.KindOf(err) == service.KindAuth {
			authErr = err // refused credentials will be refused again
		}
		code = max(code, run.report(n, n, err))
		if err == nil {
			run.printRewards(n, r, now())
		}
	}
	return code
}

// jsonRewards is one member's rewards in --json output.
type jsonRewards struct {
	Mobile  string       `json:"mobile"`
	Found   bool         `json:"found"`
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Points  int64        `json:"point"`
	Gifts   []jsonGift   `json:"point_gift"`
	Coupons []jsonCoupon `json:"coupon_list"`
}

type jsonGift struct {
	Title         string `json:"title"`
	RequirePoint  int64  `json:"require_point"`
	POSCode       string `json:"pos_code"`
	Affordable    bool   `json:"affordable"`
	Shortfall     int64  `json:"shortfall"`
	AvailableHere bool   `json:"available_here"`
}

type jsonCoupon struct {
	TicketID  string `json:"ticket_id"` // what `redeem --coupon` takes, per redeem_ticket_id
	Serial    string `json:"serial"`
	POSCode   string `json:"pos_code"`
	Title     string `json:"title"`
	State     string `json:"state"` // usable, not yet valid, used, expired
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
}

// printRewards prints one member's gifts and coupons, as JSON or for a person.
func (r *lookupRun) printRewards(mobile string, rw service.Rewards, now time.Time) {
	choices := service.GiftChoices(rw.Gifts, rw.Points(), r.shopID)
	groups := service.ClassifyCoupons(rw.Coupons, now)
	ordered := [][]service.Coupon{groups.Usable, groups.NotYet, groups.Used, groups.Expired}
	if r.asJSON {
		out := jsonRewards{Mobile: mobile, Found: true, ID: rw.ID, Name: rw.Name, Points: rw.Points(),
			Gifts: []jsonGift{}, Coupons: []jsonCoupon{}}
		for _, g := range choices {
			out.Gifts = append(out.Gifts, jsonGift{g.Title, g.RequirePoints, g.POSCode, g.Affordable, g.Shortfall, g.AvailableHere})
		}
		for _, group := range ordered {
			for _, c := range group {
				out.Coupons = append(out.Coupons, jsonCoupon{r.settings.TicketIDOf(c), c.Serial, c.POSCode, c.Title,
					c.State(now).String(), couponTime(c.Start, c.StartText), couponTime(c.End, c.EndText)})
			}
		}
		writeJSONLine(r.stdout, out)
		return
	}
	w := r.stdout
	safe := service.Printable // names and titles come from the member system
	fmt.Fprintf(w, "%s: %s (%s), %d points\n", mobile, safe(orNone(rw.Name)), safe(orNone(rw.ID)), rw.Points())
	fmt.Fprintln(w, "  Gifts:")
	if len(choices) == 0 {
		fmt.Fprintln(w, "    (none)")
	}
	for _, g := range choices {
		status := "affordable"
		if !g.Affordable {
			status = "needs " + strconv.FormatInt(g.Shortfall, 10) + " more points"
		}
		if !g.AvailableHere {
			status += ", not at this shop"
		}
		fmt.Fprintf(w, "    %6d  %s  (%s)\n", g.RequirePoints, safe(g.Title), status)
	}
	fmt.Fprintln(w, "  Coupons:")
	if len(rw.Coupons) == 0 {
		fmt.Fprintln(w, "    (none)")
	}
	for _, group := range ordered {
		for _, c := range group {
			fmt.Fprintf(w, "    %-15s %s  %s – %s  id %s\n", c.State(now).String()+":", safe(c.Title),
				safe(couponTime(c.Start, c.StartText)), safe(couponTime(c.End, c.EndText)), safe(orNone(r.settings.TicketIDOf(c))))
		}
	}
}

// couponTime formats a coupon time as YYYY-MM-DD HH:MM, or as the API gave it.
func couponTime(t time.Time, text string) string {
	if t.IsZero() {
		return text
	}
	return t.Format("2006-01-02 15:04")
}
