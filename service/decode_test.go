package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }

// seedMember is what the seed's first example (testdata/seed-member.json) means.
func seedMember() Member {
	return Member{
		ID:        "-JR04E188",
		Name:      "Chien YH",
		Mobile:    "0903515908",
		GroupID:   "01",
		GroupName: "VIP_LV1 測試",
		AvatarURL: "https://d3egcl3bvwgcig.cloudfront.net/user/51eed9112f1c1d944d3f4a257b9cc187_m.jpg",
		Carrier:   Carrier{Code: "/XXX1XXX", Valid: true},
		Card: &PointCard{
			Points: 14518, Spent: 1579, Convert: "100", AvailableGifts: 10,
			Title: "電子集點", Content: "電子集點",
			Expiring: []ExpiringPoints{{Date: day(2026, 12, 31), DateText: "2026/12/31", Points: 14488}},
		},
	}
}

// Small builders for the table: a member object and a body around it.
const testMemberJSON = `{"id":"M1","name":"Amy","mobile":"0912345678","group_id":"01","group_name":"VIP","head_image":"https://img.example/a.jpg","carrier":"/ABC+-.9"}`

func body(member, card string) string {
	return `{"member":` + member + `,"point_card":` + card + `}`
}

func cardJSON(fields string) string {
	return `{"point":"5","spend":"1","convert":"100","available_gift_count":"2","title":"T","content":"C"` + fields + `}`
}

func testMember(card *PointCard) Member {
	return Member{ID: "M1", Name: "Amy", Mobile: "0912345678", GroupID: "01", GroupName: "VIP",
		AvatarURL: "https://img.example/a.jpg", Carrier: Carrier{Code: "/ABC+-.9", Valid: true}, Card: card}
}

func testCard(exp ...ExpiringPoints) *PointCard {
	return &PointCard{Points: 5, Spent: 1, Convert: "100", AvailableGifts: 2, Title: "T", Content: "C", Expiring: exp}
}

type decodeCase struct {
	name    string
	body    string
	want    Member
	wantErr error // ErrNotMember or ErrMalformed
}

func readSeed(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decodeCases(t testing.TB) []decodeCase {
	noExpire := seedMember()
	noExpire.Carrier = Carrier{}
	noExpire.Card.Expiring = nil
	ep := func(d time.Time, text string, n int64) ExpiringPoints {
		return ExpiringPoints{Date: d, DateText: text, Points: n}
	}
	return []decodeCase{
		// The seed's three examples, verbatim.
		{name: "seed member", body: readSeed(t, "seed-member.json"), want: seedMember()},
		{name: "seed member without expire", body: readSeed(t, "seed-member-no-expire.json"), want: noExpire},
		{name: "seed not a member", body: readSeed(t, "seed-not-member.json"), wantErr: ErrNotMember},

		// expire in every shape.
		{name: "expire array sorted, undated last in order", body: body(testMemberJSON, cardJSON(
			`,"expire":[{"date":"soon","point":3},{"date":"2027/01/05","point":"7"},{"date":null,"point":4},{"date":"2026-03-01","point":9}]`)),
			want: testMember(testCard(ep(day(2026, 3, 1), "2026-03-01", 9), ep(day(2027, 1, 5), "2027/01/05", 7),
				ep(time.Time{}, "soon", 3), ep(time.Time{}, "", 4)))},
		{name: "expire single object", body: body(testMemberJSON, cardJSON(`,"expire":{"date":"2026/1/5","point":14488}`)),
			want: testMember(testCard(ep(day(2026, 1, 5), "2026/1/5", 14488)))},
		{name: "expire with time of day", body: body(testMemberJSON, cardJSON(`,"expire":[{"date":"2026/12/31 23:59:59","point":1}]`)),
			want: testMember(testCard(ep(day(2026, 12, 31), "2026/12/31 23:59:59", 1)))},
		{name: "expire null", body: body(testMemberJSON, cardJSON(`,"expire":null`)), want: testMember(testCard())},
		{name: "expire absent", body: body(testMemberJSON, cardJSON(``)), want: testMember(testCard())},
		{name: "expire empty array", body: body(testMemberJSON, cardJSON(`,"expire":[]`)), want: testMember(testCard())},
		{name: "expire empty string", body: body(testMemberJSON, cardJSON(`,"expire":""`)), want: testMember(testCard())},
		{name: "expire null and empty entries skipped", body: body(testMemberJSON, cardJSON(`,"expire":[null,{},{"date":null,"point":null}]`)),
			want: testMember(testCard())},
		{name: "expire unparseable date kept as text", body: body(testMemberJSON, cardJSON(`,"expire":{"date":"31/12/2026","point":"2"}`)),
			want: testMember(testCard(ep(time.Time{}, "31/12/2026", 2)))},
		{name: "expire number", body: body(testMemberJSON, cardJSON(`,"expire":5`)), wantErr: ErrMalformed},
		{name: "expire word", body: body(testMemberJSON, cardJSON(`,"expire":"none"`)), wantErr: ErrMalformed},
		{name: "expire array of strings", body: body(testMemberJSON, cardJSON(`,"expire":["2026/12/31"]`)), wantErr: ErrMalformed},

		// Numeric fields.
		{name: "numbers as JSON numbers", body: body(testMemberJSON, `{"point":5,"spend":1,"convert":100,"available_gift_count":2,"title":"T","content":"C"}`),
			want: testMember(testCard())},
		{name: "numbers with spaces", body: body(testMemberJSON, `{"point":" 5 ","spend":"1\t","convert":"100","available_gift_count":" 2","title":"T","content":"C"}`),
			want: testMember(testCard())},
		{name: "numbers empty and null", body: body(testMemberJSON, `{"point":"","spend":null,"available_gift_count":"  "}`),
			want: testMember(&PointCard{})},
		{name: "integral float spellings", body: body(testMemberJSON, `{"point":5.0,"spend":"1e0","convert":"100","available_gift_count":"2.00","title":"T","content":"C"}`),
			want: testMember(testCard())},
		{name: "negative points", body: body(testMemberJSON, `{"point":"-3"}`), want: testMember(&PointCard{Points: -3})},
		{name: "fractional number", body: body(testMemberJSON, `{"point":1.5}`), wantErr: ErrMalformed},
		{name: "fractional string", body: body(testMemberJSON, `{"spend":"1.5"}`), wantErr: ErrMalformed},
		{name: "non-numeric string", body: body(testMemberJSON, `{"point":"many"}`), wantErr: ErrMalformed},
		{name: "thousands separator", body: body(testMemberJSON, `{"point":"14,518"}`), wantErr: ErrMalformed},
		{name: "infinity string", body: body(testMemberJSON, `{"point":"Inf"}`), wantErr: ErrMalformed},
		{name: "huge number", body: body(testMemberJSON, `{"point":1e30}`), wantErr: ErrMalformed},
		{name: "bool number", body: body(testMemberJSON, `{"available_gift_count":true}`), wantErr: ErrMalformed},
		{name: "object number", body: body(testMemberJSON, `{"point":{}}`), wantErr: ErrMalformed},
		{name: "expire point fractional", body: body(testMemberJSON, cardJSON(`,"expire":{"date":"2026/12/31","point":0.5}`)), wantErr: ErrMalformed},

		// String fields.
		{name: "strings as numbers and null", body: body(`{"id":123,"name":null,"mobile":"0912345678","group_id":1,"group_name":2.5,"carrier":null}`, `null`),
			want: Member{ID: "123", Mobile: "0912345678", GroupID: "1", GroupName: "2.5"}},
		{name: "string field bool", body: body(`{"id":true}`, `null`), wantErr: ErrMalformed},
		{name: "string field array", body: body(`{"id":"M1","name":["Amy"]}`, `null`), wantErr: ErrMalformed},
		{name: "invalid carrier kept, not valid", body: body(`{"id":"M1","carrier":"/abc1234"}`, `null`),
			want: Member{ID: "M1", Carrier: Carrier{Code: "/abc1234"}}},
		{name: "only a carrier is still a member", body: body(`{"carrier":"/ABCDEFG"}`, `null`),
			want: Member{Carrier: Carrier{Code: "/ABCDEFG", Valid: true}}},
		{name: "unknown fields ignored", body: `{"v":2,"member":{"id":"M1","tier":{"x":[1]}},"point_card":{"point":"1","stamp":[]},"coupon_list":[]}`,
			want: Member{ID: "M1", Card: &PointCard{Points: 1}}},
		{name: "byte order mark", body: "\ufeff" + body(`{"id":"M1"}`, `null`), want: Member{ID: "M1"}},

		// Member and card presence.
		{name: "point_card null", body: body(testMemberJSON, `null`), want: testMember(nil)},
		{name: "point_card absent", body: `{"member":` + testMemberJSON + `}`, want: testMember(nil)},
		{name: "point_card array", body: body(testMemberJSON, `[]`), wantErr: ErrMalformed},
		{name: "member null", body: body(`null`, `null`), wantErr: ErrNotMember},
		{name: "member empty object", body: body(`{}`, `null`), wantErr: ErrNotMember},
		{name: "member all empty strings", body: body(`{"id":"","name":" ","mobile":"","head_image":""}`, `null`), wantErr: ErrNotMember},
		{name: "member all null with a card", body: body(`{"id":null,"name":null}`, cardJSON(``)), wantErr: ErrNotMember},
		{name: "member a string", body: body(`"M1"`, `null`), wantErr: ErrMalformed},

		// Not an answer at all.
		{name: "empty body", body: ``, wantErr: ErrMalformed},
		{name: "white space", body: " \r\n", wantErr: ErrMalformed},
		{name: "array", body: `[` + body(testMemberJSON, `null`) + `]`, wantErr: ErrMalformed},
		{name: "string", body: `"member"`, wantErr: ErrMalformed},
		{name: "null", body: `null`, wantErr: ErrMalformed},
		{name: "number", body: `200`, wantErr: ErrMalformed},
		{name: "HTML", body: `<html><body>502 Bad Gateway</body></html>`, wantErr: ErrMalformed},
		{name: "truncated", body: `{"member":{"id":"M1"`, wantErr: ErrMalformed},
		{name: "trailing garbage", body: body(testMemberJSON, `null`) + `x`, wantErr: ErrMalformed},
		{name: "object without member", body: `{}`, wantErr: ErrMalformed},
		{name: "object with only point_card", body: `{"point_card":` + cardJSON(``) + `}`, wantErr: ErrMalformed},
	}
}

func TestDecodeMember(t *testing.T) {
	for _, tc := range decodeCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeMember([]byte(tc.body))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !reflect.DeepEqual(got, Member{}) {
					t.Errorf("member = %+v alongside an error, want zero", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", dumpMember(got), dumpMember(tc.want))
			}
		})
	}
}

func TestDecodeMemberMalformedIsTyped(t *testing.T) {
	_, err := DecodeMember([]byte(body(testMemberJSON, `{"point":"many"}`)))
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindMalformed || e.Op != "decode" {
		t.Fatalf("err = %#v, want *Error KindMalformed Op decode", err)
	}
	if !strings.Contains(e.Detail, "point_card.point") {
		t.Errorf("detail %q does not name the field", e.Detail)
	}
}

func dumpMember(m Member) string {
	s := fmt.Sprintf("%+v", m)
	if m.Card != nil {
		s += fmt.Sprintf(" card=%+v", *m.Card)
	}
	return s
}

// TestLookupMemberShapes sends every decoder case over real HTTP through one
// client, which also shows that one token serves many lookups.
func TestLookupMemberShapes(t *testing.T) {
	var current atomic.Value
	tn := newTenant(t, nil, func(w http.ResponseWriter, r *http.Request, n int64) {
		if got := r.Header.Get("Authorization"); got != bearer(1) {
			t.Errorf("lookup %d used %q", n, got)
		}
		replyBody(current.Load().(string))(w, r, n)
	})
	c := tn.client(t, nil)
	cases := decodeCases(t)
	for _, tc := range cases {
		current.Store(tc.body)
		m, err := c.LookupMember(context.Background(), testShop, testMobile)
		switch {
		case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		case tc.wantErr == nil && (err != nil || !reflect.DeepEqual(m, tc.want)):
			t.Errorf("%s: got %s, %v", tc.name, dumpMember(m), err)
		}
	}
	tn.wantHits(t, c, 1, int64(len(cases)))
}

// FuzzDecodeMember checks that no body makes the decoder panic, that it answers as
// the reference (layered) decoder does, and that what it returns is self-consistent. `go test` runs the seeds: the table above.
func FuzzDecodeMember(f *testing.F) {
	for _, tc := range decodeCases(f) {
		f.Add([]byte(tc.body))
	}
	for _, b := range referenceOnlyCases {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMember(b)
		refM, refErr := decodeMemberReference(b)
		if diff := sameDecodeResult(m, err, refM, refErr); diff != "" {
			t.Fatalf("differs from the reference decoder:\n%s", diff)
		}
		if err != nil {
			if !errors.Is(err, ErrNotMember) && KindOf(err) != KindMalformed {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if allBlank(m.ID, m.Name, m.Mobile, m.GroupID, m.GroupName, m.AvatarURL, m.Carrier.Code) {
			t.Fatalf("blank member returned without ErrNotMember: %+v", m)
		}
		if m.Carrier.Valid != ValidCarrier(m.Carrier.Code) {
			t.Fatalf("carrier validity wrong: %+v", m.Carrier)
		}
		if m.Card == nil {
			return
		}
		exp := m.Card.Expiring
		for i := 1; i < len(exp); i++ {
			a, b := exp[i-1], exp[i]
			if a.Date.IsZero() && !b.Date.IsZero() || !a.Date.IsZero() && !b.Date.IsZero() && b.Date.Before(a.Date) {
				t.Fatalf("expiring not sorted: %+v", exp)
			}
		}
	})
}

// referenceOnlyCases are bodies that matter to the single-pass decoder's
// equivalence with the layered one rather than to the API: key case, duplicate
// keys, escapes in keys and values, invalid UTF-8, deep unknown fields.
var referenceOnlyCases = []string{
	`{"Member":{"ID":"M1","NAME":"Amy"},"POINT_CARD":{"Point":"3"}}`,
	`{"member":{"id":"M1","id":"M2"},"member":{"name":"Bea"},"point_card":null,"point_card":{"point":1,"point":2}}`,
	`{"\u006dember":{"n\u0061me":"Amy \u00e9\ud83d\ude00 \ud800 \"q\" \\ \/","id":"\u0000"}}`,
	"{\"member\":{\"name\":\"bad \xff\xfe utf8\",\"id\":\"\xe9\"},\"point_card\":{\"title\":\"\xc3\"}}",
	`{"member":{"id":"M1","x":[[[[[[[[[[{"y":[{"z":{}}]}]]]]]]]]]]},"point_card":{"expire":[{"date":"2026/1/2","point":"1","date":"2026/1/3"}]}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":" \t "}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":"\u0020"}}`,
	`{"member":{"id":-0.0e+0,"name":1E400},"point_card":{"point":-0,"spend":"0e5","available_gift_count":"9007199254740993"}}`,
	`{"member":{"id":"M1"},"point_card":{"point":9007199254740993,"spend":1e15}}`,
	`{"member":{"id":"M1"},"point_card":{"point":"\u0035"}}`,
	`{"member":{"id":"M1","mobile":"1"},"point_card":{"ſpend":"4","\u017fpend":"5","POİNT":"6"}}`,
	"  \ufeff{\"member\":{\"id\":\"M1\"}}  ",
	`{"member":{"id":"M1"}}{"member":{}}`,
	`{"member":{"id":"M1",}}`,
	`{"member":{"id":'M1'}}`,
	`{"member":{"id":01}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":[{"date":"2026/1/2","point":1},]}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":[1,{"date":"2026/1/2"}]}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":[null,null]}}`,
	`{"member":{"id":"tab` + "\t" + `"}}`,
	`{"member":{"id":"M1"},"point_card":{"expire":{"point":"2"},"title":"\ud83d"}}`,
}

// sameDecodeResult reports how two DecodeMember results differ, or "".
func sameDecodeResult(got Member, gotErr error, want Member, wantErr error) string {
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return fmt.Sprintf("err = %v, reference %v", gotErr, wantErr)
	case errors.Is(wantErr, ErrNotMember) != errors.Is(gotErr, ErrNotMember):
		return fmt.Sprintf("err = %v, reference %v", gotErr, wantErr)
	case wantErr != nil && !errors.Is(wantErr, ErrNotMember):
		var g, w *Error
		if !errors.As(gotErr, &g) || !errors.As(wantErr, &w) || g.Kind != w.Kind || g.Detail != w.Detail {
			return fmt.Sprintf("err = %#v, reference %#v", gotErr, wantErr)
		}
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("got %s\nreference %s", dumpMember(got), dumpMember(want))
	}
	return ""
}

// TestDecodeMemberMatchesReference holds the single-pass decoder to the layered
// one it replaced, answer for answer and error for error.
func TestDecodeMemberMatchesReference(t *testing.T) {
	bodies := referenceOnlyCases
	for _, tc := range decodeCases(t) {
		bodies = append(bodies, tc.body)
	}
	for _, b := range bodies {
		got, gotErr := DecodeMember([]byte(b))
		want, wantErr := decodeMemberReference([]byte(b))
		if diff := sameDecodeResult(got, gotErr, want, wantErr); diff != "" {
			t.Errorf("body %q:\n%s", b, diff)
		}
	}
}
