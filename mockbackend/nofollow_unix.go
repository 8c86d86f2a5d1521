//go:build unix

package mockbackend

import "syscall"

// oNoFollow makes an open fail on a symbolic link as the last element.
const oNoFollow = syscall.O_NOFOLLOW
