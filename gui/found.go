package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/ocard-desk/ocard-desk/service"
)

// foundPanel is the "found" state: the member card on the left; the carrier codes over
// the expiring points on the right.
type foundPanel struct {
	box      *fyne.Container
	card     *memberCard
	expiring *expiringList
	carrier  *carrierView
}

func newFoundPanel(d *desk) *foundPanel {
	p := &foundPanel{card: newMemberCard(d.placeholderAvatar, newDeskButton(tr("member.rewards"), theme.MenuIcon(), d.onOpenRewards, d.router)), expiring: newExpiringList(),
		carrier: newCarrierView(d.onCopyCarrier, d.router, d.canvasScale)}
	expTitle := widget.NewLabel(tr("member.expiring"))
	// Room for at least two entries even at the window's minimum size; more scroll.
	expScroll := container.New(&sizedLayout{height: 100}, container.NewVScroll(p.expiring.list))
	expiring := container.NewBorder(expTitle, nil, nil, nil, expScroll)
	// Space the window has beyond the minimum goes mostly to the carrier codes, so that
	// they grow with the screen (codesLayout).
	right := container.New(&shareLayout{vertical: true, weights: []float32{3, 1}}, card(p.carrier.box), card(expiring))
	p.box = container.New(&reflowLayout{weights: [2]float32{2, 3}}, p.card.box, right)
	p.expiring.now = d.now
	return p
}

// refresh shows m's member. Outside the found state it empties every widget, so no
// member's data lingers in a hidden panel.
func (p *foundPanel) refresh(m *deskModel) {
	member := m.member
	if m.state != stateFound {
		member = service.Member{}
	}
	p.card.refresh(member, m.mobile)
	if m.state == stateFound && m.avatar != nil {
		p.card.showAvatar(m.avatar)
	}
	p.expiring.refresh(member.Card)
	p.carrier.refresh(member.Carrier)
}
