package parsekittest

import "unsafe"

// Inside tells whether the non-empty string s lies in the memory of
// whole: how the parsers' tests see that an event's fields share one
// allocation (parsekit.StrPack).
func Inside(s, whole string) bool {
	if len(s) == 0 {
		return false
	}
	p, w := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(whole)))
	return p >= w && p+uintptr(len(s)) <= w+uintptr(len(whole))
}
