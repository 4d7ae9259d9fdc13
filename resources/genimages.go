//go:build ignore

// genimages draws the app icon and the placeholder avatar. Run from the repo root:
//
//	go run resources/genimages.go
//
// They are drawn in code (not exported from a design tool) so anyone can change them.
package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	write("resources/icon.png", icon(512))
	write("resources/avatar-placeholder.png", placeholder(256))
}

func write(path string, img image.Image) {
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		panic(err)
	}
}

// inRoundRect reports whether (x, y) lies in the rectangle [x0,x1]×[y0,y1] with corner radius r.
func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

// coverage anti-aliases a shape by 4×4 supersampling.
func coverage(px, py int, in func(x, y float64) bool) float64 {
	n := 0
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			if in(float64(px)+(float64(i)+0.5)/4, float64(py)+(float64(j)+0.5)/4) {
				n++
			}
		}
	}
	return float64(n) / 16
}

func blend(dst color.NRGBA, src color.NRGBA, a float64) color.NRGBA {
	if a <= 0 {
		return dst
	}
	mix := func(d, s uint8) uint8 { return uint8(float64(d)*(1-a) + float64(s)*a + 0.5) }
	out := color.NRGBA{mix(dst.R, src.R), mix(dst.G, src.G), mix(dst.B, src.B), 0}
	out.A = uint8(math.Min(255, float64(dst.A)+a*float64(src.A)*(1-float64(dst.A)/255)+0.5))
	if dst.A == 0 {
		out = color.NRGBA{src.R, src.G, src.B, uint8(a*float64(src.A) + 0.5)}
	}
	return out
}

func icon(size int) image.Image {
	s := float64(size)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	teal := color.NRGBA{0x0B, 0x7A, 0x75, 0xFF}
	tealDark := color.NRGBA{0x08, 0x5A, 0x56, 0xFF}
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	amber := color.NRGBA{0xF5, 0xB7, 0x00, 0xFF}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := color.NRGBA{}
			// background tile, darker towards the bottom
			bg := blend(teal, tealDark, float64(y)/s)
			c = blend(c, bg, coverage(x, y, func(fx, fy float64) bool {
				return inRoundRect(fx, fy, s*0.04, s*0.04, s*0.96, s*0.96, s*0.2)
			}))
			// the member card
			c = blend(c, white, coverage(x, y, func(fx, fy float64) bool {
				return inRoundRect(fx, fy, s*0.16, s*0.28, s*0.84, s*0.72, s*0.06)
			}))
			// a point "coin" on the card
			c = blend(c, amber, coverage(x, y, func(fx, fy float64) bool {
				dx, dy := fx-s*0.34, fy-s*0.50
				d := math.Sqrt(dx*dx + dy*dy)
				return d <= s*0.11 && d >= s*0.055
			}))
			// barcode bars on the right half of the card
			c = blend(c, tealDark, coverage(x, y, func(fx, fy float64) bool {
				if fy < s*0.40 || fy > s*0.60 || fx < s*0.52 || fx > s*0.76 {
					return false
				}
				bars := []float64{0, 0.02, 0.035, 0.06, 0.075, 0.085, 0.11, 0.14, 0.155, 0.17, 0.195, 0.215}
				rel := fx - s*0.52
				for i := 0; i+1 < len(bars); i += 2 {
					if rel >= bars[i]*s && rel <= bars[i+1]*s {
						return true
					}
				}
				return false
			}))
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func placeholder(size int) image.Image {
	s := float64(size)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	bg := color.NRGBA{0xD9, 0xDE, 0xE3, 0xFF}
	fg := color.NRGBA{0x9A, 0xA4, 0xAE, 0xFF}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c := color.NRGBA{}
			c = blend(c, bg, coverage(x, y, func(fx, fy float64) bool {
				dx, dy := fx-s/2, fy-s/2
				return dx*dx+dy*dy <= (s/2)*(s/2)
			}))
			c = blend(c, fg, coverage(x, y, func(fx, fy float64) bool {
				dx, dy := fx-s/2, fy-s/2
				if dx*dx+dy*dy > (s/2)*(s/2) {
					return false
				}
				hx, hy := fx-s/2, fy-s*0.38
				if hx*hx+hy*hy <= (s*0.17)*(s*0.17) {
					return true // head
				}
				bx, by := (fx-s/2)/(s*0.32), (fy-s*0.92)/(s*0.36)
				return bx*bx+by*by <= 1 // shoulders
			}))
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}
