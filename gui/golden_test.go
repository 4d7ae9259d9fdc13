package gui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/ocard-desk/ocard-desk/service"
)

// Golden tests: every state of the window, in both languages, as Fyne markup under
// testdata/. After an intended change, regenerate with
//
//	go test ./gui -run Golden
//
// writes the actual markup or image of each mismatch to testdata/failed/; review it and
// copy it over the master.

var languages = []string{LangEnglish, LangZhTW}

func TestGoldenIdle(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{})
			test.AssertRendersToMarkup(t, "idle_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenIdleDemo(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Demo: true, DemoNumbers: []DemoNumber{
				{Mobile: "0903123123", Label: "Member"}, {Mobile: "0900000002", Label: "Server error"},
			}})
			test.AssertRendersToMarkup(t, "idle_demo_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenLoading(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{})
			gate := make(chan struct{})
			defer close(gate)
			h.lookup.set("0903123123", reply{member: sampleMember(), gate: gate})
			h.submit("0903123123")
			h.waitState(stateLoading)
			test.AssertRendersToMarkup(t, "loading_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenFound(t *testing.T) {
	noCarrier := sampleMember()
	noCarrier.Carrier = service.Carrier{}
	badCarrier := sampleMember()
	badCarrier.Carrier = service.Carrier{Code: "ABC123", Valid: false}
	noCard := sampleMember()
	noCard.Card = nil
	noExpiry := sampleMember()
	noExpiry.Card.Expiring = nil
	longName := sampleMember()
	longName.Name = "歐陽詠琪・司馬長風・諸葛青雲"
	longName.Card.Points = 9876543
	cases := map[string]service.Member{
		"found": sampleMember(), "found_no_carrier": noCarrier, "found_invalid_carrier": badCarrier,
		"found_no_card": noCard, "found_no_expiry": noExpiry, "found_long_name": longName,
	}
	for name, member := range cases {
		for _, l := range languages {
			t.Run(name+"/"+l, func(t *testing.T) {
				h := newHarness(t, l, Options{})
				h.lookup.set("0903123123", reply{member: member})
				h.submit("0903123123")
				h.waitState(stateFound)
				test.AssertRendersToMarkup(t, name+"_"+l+".xml", h.d.win.Canvas())
			})
		}
	}
}

func TestGoldenNotMember(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{})
			h.submit("0999 888 777")
			h.waitState(stateNotMember)
			test.AssertRendersToMarkup(t, "not_member_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenInvalid(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{})
			h.submit("12345")
			h.waitState(stateInvalid)
			test.AssertRendersToMarkup(t, "invalid_"+l+".xml", h.d.win.Canvas())
		})
	}
}

func TestGoldenErrors(t *testing.T) {
	cases := map[string]error{
		"network":   &service.Error{Kind: service.KindNetwork, Op: "lookup"},
		"timeout":   &service.Error{Kind: service.KindTimeout, Op: "lookup"},
		"auth":      &service.Error{Kind: service.KindAuth, Op: "token", StatusCode: 401},
		"server":    &service.Error{Kind: service.KindServer, Op: "lookup", StatusCode: 500},
		"malformed": &service.Error{Kind: service.KindMalformed, Op: "lookup"},
		"unknown":   errors.New("boom"),
	}
	for name, err := range cases {
		for _, l := range languages {
			t.Run(name+"/"+l, func(t *testing.T) {
				h := newHarness(t, l, Options{})
				h.lookup.set("0903123123", reply{err: err})
				h.submit("0903123123")
				h.waitState(stateError)
				test.AssertRendersToMarkup(t, fmt.Sprintf("error_%s_%s.xml", name, l), h.d.win.Canvas())
			})
		}
	}
}

func TestGoldenNotConfigured(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{SetupProblem: &service.Error{Kind: service.KindConfig, Field: "base_url"}})
			test.AssertRendersToMarkup(t, "error_config_"+l+".xml", h.d.win.Canvas())
		})
	}
}

// TestGoldenFoundImage renders the found state to pixels: it proves the bundled font
// draws Chinese (a missing glyph would differ from the master) and that the codes are
// on screen, on any machine, CJK fonts installed or not.
func TestGoldenFoundImage(t *testing.T) {
	for _, l := range languages {
		t.Run(l, func(t *testing.T) {
			h := newHarness(t, l, Options{Avatars: &fakeAvatars{img: solidImage(color.NRGBA{0x33, 0x99, 0xcc, 0xff})}})
			h.lookup.set("0903123123", reply{member: sampleMember()})
			h.submit("0903123123")
			h.waitState(stateFound)
			h.runNext() // the avatar
			test.AssertImageMatches(t, "found_"+l+".png", h.d.win.Canvas().Capture())
		})
	}
}

func solidImage(c color.Color) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

// lightTheme forces the light variant, which Fyne's test app does not use by default.
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

// TestGoldenFoundLight renders the found state in the light theme: the codes must stay
// black on white and every text readable on a light background.
func TestGoldenFoundLight(t *testing.T) {
	h := newHarness(t, LangZhTW, Options{Demo: true})
	test.ApplyTheme(t, lightTheme{Theme()})
	h.lookup.set("0903123123", reply{member: sampleMember()})
	h.submit("0903123123")
	h.waitState(stateFound)
	test.AssertImageMatches(t, "found_light_zh-TW.png", h.d.win.Canvas().Capture())
}
