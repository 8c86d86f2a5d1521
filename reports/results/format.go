package results

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dur formats a latency for a table, e.g. "12.34 ms", "1.20 s", "85 µs".
func Dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d/time.Microsecond)
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// Times formats a ratio, e.g. "3.42x"; 0 (undefined) prints as "n/a".
func Times(x float64) string {
	if x == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", x)
}

// Pct formats a percentage, e.g. "99.9%".
func Pct(x float64) string {
	if x == 100 {
		return "100%"
	}
	return fmt.Sprintf("%.1f%%", x)
}

// Num formats a rate, e.g. "1,234".
func Num(x float64) string { return Int(int64(x + 0.5)) }

// Int formats a count with thousands separators, e.g. "12,345".
func Int(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// TrimFloat writes v with at most prec decimals and no trailing zeros,
// e.g. 0.5 or 99.9.
func TrimFloat(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// SignedPct prints a ratio as a change, e.g. 0.8 → "-20.0%", 1.037 → "+3.7%".
func SignedPct(ratio float64) string {
	if ratio == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", 100*(ratio-1))
}

// JoinShown joins item(0..n-1) with "; ", showing at most shown of them and
// "+N more" for the rest.
func JoinShown(n, shown int, item func(int) string) string {
	parts := make([]string, 0, min(n, shown+1))
	for i := range n {
		if i == shown {
			parts = append(parts, fmt.Sprintf("+%d more", n-shown))
			break
		}
		parts = append(parts, item(i))
	}
	return strings.Join(parts, "; ")
}

// CPUModelSuffix writes a machine's CPU model as " (model)" to follow its
// CPU count, or "" when the model is unknown.
func CPUModelSuffix(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

// MetricHeader names a Stats metric in a table header, e.g. "req/s".
func MetricHeader(m string) string {
	switch m {
	case MetricReqPerSec:
		return "req/s"
	case MetricRespP99:
		return "resp p99"
	case MetricMaxRate:
		return "sustainable req/s"
	}
	return m
}

// IsLatencyMetric reports whether metric's values are durations in ns.
func IsLatencyMetric(metric string) bool {
	switch metric {
	case MetricP50, MetricP95, MetricP99, MetricRespP99:
		return true
	}
	return false
}

// FormatEstimate prints "1,234 [1,200 – 1,260]" or "12.3 ms [11.9 ms – 12.8 ms]".
func FormatEstimate(metric string, e Estimate) string {
	f := func(v float64) string {
		if IsLatencyMetric(metric) {
			return Dur(time.Duration(v))
		}
		return Num(v)
	}
	if e.N < 2 {
		return f(e.Center)
	}
	return f(e.Center) + " [" + f(e.Lo) + " – " + f(e.Hi) + "]"
}

// FormatComparison prints a comparison benchstat-style: "4.31x [3.92x – 4.60x] (p=0.008)",
// or "~ (p=0.42)" when the difference is not significant.
func FormatComparison(c Comparison) string {
	if !c.Significant {
		return "~ " + FormatP(c.P)
	}
	s := BoundPrefix(c.Bound) + Times(c.Ratio)
	if c.Lo > 0 && c.Hi > 0 {
		s += " [" + Times(c.Lo) + " – " + Times(c.Hi) + "]"
	}
	return s + " " + FormatP(c.P)
}

// FormatRatioCI writes a comparison as "2.41x [2.10x – 2.90x]", with "~" when it is
// not significant.
func FormatRatioCI(c Comparison) string {
	s := BoundPrefix(c.Bound) + Times(c.Ratio)
	if c.Lo > 0 && c.Hi > 0 && c.N1 >= 2 && c.N2 >= 2 {
		s += " [" + Times(c.Lo) + " – " + Times(c.Hi) + "]"
	}
	if !c.Significant {
		s += " ~"
	}
	return s
}

// BoundPrefix is what a ratio with a generator-bound arm is written after:
// "at least ", "at most " or "generator-bound, ".
func BoundPrefix(bound string) string {
	switch bound {
	case BoundLower:
		return "at least "
	case BoundUpper:
		return "at most "
	case BoundNone:
		return "generator-bound, "
	}
	return ""
}

// FormatP writes a p-value in parentheses, "(p=0.008)", or "(p<0.001)"
// below that.
func FormatP(p float64) string {
	if p < 0.001 {
		return "(p<0.001)"
	}
	return "(p=" + TrimFloat(p, 3) + ")"
}
