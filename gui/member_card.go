package gui

import (
	"image"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// memberCard is who the member is and what their point card holds: avatar, name,
// tier, member id and masked number; points, points used, conversion ratio, gifts and
// the card's title and content.
type memberCard struct {
	box *fyne.Container
	// placeholder is the image shown until the member's avatar arrives, at its size on
	// screen (desk.placeholderAvatar).
	placeholder func() image.Image

	avatar   *canvas.Image
	name     *widget.Label
	memberID *widget.Label
	mobile   *widget.Label
	tier     *widget.Label

	points        *widget.Label
	pointsCaption *widget.Label
	noCard        *widget.Label
	cardDetails   *fyne.Container
	spent         *widget.Label
	convert       *widget.Label
	gifts         *widget.Label
	cardTitle     *widget.Label
	cardContent   *widget.Label
	rewards       *deskButton // opens the Rewards view (F2)
}

func newMemberCard(placeholder func() image.Image, rewards *deskButton) *memberCard {
	w := &memberCard{placeholder: placeholder, rewards: rewards}
	w.avatar = canvas.NewImageFromImage(placeholder())
	w.avatar.FillMode = canvas.ImageFillContain
	w.avatar.SetMinSize(fyne.NewSize(avatarSide, avatarSide))
	w.name = widget.NewLabel("")
	w.name.SizeName = theme.SizeNameHeadingText
	w.name.Truncation = fyne.TextTruncateEllipsis
	w.memberID = widget.NewLabel("")
	w.mobile = widget.NewLabel("")
	w.tier = widget.NewLabel("")
	w.tier.Importance = widget.HighImportance
	identity := container.NewBorder(nil, nil, container.NewCenter(w.avatar), nil,
		container.NewVBox(w.name, w.tier, w.memberID, w.mobile))

	w.pointsCaption = widget.NewLabel(tr("member.points"))
	w.points = widget.NewLabel("")
	w.points.SizeName = sizeNamePoints
	w.points.Importance = widget.HighImportance
	w.noCard = widget.NewLabel(tr("member.no_card"))
	w.noCard.Importance = widget.LowImportance
	w.spent, w.convert, w.gifts = widget.NewLabel(""), widget.NewLabel(""), widget.NewLabel("")
	w.cardTitle = widget.NewLabel("")
	w.cardContent = widget.NewLabel("")
	w.cardContent.Wrapping = fyne.TextWrapWord
	// One figure a line: side by side they ran together in a narrow column.
	w.cardDetails = container.NewVBox(w.spent, w.convert, w.gifts, w.cardTitle, w.cardContent)
	// The Rewards button beside the caption, not under the card's details: at 1024×600 it
	// was below the fold, and a cashier who does not scroll never saw it.
	points := container.NewVBox(container.NewBorder(nil, nil, nil, rewards, w.pointsCaption), w.points, w.noCard, w.cardDetails)
	w.box = container.NewBorder(card(identity), nil, nil, nil, card(points))
	return w
}

// refresh shows m; mobile is the number looked up, shown masked when m has none.
func (w *memberCard) refresh(m service.Member, mobile string) {
	// Only when needed. (Comparing Resource and Image == nil, as before, never skipped:
	// Refresh stores the decoded PNG in Image.)
	if placeholder := w.placeholder(); w.avatar.Image != placeholder || w.avatar.Resource != nil {
		w.avatar.Resource, w.avatar.Image = nil, placeholder
		w.avatar.Refresh()
	}
	// Text from the member system is shown with control and bidi-override characters
	// escaped: a hostile name must not reorder the rest of the line (service.Printable).
	safe := service.Printable
	w.name.SetText(safe(orDash(m.Name)))
	w.memberID.SetText(tr("member.id", map[string]any{"ID": safe(orDash(m.ID))}))
	w.mobile.SetText(tr("member.mobile", map[string]any{"Mobile": service.MaskMobile(firstNonEmpty(m.Mobile, mobile))}))
	w.tier.SetText(safe(orDash(m.GroupName)))
	w.refreshPoints(m.Card)
}

func (w *memberCard) refreshPoints(c *service.PointCard) {
	if c == nil {
		w.points.SetText("—")
		w.noCard.Show()
		w.cardDetails.Hide()
		// Hidden is not gone: empty the labels so no member data stays in the widgets.
		for _, l := range []*widget.Label{w.spent, w.convert, w.gifts, w.cardTitle, w.cardContent} {
			l.SetText("")
		}
		return
	}
	w.noCard.Hide()
	w.cardDetails.Show()
	w.points.SetText(groupDigits(c.Points))
	w.spent.SetText(tr("member.spent", map[string]any{"N": groupDigits(c.Spent)}))
	w.convert.SetText(tr("member.convert", map[string]any{"N": service.Printable(orDash(c.Convert))}))
	w.gifts.SetText(tr("member.gifts", map[string]any{"N": groupDigits(c.AvailableGifts)}))
	w.cardTitle.SetText(service.Printable(c.Title))
	// Many cards repeat the title as the content ("電子集點" twice): say it once.
	content := c.Content
	if strings.TrimSpace(content) == strings.TrimSpace(c.Title) {
		content = ""
	}
	w.cardContent.SetText(service.Printable(content))
	showIf(w.cardContent, content != "")
}

// showAvatar shows img, already scaled to the avatar's size on screen (desk.loadAvatar):
// Fyne scales an image to its on-screen size again at every refresh of it, and the
// desk refreshes the whole window at every state change, which with a 256-pixel image
// was about 2 MB of scaling buffers per lookup.
func (w *memberCard) showAvatar(img image.Image) {
	w.avatar.Resource, w.avatar.Image = nil, img
	w.avatar.Refresh()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// groupDigits formats 14518 as "14,518": points are read across a counter.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}
