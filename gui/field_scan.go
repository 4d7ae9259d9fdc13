package gui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/ocard-desk/ocard-desk/service"
)

// fieldScan notices a scan typed into a text field (a settings field, the points to
// redeem) rather than into the number entry. A cashier who scans a customer's phone
// expects a lookup, not digits in the API address or a points amount: the scanned
// characters are taken back out of the field they went into, and onScan decides what
// the scan means (desk.onScanInSettings, or a lookup).
//
// A scan is told from typing the way the number entry tells it (entry.go): at least
// minSettingsScan characters, on average no more than scanMeanGap apart, then Enter
// or Tab at once, or, for a mobile number, nothing more for scanQuiet.
type fieldScan struct {
	d *desk
	// onScan is handed a scan; onEscape is Esc. open reports whether the fields this
	// scanner watches are still on screen (a quiet timer may fire after they went).
	onScan   func(text string)
	onEscape func()
	open     func() bool

	target      fyne.Focusable // where the burst's characters went (nil: nowhere)
	before      string         // that field's text before the burst
	text        []rune
	first, last time.Time
	seq         uint64 // changes with every character and key
}

// minSettingsScan is the shortest code taken for a scan here: the shortest thing a
// cashier scans is an 8-character carrier; a person does not type 6 characters this fast.
const minSettingsScan = 6

func (s *fieldScan) reset() {
	s.target, s.before, s.text = nil, "", nil
	s.seq++
}

func (s *fieldScan) typedRune(from inputSource, w fyne.Focusable, ch rune) {
	d := s.d
	now := d.now()
	if len(s.text) > 0 && (now.Sub(s.last) > scanMaxPause || w != s.target) {
		s.reset()
	}
	field, isField := w.(*routedEntry)
	if len(s.text) == 0 {
		s.first, s.target = now, w
		if isField {
			s.before = field.Text
		}
	}
	s.text = append(s.text, ch)
	s.last = now
	s.seq++
	if isField && from == fromField {
		field.typeRune(ch) // typing, as far as anyone can tell yet
	}
	if s.looksScanned() {
		if _, err := service.NormaliseMobile(string(s.text)); err == nil {
			seq := s.seq
			d.after(scanQuiet, func() {
				if s.open() && s.seq == seq {
					s.finish()
				}
			})
		}
	}
}

// typedKey: Esc is onEscape (Settings: close without saving, as About closes); Enter or
// Tab right after a burst ends a scan; an editing key means the burst was typing.
func (s *fieldScan) typedKey(_ inputSource, _ fyne.Focusable, ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		s.reset()
		s.onEscape()
		return true
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		if s.looksScanned() && s.d.now().Sub(s.last) <= scanMaxPause {
			s.finish()
			return true
		}
		s.reset()
	default:
		if burstEndingKeys[ev.Name] {
			s.reset()
		}
	}
	return false
}

func (s *fieldScan) looksScanned() bool {
	n := len(s.text)
	return n >= minSettingsScan && s.last.Sub(s.first) <= scanMeanGap*time.Duration(n-1)
}

// finish takes the scan back out of the field it went into and hands it to the desk.
func (s *fieldScan) finish() {
	text := string(s.text)
	if field, ok := s.target.(*routedEntry); ok {
		field.SetText(s.before)
	}
	s.reset()
	s.onScan(text)
}
