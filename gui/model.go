package gui

import (
	"image"
	"strings"

	"github.com/ocard-desk/ocard-desk/service"
)

// deskState is what the main area shows.
type deskState int

const (
	stateIdle deskState = iota
	stateLoading
	stateFound
	stateNotMember
	stateInvalid
	stateError
	stateWelcome
	stateCount // the number of states, not a state
)

func (s deskState) String() string {
	return [...]string{"idle", "loading", "found", "not_member", "invalid", "error", "welcome"}[s]
}

// deskModel is the state the widgets are drawn from; refreshXxx methods sync widgets to it.
type deskModel struct {
	state  deskState
	mobile string // normalised number of the current lookup ("" when idle)
	member service.Member
	err    error
	// invalid says what the text was when it is not a mobile number (stateInvalid).
	invalid notMobileKind
	recent  []string // normalised numbers, newest first
	// rewards is the Rewards view of the member shown (stateFound only).
	rewards rewardsModel
	// avatar is the member's avatar once it has arrived, scaled to its size on screen
	// (nil: the placeholder shows); kept so that a redraw (Settings closing, the Rewards
	// view closing) shows it again.
	avatar image.Image
}

// notMobileKind is what a submitted text that is not a mobile number looks like: the
// cashier is told what they scanned, not just what it is not.
type notMobileKind int

const (
	notMobileOther   notMobileKind = iota
	notMobileCarrier               // an e-invoice carrier (/XXX1XXX), e.g. off the customer's phone
	notMobileProduct               // a product barcode (EAN-8, UPC-A, EAN-13, GTIN-14)
)

// classifyNotMobile tells an e-invoice carrier and a product barcode from other text.
func classifyNotMobile(text string) notMobileKind {
	t := strings.ToUpper(strings.TrimSpace(text))
	if service.ValidCarrier(t) {
		return notMobileCarrier
	}
	switch len(t) {
	case 8, 12, 13, 14:
		if strings.Trim(t, "0123456789") == "" {
			return notMobileProduct
		}
	}
	return notMobileOther
}

// String names the kind in the log: other, carrier or product.
func (k notMobileKind) String() string {
	return [...]string{"other", "carrier", "product"}[k]
}

// key is the translation key prefix of the sentences for kind k.
func (k notMobileKind) key() string {
	return [...]string{"invalid", "invalid.carrier", "invalid.product"}[k]
}

func addRecent(recent []string, mobile string) []string {
	out := make([]string, 0, maxRecent)
	out = append(out, mobile)
	for _, m := range recent {
		if m != mobile && len(out) < maxRecent {
			out = append(out, m)
		}
	}
	return out
}
