package loopback

import "testing"

func TestCheckURLAcceptsOnlyLoopbackUnlessAllowed(t *testing.T) {
	cases := []struct {
		url         string
		allowRemote bool
		ok          bool
	}{
		{"http://127.0.0.1:8080/", false, true},
		{"https://127.10.20.30/x", false, true},
		{"http://[::1]:8443/", false, true},
		{"http://localhost:8080", false, true},
		{"http://example.com/", false, false},
		{"http://203.0.113.7/", false, false},
		{"http://[2001:db8::1]/", false, false},
		{"http://203.0.113.7/", true, true},
		{"ftp://127.0.0.1/", false, false},
		{"127.0.0.1:8080", false, false},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			err := CheckURL(c.url, c.allowRemote)
			if (err == nil) != c.ok {
				t.Fatalf("CheckURL(%q, %v) = %v, want ok=%v", c.url, c.allowRemote, err, c.ok)
			}
		})
	}
}
