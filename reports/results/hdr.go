package results

import (
	"encoding/base64"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// HgrmTicksPerHalfDistance is the resolution of a percentile distribution:
// five rows per halving of the distance to 100%, as wrk2 prints. The .hgrm
// files and the percentile plot both use it.
const HgrmTicksPerHalfDistance = 5

// DecodeHDR decodes an Arm.ServiceHDR or Rep.ServiceHDR string: HdrHistogram's
// V2 compressed encoding in base64, the text its tools exchange (.hlog
// files). Text that was base64-encoded once more is accepted too.
func DecodeHDR(encoded string) (*hdrhistogram.Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(encoded))
	if err == nil {
		return h, nil
	}
	if inner, err2 := base64.StdEncoding.DecodeString(encoded); err2 == nil {
		if h, err2 := hdrhistogram.Decode(inner); err2 == nil {
			return h, nil
		}
	}
	return nil, fmt.Errorf("decode HdrHistogram: %w", err)
}

// EncodeHDR is DecodeHDR's inverse; an empty or nil histogram encodes as "".
func EncodeHDR(h *hdrhistogram.Histogram) (string, error) {
	if h == nil || h.TotalCount() == 0 {
		return "", nil
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encode HdrHistogram: %w", err)
	}
	return string(b), nil
}

// HDRPercentiles reads a histogram of microsecond values as Percentiles.
func HDRPercentiles(h *hdrhistogram.Histogram) Percentiles {
	if h == nil || h.TotalCount() == 0 {
		return Percentiles{}
	}
	q := func(p float64) time.Duration { return time.Duration(h.ValueAtQuantile(p)) * time.Microsecond }
	return Percentiles{
		P50: q(50), P90: q(90), P95: q(95), P99: q(99), P999: q(99.9),
		Max:  time.Duration(h.Max()) * time.Microsecond,
		Mean: time.Duration(h.Mean() * float64(time.Microsecond)),
	}
}
