package scenario

import (
	"errors"
	"net/http"
	"os"
	"strings"
)

// protocolHeaders are the headers net/http writes itself from the request
// and the connection: set by hand they would contradict the framing, the
// target or the connection's management.
var protocolHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Upgrade"}

// validateHeaders checks the scenario's headers and expands their
// environment variables into p.headers.
func (p *Plan) validateHeaders() error {
	p.headers = nil
	if len(p.spec.Headers) == 0 {
		return nil
	}
	p.headers = http.Header{}
	seen := map[string]string{}
	for _, k := range sortedKeys(p.spec.Headers) {
		raw, field := p.spec.Headers[k], "headers."+k
		canon := http.CanonicalHeaderKey(k)
		for _, h := range protocolHeaders {
			if canon == h {
				return p.FieldErr(field, raw, "net/http sets "+h+" itself from the request; want another header, such as Authorization or X-Api-Key")
			}
		}
		if other, ok := seen[canon]; ok {
			return p.FieldErr(field, raw, "the header is also given as headers."+other+" (names are case-insensitive); give it once")
		}
		seen[canon] = k
		v, err := ExpandEnv(raw)
		if err != nil {
			return p.FieldErr(field, raw, err.Error())
		}
		// The expanded value is a secret: the error names the written one.
		if err := CheckHeader(k, v); err != nil {
			return p.FieldErr(field, raw, err.Error())
		}
		p.headers.Set(k, v)
	}
	return nil
}

// ExpandEnv replaces each ${NAME} in s with the environment variable NAME
// (letters, digits and underscores, not starting with a digit); any other
// "$" is kept as written. A variable that is not set is an error naming it;
// one set to "" expands to "".
func ExpandEnv(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", errors.New(`an unclosed "${": want ${NAME} naming an environment variable`)
		}
		name := s[i+2 : i+end]
		if !envName(name) {
			return "", errors.New("${" + name + "}: want ${NAME}, NAME of letters, digits and underscores, not starting with a digit")
		}
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", errors.New("the environment variable " + name + " is not set; set it (export " + name + "=...) or write the value")
		}
		b.WriteString(v)
		s = s[i+end+1:]
	}
}

func envName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
