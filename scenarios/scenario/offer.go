package scenario

import "fmt"

// OfferText describes l's open-model load: its shape in a few words
// ("ramp 100/s → 300/s", "bursts of 20 every 100ms", "constant 200/s") and
// its mean rate in requests per second. A load without a shape is constant
// at l.Rate.
func (l LoadModel) OfferText() (shape string, mean float64) {
	switch l.Shape {
	case ShapeRamp:
		r := *l.Ramp
		return fmt.Sprintf("ramp %s/s → %s/s", ftoa(r.From), ftoa(r.To)), (r.From + r.To) / 2
	case ShapeSine:
		sn := *l.Sine
		return fmt.Sprintf("sine %s±%s/s over %s", ftoa(sn.Mean), ftoa(sn.Amplitude), sn.Period), sn.Mean
	case ShapeBurst:
		b := *l.Burst
		return fmt.Sprintf("bursts of %d every %s", b.Size, b.Every), float64(b.Size) / b.Every.Duration.Seconds()
	}
	return fmt.Sprintf("constant %s/s", ftoa(l.Rate)), l.Rate
}
