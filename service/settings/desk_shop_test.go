package settings

import "testing"

// One file for all desks: each desk keeps the shop it chose; default_shop is for a
// desk that never chose; a flag or the environment pins the desk; a lock does not
// stop a desk choosing among the listed shops.
func TestDeskShopWinsOverTheFilesDefault(t *testing.T) {
	shops := []Shop{{ID: "000030", Name: "信義店"}, {ID: "000031", Name: "中山店"}}
	prov := &Provision{Path: "/opt/ocard-desk.json", Locked: true,
		Present:  map[Field]bool{FieldShops: true, FieldDefaultShop: true},
		Settings: Settings{Shops: shops, CurrentShop: "000030"}}
	resolve := func(deskShop string, env Layer) Resolved {
		r := Resolve(Layer{Present: map[Field]bool{}}, env, prov, Defaults(), "")
		r.applyDeskShop(deskShop)
		return r
	}
	noEnv := Layer{Present: map[Field]bool{}}
	if r := resolve("", noEnv); r.Settings.CurrentShop != "000030" || r.Locked[FieldDefaultShop] {
		t.Errorf("never chose: shop %s, locked %v", r.Settings.CurrentShop, r.Locked[FieldDefaultShop])
	}
	if r := resolve("000031", noEnv); r.Settings.CurrentShop != "000031" || r.Sources[FieldDefaultShop] != SourceSaved {
		t.Errorf("chose 000031: shop %s from %s", r.Settings.CurrentShop, r.Sources[FieldDefaultShop])
	}
	if r := resolve("000099", noEnv); r.Settings.CurrentShop != "000030" {
		t.Errorf("chose a shop no longer listed: shop %s", r.Settings.CurrentShop)
	}
	pinned := Layer{Present: map[Field]bool{FieldDefaultShop: true}, Settings: Settings{CurrentShop: "000030"}}
	if r := resolve("000031", pinned); r.Settings.CurrentShop != "000030" {
		t.Errorf("pinned by the environment: shop %s", r.Settings.CurrentShop)
	}
	kv := &MemoryKV{}
	SaveDeskShop(kv, " 000031 ")
	if got := LoadDeskShop(kv); got != "000031" {
		t.Errorf("saved %q", got)
	}
}
