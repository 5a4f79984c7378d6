//go:build unix

package source

import (
	"os"
	"syscall"
)

// linkCount is how many names a file has (0 once deleted); false if the
// platform does not say.
func linkCount(info os.FileInfo) (uint64, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
