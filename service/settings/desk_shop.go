package settings

import "strings"

// The shop a desk serves is the desk's own choice. Head office may ship one
// provisioning file for every desk, with the shops and a default_shop, even locked;
// each desk then picks its shop once from that list (the header's picker, or
// Settings), and that choice is kept here, apart from the saved settings, so that
// the file's default_shop applies only to a desk that never chose. A shop given on
// the command line or in the environment pins the desk and wins over its choice.

// DeskShopKey is the preferences key of the desk's chosen shop id.
const DeskShopKey = "desk_shop.v1"

// SaveDeskShop keeps id as this desk's shop, and returns why it could not (a settings
// file that cannot be written).
func SaveDeskShop(kv KV, id string) error {
	if kv == nil {
		return nil
	}
	return WriteStrings(kv, map[string]string{DeskShopKey: strings.TrimSpace(id)})
}

// LoadDeskShop is the shop this desk chose ("" when it never chose).
func LoadDeskShop(kv KV) string {
	if kv == nil {
		return ""
	}
	return strings.TrimSpace(kv.String(DeskShopKey))
}

// applyDeskShop makes the desk's chosen shop the current one when it is listed and
// the shop is not pinned by a flag or the environment. A desk may always choose
// among the listed shops, even when head office locked the file: the lock is on the
// connection and the list, not on which shop a desk serves.
func (r *Resolved) applyDeskShop(id string) {
	if r.Sources[FieldDefaultShop] >= SourceEnv {
		return // pinned
	}
	r.Locked[FieldDefaultShop] = false
	if id == "" {
		return
	}
	if _, ok := r.Settings.Shop(id); !ok {
		return // no longer listed: the file's default (or the first shop) serves
	}
	r.Settings.CurrentShop = id
	r.Sources[FieldDefaultShop] = SourceSaved
	kept := r.Warnings[:0]
	for _, w := range r.Warnings {
		if w.Code != WarningShopNotListed {
			kept = append(kept, w)
		}
	}
	r.Warnings = kept
}
