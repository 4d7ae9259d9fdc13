package gui

import "github.com/ocard-desk/ocard-desk/service"

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
	recent []string // normalised numbers, newest first
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
