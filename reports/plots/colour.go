package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
)

// divergingAnchors run from blue (the compared arm slower than the
// baseline) through near-white (equal) to orange (faster): a blue–orange
// scale reads the same with the common red–green colour-vision
// deficiencies, unlike red against green, and its two ends differ in
// lightness as well as hue. The blues are ColorBrewer's RdBu, the oranges
// its PuOr.
var divergingAnchors = []color.RGBA{
	{R: 0x21, G: 0x66, B: 0xac, A: 0xff},
	{R: 0x92, G: 0xc5, B: 0xde, A: 0xff},
	{R: 0xf7, G: 0xf7, B: 0xf7, A: 0xff},
	{R: 0xfd, G: 0xb8, B: 0x63, A: 0xff},
	{R: 0xb3, G: 0x58, B: 0x06, A: 0xff},
}

// divergingPalette is n colours (n ≥ 2) evenly along divergingAnchors,
// interpolated linearly in sRGB; the middle one of an odd n is the white.
func divergingPalette(n int) palette.Palette {
	cs := make([]color.Color, n)
	segs := float64(len(divergingAnchors) - 1)
	for i := range cs {
		t := float64(i) / float64(n-1) * segs
		k := min(int(t), len(divergingAnchors)-2)
		f := t - float64(k)
		a, b := divergingAnchors[k], divergingAnchors[k+1]
		mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
		cs[i] = color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
	}
	return colours(cs)
}

type colours []color.Color

func (c colours) Colors() []color.Color { return c }

// paletteMap is a palette.ColorMap over [min, max] that picks its colour
// from pal the way plotter.HeatMap does, so a colour bar drawn from it
// shows exactly the colours of the heat map's cells.
type paletteMap struct {
	pal      []color.Color
	min, max float64
}

func (m *paletteMap) At(v float64) (color.Color, error) {
	if v < m.min || v > m.max || math.IsNaN(v) {
		return nil, fmt.Errorf("value %g outside [%g, %g]", v, m.min, m.max)
	}
	ps := float64(len(m.pal)-1) / (m.max - m.min)
	return m.pal[int((v-m.min)*ps+0.5)], nil
}

func (m *paletteMap) Max() float64                 { return m.max }
func (m *paletteMap) SetMax(v float64)             { m.max = v }
func (m *paletteMap) Min() float64                 { return m.min }
func (m *paletteMap) SetMin(v float64)             { m.min = v }
func (m *paletteMap) Alpha() float64               { return 1 }
func (m *paletteMap) SetAlpha(float64)             {}
func (m *paletteMap) Palette(int) palette.Palette  { return colours(m.pal) }
func (m *paletteMap) colour(v float64) color.Color { c, _ := m.At(v); return c }

// luminance is c's relative luminance (WCAG 2): 0 for black, 1 for white.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// textOn is the label colour for a cell of colour bg: black or white,
// whichever contrasts more with it (WCAG contrast ratio).
func textOn(bg color.Color) color.Color {
	l := luminance(bg)
	if (1.05)/(l+0.05) > (l+0.05)/0.05 {
		return color.White
	}
	return color.Black
}
