package cli

import (
	"encoding/json"
	"io"

	"github.com/ocard-desk/ocard-desk/service"
)

// The --json output: one object per number, one per line. The field names follow the
// API's own, so a script written against the API reads this too; the values are the
// decoded ones (integers, ISO dates, expire always an array).

type jsonFound struct {
	Mobile    string     `json:"mobile"`
	Found     bool       `json:"found"`
	Member    jsonMember `json:"member"`
	PointCard *jsonCard  `json:"point_card"` // null for a member without a card
}

type jsonMember struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Mobile    string `json:"mobile"`
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name"`
	HeadImage string `json:"head_image"`
	Carrier   string `json:"carrier"`
}

type jsonCard struct {
	Point              int64        `json:"point"`
	Spend              int64        `json:"spend"`
	Convert            string       `json:"convert"`
	AvailableGiftCount int64        `json:"available_gift_count"`
	Title              string       `json:"title"`
	Content            string       `json:"content"`
	Expire             []jsonExpire `json:"expire"`
}

type jsonExpire struct {
	Date  string `json:"date"` // YYYY-MM-DD, or as given when it was not a date
	Point int64  `json:"point"`
}

type jsonNotFound struct {
	Mobile string `json:"mobile"`
	Found  bool   `json:"found"`
}

type jsonError struct {
	Mobile string `json:"mobile"`
	Error  string `json:"error"`
}

func newJSONFound(mobile string, m service.Member) jsonFound {
	out := jsonFound{
		Mobile: mobile,
		Found:  true,
		Member: jsonMember{
			ID: m.ID, Name: m.Name, Mobile: m.Mobile, GroupID: m.GroupID, GroupName: m.GroupName,
			HeadImage: m.AvatarURL, Carrier: m.Carrier.Code,
		},
	}
	if c := m.Card; c != nil {
		out.PointCard = &jsonCard{
			Point: c.Points, Spend: c.Spent, Convert: c.Convert, AvailableGiftCount: c.AvailableGifts,
			Title: c.Title, Content: c.Content,
			Expire: make([]jsonExpire, 0, len(c.Expiring)), // [] rather than null when none
		}
		// The service returns them sorted by date already.
		for _, e := range c.Expiring {
			out.PointCard.Expire = append(out.PointCard.Expire, jsonExpire{Date: expiryDate(e), Point: e.Points})
		}
	}
	return out
}

// writeJSONLine writes v as one line. HTML escaping is off so that URLs keep their
// '&' and a script sees the same characters the API sent.
func writeJSONLine(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
