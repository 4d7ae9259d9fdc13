#!/usr/bin/python3
"""Cuts Noto Sans CJK TC Regular down to the Big5 (cp950) repertoire plus Latin, and the
few characters of Taiwanese names that Big5 lacks (NAME_CHARS).

Why: Fyne cannot load a .ttc collection, and the full TC face is ~16 MB. Big5 covers
nearly everything a Taiwanese member name, shop name or point-card text uses; the names
that it does not are why NAME_CHARS exists (a member 游錫堃 showed as 游錫□ on a PC with
no CJK font of its own).
Run on Debian with fonts-noto-cjk and python3-fonttools installed:
    /usr/bin/python3 resources/font/make-subset.py
With Debian 12's fonts-noto-cjk 1:20220127 and python3-fonttools 4.38 the output is the
committed .otf byte for byte.
"""
import os
from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TC_INDEX = 3  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NotoSansTC-Regular-Big5.otf")

codepoints = set(range(0x20, 0x7F)) | set(range(0xA0, 0x250))
codepoints |= set(range(0x2000, 0x2070)) | set(range(0x2190, 0x2200))  # punctuation, arrows
codepoints |= set(range(0x2460, 0x2500)) | set(range(0x25A0, 0x2600))  # circled numbers, shapes
codepoints |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))  # CJK punctuation, full-width
codepoints.add(0x30FB)  # ・ katakana middle dot: separates the parts of transliterated names
for lead in range(0x81, 0xFF):
    for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
        try:
            ch = bytes([lead, trail]).decode("cp950")
        except UnicodeDecodeError:
            continue
        codepoints.update(ord(c) for c in ch)

# Characters of Taiwanese given names and surnames outside Big5, which household registers
# use and old Big5 systems could not type: those Taiwanese writing on the Big5 gap names
# (堃 煊 喆 峯 羣 珏 畑 珉), and other variants seen in names and shop signs; and 黄, the
# form of the surname 黃 that many phone keyboards type. Each costs about 210 bytes.
# resources_test.go checks the font has them.
NAME_CHARS = "堃煊喆峯羣珏畑珉犇綉凃温栢晧媖啓鳯寗琹瑈彣珷瑨琸菓着麯邨頔譞瓈黄"
codepoints.update(ord(c) for c in NAME_CHARS)

font = TTCollection(SRC).fonts[TC_INDEX]
font.recalcTimestamp = False  # keep the source's date: the same input gives the same bytes
opts = subset.Options()
# Only Latin kerning among the OpenType layout features: Traditional Chinese set horizontally needs none, and
# keeping them all ("*") pulled in every vertical and regional alternate glyph (twice the
# file) and GSUB tables that Fyne's shaper indexes at start for every text style.
opts.layout_features = ["kern"]  # Latin kerning only
opts.name_IDs = ["*"]
opts.name_languages = ["*"]
opts.notdef_outline = True
opts.hinting = False
subsetter = subset.Subsetter(opts)
subsetter.populate(unicodes=codepoints)
subsetter.subset(font)
font.save(OUT)
print(OUT, os.path.getsize(OUT), "bytes,", len(codepoints), "code points requested")
