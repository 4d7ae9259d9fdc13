package service

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// expiryLayouts are the date forms accepted for expire.date: the documented
// "2026/12/31" and the ISO "2026-12-31"; single-digit months and days parse too.
var expiryLayouts = []string{"2006/1/2", "2006-1-2"}

// The field names of the wire format. encoding/json matches object keys to struct
// fields without regard to case, and the last of duplicate keys wins; the single
// pass below does the same, so that it answers exactly as the layered decoder it
// replaced (held to it by TestDecodeMemberMatchesReference and the fuzz target).
var (
	responseFields  = []string{"member", "point_card"}
	memberFields    = []string{"head_image", "id", "name", "mobile", "group_id", "group_name", "carrier"}
	pointCardFields = []string{"point", "spend", "convert", "available_gift_count", "title", "content", "expire"}
	expireFields    = []string{"date", "point"}
)

// DecodeMember decodes the body of GET /v1/user/ocard.
//
// It is tolerant where the API's documentation and examples disagree: expire may be
// an array, a single object, null or absent; numeric fields may be JSON numbers,
// numeric strings (surrounding spaces ignored), "" or null (0); string fields may
// be strings, numbers or null; unknown fields are ignored. It returns ErrNotMember
// when member is null or all its fields are null or empty (the API's answer for a
// number that belongs to nobody), and a Member with a nil Card when point_card is
// null. A body that is not a JSON object, lacks "member", or holds a non-numeric
// string or a fractional number in a numeric field is an *Error of KindMalformed.
//
// It validates the body once (encoding/json's own scanner, so what is valid JSON
// does not change) and then walks it once with gjson, converting each field from
// its raw text: one pass instead of a json.Unmarshal per layer and per field,
// which made decoding most of a lookup's CPU time (docs/BENCHMARKS.md, P2).
func DecodeMember(body []byte) (Member, error) {
	// Some servers put a UTF-8 byte-order mark in front of JSON.
	body = bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf"))
	if len(body) == 0 || body[0] != '{' {
		return Member{}, malformed("response is not a JSON object", nil)
	}
	if !json.Valid(body) {
		// Only now pay for the error that says where the JSON breaks.
		var probe struct{}
		return Member{}, malformed("response is not valid JSON", json.Unmarshal(body, &probe))
	}
	// One copy of the body: every string below is a substring of it or a clone.
	var resp [2]string
	objectFields(gjson.Parse(string(body)), responseFields, resp[:])
	rawMember, rawCard := resp[0], resp[1]
	if rawMember == "" {
		return Member{}, malformed(`response has no "member"`, nil)
	}
	if isNull(rawMember) {
		return Member{}, ErrNotMember
	}
	if rawMember[0] != '{' {
		return Member{}, malformed("member: expected an object", nil)
	}
	var wm [7]string
	objectFields(gjson.Parse(rawMember), memberFields, wm[:])
	var m Member
	var carrier string
	d := decoder{}
	d.str(&m.AvatarURL, wm[0], "member.head_image")
	d.str(&m.ID, wm[1], "member.id")
	d.str(&m.Name, wm[2], "member.name")
	d.str(&m.Mobile, wm[3], "member.mobile")
	d.str(&m.GroupID, wm[4], "member.group_id")
	d.str(&m.GroupName, wm[5], "member.group_name")
	d.str(&carrier, wm[6], "member.carrier")
	if d.err != nil {
		return Member{}, d.err
	}
	if allBlank(m.AvatarURL, m.ID, m.Name, m.Mobile, m.GroupID, m.GroupName, carrier) {
		return Member{}, ErrNotMember
	}
	m.Carrier = newCarrier(carrier)
	card, err := decodePointCard(rawCard)
	if err != nil {
		return Member{}, err
	}
	m.Card = card
	return m, nil
}

// objectFields stores in raw[i] the raw text of the value of the key that matches
// names[i] (case-insensitively, the last one winning), or "" when there is none.
// obj must be a valid JSON object.
func objectFields(obj gjson.Result, names []string, raw []string) {
	obj.ForEach(func(key, value gjson.Result) bool {
		for i, name := range names {
			if strings.EqualFold(key.Str, name) {
				raw[i] = value.Raw
				break
			}
		}
		return true
	})
}

func decodePointCard(raw string) (*PointCard, error) {
	if raw == "" || isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, malformed("point_card: expected an object", nil)
	}
	var w [7]string
	objectFields(gjson.Parse(raw), pointCardFields, w[:])
	var c PointCard
	d := decoder{}
	d.int(&c.Points, w[0], "point_card.point")
	d.int(&c.Spent, w[1], "point_card.spend")
	d.str(&c.Convert, w[2], "point_card.convert")
	d.int(&c.AvailableGifts, w[3], "point_card.available_gift_count")
	d.str(&c.Title, w[4], "point_card.title")
	d.str(&c.Content, w[5], "point_card.content")
	if d.err != nil {
		return nil, d.err
	}
	exp, err := decodeExpire(w[6])
	if err != nil {
		return nil, err
	}
	c.Expiring = exp
	return &c, nil
}

// decodeExpire accepts the documented array, the single object of the example,
// null, absence, and "" (how some backends write an empty list): decodeList's rules.
func decodeExpire(raw string) ([]ExpiringPoints, error) {
	all, err := decodeList(raw, "point_card.expire", decodeExpiring)
	if err != nil {
		return nil, err
	}
	var out []ExpiringPoints
	for _, e := range all {
		if strings.TrimSpace(e.DateText) == "" && e.Points == 0 {
			continue // an entry with neither date nor points says nothing
		}
		out = append(out, e)
	}
	sortExpiring(out)
	return out, nil
}

// decodeExpiring decodes one entry of point_card.expire.
func decodeExpiring(raw string) (ExpiringPoints, error) {
	var w [2]string
	objectFields(gjson.Parse(raw), expireFields, w[:])
	var e ExpiringPoints
	d := decoder{}
	d.str(&e.DateText, w[0], "point_card.expire.date")
	d.int(&e.Points, w[1], "point_card.expire.point")
	if d.err != nil {
		return ExpiringPoints{}, d.err
	}
	e.Date = parseExpiryDate(e.DateText)
	return e, nil
}

// sortExpiring sorts by date so the soonest expiry shows first; undated entries
// last, in the API's order.
func sortExpiring(exp []ExpiringPoints) {
	slices.SortStableFunc(exp, func(a, b ExpiringPoints) int {
		switch {
		case a.Date.IsZero() || b.Date.IsZero():
			return cmp.Compare(boolInt(a.Date.IsZero()), boolInt(b.Date.IsZero()))
		default:
			return a.Date.Compare(b.Date)
		}
	})
}

// parseExpiryDate returns midnight local time of the day in s, or the zero time
// when s is not a date we know. A time of day after the date is ignored.
func parseExpiryDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i >= 0 {
		s = s[:i]
	}
	for _, layout := range expiryLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}

// decoder converts raw field texts (valid JSON values), keeping the first error so
// call sites stay flat.
type decoder struct{ err error }

// str accepts a string, null (→ "") or a number (→ its JSON text).
func (d *decoder) str(dst *string, raw string, field string) {
	if d.err != nil || raw == "" || isNull(raw) {
		return
	}
	switch c := raw[0]; {
	case c == '"':
		*dst, d.err = unquote(raw, field)
	case c == '-' || c >= '0' && c <= '9':
		*dst = strings.Clone(raw)
	default:
		d.err = malformed(field+": expected a string", nil)
	}
}

// int accepts a whole JSON number, a string holding one (spaces trimmed), "" or
// null (→ 0). Fractions and words are refused rather than guessed at: a wrong
// point balance shown to a customer is worse than an error.
func (d *decoder) int(dst *int64, raw string, field string) {
	if d.err != nil || raw == "" || isNull(raw) {
		return
	}
	text := raw
	if raw[0] == '"' {
		s, err := unquote(raw, field)
		if err != nil {
			d.err = err
			return
		}
		text = strings.TrimSpace(s)
		if text == "" {
			return
		}
	}
	n, ok := parseWhole(text)
	if !ok {
		d.err = malformed(field+": not a whole number", nil)
		return
	}
	*dst = n
}

// unquote returns the value of the JSON string literal raw as a string of its own
// (not a substring pinning the whole body). Literals with escapes or invalid UTF-8,
// rare in practice, go through encoding/json so they decode exactly as before: \u
// escapes, surrogate pairs, U+FFFD for bad bytes.
func unquote(raw string, field string) (string, error) {
	inner := raw[1 : len(raw)-1]
	plain := utf8.ValidString(inner)
	for i := 0; plain && i < len(inner); i++ {
		plain = inner[i] != '\\' && inner[i] >= 0x20
	}
	if plain {
		return strings.Clone(inner), nil
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return "", malformed(field+": invalid string", err)
	}
	return s, nil
}

// parseWhole parses a decimal integer, also in a float spelling with an integral
// value ("100.0", "1e3"), as long as it is exactly representable.
func parseWhole(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// ParseFloat also knows "Inf", "NaN" and hex; only JSON number characters count.
	if s == "" || strings.Trim(s, "0123456789+-.eE") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func isNull(raw string) bool { return raw == "null" }

func allBlank(ss ...string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func malformed(detail string, err error) error {
	return &Error{Kind: KindMalformed, Op: "decode", Detail: detail, Err: err}
}
