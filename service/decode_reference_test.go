package service

import (
	"bytes"
	"encoding/json"
	"strings"
)

// The wire shapes keep every field raw: the API's documentation and its examples
// disagree about types, so each field is converted by a tolerant helper below.
type refWireResponse struct {
	Member    json.RawMessage `json:"member"`
	PointCard json.RawMessage `json:"point_card"`
}

type refWireMember struct {
	HeadImage json.RawMessage `json:"head_image"`
	ID        json.RawMessage `json:"id"`
	Name      json.RawMessage `json:"name"`
	Mobile    json.RawMessage `json:"mobile"`
	GroupID   json.RawMessage `json:"group_id"`
	GroupName json.RawMessage `json:"group_name"`
	Carrier   json.RawMessage `json:"carrier"`
}

type refWirePointCard struct {
	Point              json.RawMessage `json:"point"`
	Spend              json.RawMessage `json:"spend"`
	Convert            json.RawMessage `json:"convert"`
	AvailableGiftCount json.RawMessage `json:"available_gift_count"`
	Title              json.RawMessage `json:"title"`
	Content            json.RawMessage `json:"content"`
	Expire             json.RawMessage `json:"expire"`
}

type refWireExpire struct {
	Date  json.RawMessage `json:"date"`
	Point json.RawMessage `json:"point"`
}

// decodeMemberReference is the decoder as it was before the single pass (commit
// 0d1c459): one json.Unmarshal per layer and per field. It is slow and plainly right,
// so the differential test and fuzz target hold DecodeMember to it.
func decodeMemberReference(body []byte) (Member, error) {
	// Some servers put a UTF-8 byte-order mark in front of JSON.
	body = bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf"))
	if len(body) == 0 || body[0] != '{' {
		return Member{}, malformed("response is not a JSON object", nil)
	}
	var resp refWireResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return Member{}, malformed("response is not valid JSON", err)
	}
	if resp.Member == nil {
		return Member{}, malformed(`response has no "member"`, nil)
	}
	if refIsNull(resp.Member) {
		return Member{}, ErrNotMember
	}
	if resp.Member[0] != '{' {
		return Member{}, malformed("member: expected an object", nil)
	}
	var wm refWireMember
	if err := json.Unmarshal(resp.Member, &wm); err != nil {
		return Member{}, malformed("member: invalid", err)
	}
	var m Member
	var carrier string
	d := refDecoder{}
	d.str(&m.AvatarURL, wm.HeadImage, "member.head_image")
	d.str(&m.ID, wm.ID, "member.id")
	d.str(&m.Name, wm.Name, "member.name")
	d.str(&m.Mobile, wm.Mobile, "member.mobile")
	d.str(&m.GroupID, wm.GroupID, "member.group_id")
	d.str(&m.GroupName, wm.GroupName, "member.group_name")
	d.str(&carrier, wm.Carrier, "member.carrier")
	if d.err != nil {
		return Member{}, d.err
	}
	if allBlank(m.AvatarURL, m.ID, m.Name, m.Mobile, m.GroupID, m.GroupName, carrier) {
		return Member{}, ErrNotMember
	}
	m.Carrier = newCarrier(carrier)
	card, err := refDecodePointCard(resp.PointCard)
	if err != nil {
		return Member{}, err
	}
	m.Card = card
	return m, nil
}

func refDecodePointCard(raw json.RawMessage) (*PointCard, error) {
	if raw == nil || refIsNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, malformed("point_card: expected an object", nil)
	}
	var w refWirePointCard
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, malformed("point_card: invalid", err)
	}
	var c PointCard
	d := refDecoder{}
	d.int(&c.Points, w.Point, "point_card.point")
	d.int(&c.Spent, w.Spend, "point_card.spend")
	d.str(&c.Convert, w.Convert, "point_card.convert")
	d.int(&c.AvailableGifts, w.AvailableGiftCount, "point_card.available_gift_count")
	d.str(&c.Title, w.Title, "point_card.title")
	d.str(&c.Content, w.Content, "point_card.content")
	if d.err != nil {
		return nil, d.err
	}
	exp, err := refDecodeExpire(w.Expire)
	if err != nil {
		return nil, err
	}
	c.Expiring = exp
	return &c, nil
}

// decodeExpire accepts the documented array, the single object of the example,
// null, absence, and "" (how some backends write an empty list).
func refDecodeExpire(raw json.RawMessage) ([]ExpiringPoints, error) {
	var items []json.RawMessage
	switch {
	case raw == nil || refIsNull(raw):
		return nil, nil
	case raw[0] == '{':
		items = []json.RawMessage{raw}
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, malformed("point_card.expire: invalid", err)
		}
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || strings.TrimSpace(s) != "" {
			return nil, malformed("point_card.expire: expected a list", err)
		}
		return nil, nil
	default:
		return nil, malformed("point_card.expire: expected a list", nil)
	}
	var out []ExpiringPoints
	for _, it := range items {
		if refIsNull(it) {
			continue
		}
		if it[0] != '{' {
			return nil, malformed("point_card.expire: expected objects", nil)
		}
		var w refWireExpire
		if err := json.Unmarshal(it, &w); err != nil {
			return nil, malformed("point_card.expire: invalid", err)
		}
		var e ExpiringPoints
		d := refDecoder{}
		d.str(&e.DateText, w.Date, "point_card.expire.date")
		d.int(&e.Points, w.Point, "point_card.expire.point")
		if d.err != nil {
			return nil, d.err
		}
		if strings.TrimSpace(e.DateText) == "" && e.Points == 0 {
			continue // an entry with neither date nor points says nothing
		}
		e.Date = parseExpiryDate(e.DateText)
		out = append(out, e)
	}
	sortExpiring(out)
	return out, nil
}

// decoder converts raw fields, keeping the first error so call sites stay flat.
type refDecoder struct{ err error }

// str accepts a string, null (→ "") or a number (→ its JSON text).
func (d *refDecoder) str(dst *string, raw json.RawMessage, field string) {
	if d.err != nil || raw == nil || refIsNull(raw) {
		return
	}
	switch c := raw[0]; {
	case c == '"':
		if err := json.Unmarshal(raw, dst); err != nil {
			d.err = malformed(field+": invalid string", err)
		}
	case c == '-' || c >= '0' && c <= '9':
		*dst = string(raw)
	default:
		d.err = malformed(field+": expected a string", nil)
	}
}

// int accepts a whole JSON number, a string holding one (spaces trimmed), "" or
// null (→ 0). Fractions and words are refused rather than guessed at: a wrong
// point balance shown to a customer is worse than an error.
func (d *refDecoder) int(dst *int64, raw json.RawMessage, field string) {
	if d.err != nil || raw == nil || refIsNull(raw) {
		return
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			d.err = malformed(field+": invalid string", err)
			return
		}
		text = strings.TrimSpace(text)
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

func refIsNull(raw json.RawMessage) bool { return string(raw) == "null" }
