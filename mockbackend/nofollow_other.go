//go:build !unix

package mockbackend

// oNoFollow is 0 where the system has no O_NOFOLLOW; WriteCACert's Lstat
// check still refuses a symbolic link.
const oNoFollow = 0
