package scenarios

import "net/http"

// wrap puts the backend's credentials on a transport the run builds for
// it; without credentials it returns rt as it is.
func (b *backend) wrap(rt http.RoundTripper) http.RoundTripper { return rt }
