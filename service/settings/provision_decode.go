package settings

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// decoder reads the provisioning file's fields one by one, so that a value of the
// wrong type is reported by its field name (encoding/json would report a Go type),
// and keeps the first error. A null value, a blank string and an empty list of
// shops count as absent.
type decoder struct {
	top map[string]json.RawMessage
	bad func(field, format string, args ...any) error
	err error
}

func (d *decoder) raw(f Field) (json.RawMessage, bool) {
	raw, ok := d.top[string(f)]
	if !ok || d.err != nil || isNull(raw) {
		return nil, false
	}
	return raw, true
}

func (d *decoder) str(f Field, dst *string, present map[Field]bool) {
	raw, ok := d.raw(f)
	if !ok {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		hint := ""
		if isNumber(raw) && (f == FieldDefaultShop || f == FieldClientID) {
			hint = `, in quotes, so that leading zeros are kept (e.g. "000030")`
		}
		d.err = d.bad(string(f), "%q must be a string%s", f, hint)
		return
	}
	// A blank value is a template's empty slot, not a setting: locking it would
	// leave the desk unable to fill it in.
	if strings.TrimSpace(*dst) != "" {
		present[f] = true
	}
}

func (d *decoder) int(f Field, dst *int, present map[Field]bool) {
	raw, ok := d.raw(f)
	if !ok {
		return
	}
	if !isNumber(raw) {
		d.err = d.bad(string(f), "%q must be a number of seconds, without quotes", f)
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.err = d.bad(string(f), "%q must be a whole number of seconds", f)
		return
	}
	present[f] = true
}

func (d *decoder) bool(f Field, dst *bool, present map[Field]bool) {
	raw, ok := d.raw(f)
	if !ok {
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		d.err = d.bad(string(f), "%q must be true or false, without quotes", f)
		return
	}
	present[f] = true
}

// shops reads [{"id": "000030", "name": "信義店"}, …].
func (d *decoder) shops(dst *[]Shop, present map[Field]bool, unknown *[]string) {
	raw, ok := d.raw(FieldShops)
	if !ok {
		return
	}
	const form = `a list of shops, e.g. [{"id": "000030", "name": "信義店"}]`
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		d.err = d.bad(string(FieldShops), "%q must be %s", FieldShops, form)
		return
	}
	shops := make([]Shop, 0, len(items))
	for i, item := range items {
		at := fmt.Sprintf("shops[%d]", i)
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(item, &obj); err != nil || obj == nil {
			d.err = d.bad(string(FieldShops), "%s must be an object like {\"id\": \"000030\", \"name\": \"信義店\"}", at)
			return
		}
		var sh Shop
		for _, k := range []string{"id", "name"} {
			v, ok := obj[k]
			if !ok || isNull(v) {
				continue
			}
			dst := &sh.ID
			if k == "name" {
				dst = &sh.Name
			}
			if err := json.Unmarshal(v, dst); err != nil {
				hint := ""
				if k == "id" && isNumber(v) {
					hint = `, in quotes, so that leading zeros are kept (e.g. "000030")`
				}
				d.err = d.bad(string(FieldShops), "%s.%s must be a string%s", at, k, hint)
				return
			}
		}
		for k := range obj {
			if k != "id" && k != "name" {
				*unknown = append(*unknown, at+"."+k)
			}
		}
		shops = append(shops, sh)
	}
	*dst = shops
	if len(shops) > 0 {
		present[FieldShops] = true
	}
}

// isNumber reports whether raw is a JSON number.
func isNumber(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

// knownKey reports whether k is a top-level key of the provisioning file.
func knownKey(k string) bool {
	return k == fieldLocked || slices.Contains(Fields(), Field(k))
}
