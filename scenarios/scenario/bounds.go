package scenario

import (
	"errors"
	"fmt"

	"golang.org/x/net/http/httpguts"
)

// The bounds below are shared by scenario files and `oranbench attack`, so
// a value one accepts the other does too. Each returns nil or what would be
// valid; the caller names the file or flag, the field and the value.

// CheckConcurrency accepts a closed model's worker count: 1 to 10000.
func CheckConcurrency(n int) error {
	if n < 1 || n > maxConcurrency {
		return fmt.Errorf("want 1 to %d workers", maxConcurrency)
	}
	return nil
}

// CheckRate accepts an open model's rate in requests per second: finite,
// > 0 and <= 1e6. Every such rate is paced as asked (see
// engine.ConstantRate), however small.
func CheckRate(perSec float64) error {
	if !rateOK(perSec) {
		return errors.New("want requests per second, > 0 and <= 1e6")
	}
	return nil
}

// rateOK is CheckRate's test; NaN fails it.
func rateOK(perSec float64) bool { return perSec > 0 && perSec <= maxRate }

// CheckMethod accepts an HTTP method: a token (letters, digits and
// !#$%&'*+-.^_`|~), as net/http would send it.
func CheckMethod(m string) error {
	if !httpguts.ValidHeaderFieldName(m) {
		return errors.New("want a method of letters and token characters, no spaces or control characters, such as GET or POST")
	}
	return nil
}

// CheckHeader accepts a header a request can carry: a non-empty token for
// a name, and a value without control characters such as CR or LF.
func CheckHeader(name, value string) error {
	if !httpguts.ValidHeaderFieldName(name) {
		return errors.New("want a header name of letters, digits and token characters such as X-Request-Id")
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return errors.New("want a header value without control characters such as CR or LF")
	}
	return nil
}
