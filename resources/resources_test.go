package resources

import (
	"bytes"
	"image"
	_ "image/png"
	"io/fs"
	"testing"

	"golang.org/x/image/font/sfnt"
)

// TestIconAtGivesTheSizeAsked: each ready size decodes to that size, and a size in
// between gets the next larger one, so the window only ever scales down a little.
func TestIconAtGivesTheSizeAsked(t *testing.T) {
	cases := map[int]int{1: 16, 16: 16, 17: 22, 32: 32, 33: 48, 96: 128, 128: 128, 200: 256, 512: 512, 4096: 512}
	for px, want := range cases {
		img, _, err := image.Decode(bytes.NewReader(IconAt(px).Content()))
		if err != nil {
			t.Fatalf("IconAt(%d): %v", px, err)
		}
		if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
			t.Errorf("IconAt(%d) is %v, want %d×%d", px, b, want, want)
		}
	}
}

// TestIconSizesListsEveryCommittedSize: a size added by .ci/package/icons but not to
// IconSizes would never be used.
func TestIconSizesListsEveryCommittedSize(t *testing.T) {
	dirs, err := fs.Glob(hicolor, "icons/hicolor/*/apps/tw.ocard.desk.png")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(IconSizes) {
		t.Errorf("%d icon sizes are committed, IconSizes lists %d: %q", len(dirs), len(IconSizes), dirs)
	}
}

// TestFontDrawsTaiwaneseNames: the bundled font is what draws Chinese on a PC with no
// CJK font. Besides Big5 it must have the name characters Big5 lacks (make-subset.py's
// NAME_CHARS): without them a member 游錫堃 showed as 游錫□ there.
func TestFontDrawsTaiwaneseNames(t *testing.T) {
	f, err := sfnt.Parse(fontOTF)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, r := range "堃煊喆峯羣珏畑珉犇綉凃温栢晧媖啓鳯寗琹瑈彣珷瑨琸菓着麯邨頔譞瓈黄" + // outside Big5
		"陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温唐藍蔣石古紀姚連馮歐程湯黄田康姜白汪鄒尤巫鐘黎涂龔嚴韓袁金童陸夏柳凃邵錢伍倪溫于譚駱熊任甘秦顧毛章史官萬俞雷粘饒張簡歐陽司馬諸葛" + // the common surnames
		"點數會員贈品到期集點電子發票載具" { // and the desk's own words
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			t.Errorf("the font has no glyph for %c (U+%04X): %v", r, r, err)
		}
	}
}
