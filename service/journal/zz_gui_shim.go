package journal

// TEMPORARY (branch gui-21): the API the window codes against, until svc-21 lands.

import (
	"errors"

	"github.com/ocard-desk/ocard-desk/service"
)

const Resolved State = "resolved"

const (
	ResolutionCharged    = "charged"
	ResolutionNotCharged = "not charged"
)

type Order struct {
	service.RedeemRequest
	What string
}

var ErrUnresolvedTwin = errors.New("an unresolved order holds the same redemption")
var ErrOrderSettled = errors.New("order settled")
var ErrNoSuchOrder = errors.New("no such order")
var ErrNotUnresolved = errors.New("not unresolved")

type TwinError struct{ Order Entry }

func (e *TwinError) Error() string        { return "twin " + e.Order.OrderID }
func (e *TwinError) Is(target error) bool { return target == ErrUnresolvedTwin }

func (j *Journal) Unresolved() ([]Entry, error)                            { panic("shim") }
func (j *Journal) Resolve(orderID, resolution string) (Entry, error)       { panic("shim") }
func (j *Journal) Dir() string                                             { return j.dir }
