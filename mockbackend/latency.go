package mockbackend

import (
	"context"
	"time"
)

// sleep waits d without blocking shutdown: it returns false early when the
// request's context ends (client gone) or the server is force-closing.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}
