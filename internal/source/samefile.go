package source

import "os"

// sameFiles remembers the files met, to tell when two paths name one file.
type sameFiles struct {
	ids    map[[2]uint64]bool // device and inode, where the system gives them
	others []os.FileInfo      // elsewhere: compared with os.SameFile
}

// seen reports whether info is a file met before, and remembers it.
func (s *sameFiles) seen(info os.FileInfo) bool {
	if k, ok := fileKey(info); ok {
		if s.ids[k] {
			return true
		}
		if s.ids == nil {
			s.ids = map[[2]uint64]bool{}
		}
		s.ids[k] = true
		return false
	}
	for _, o := range s.others {
		if os.SameFile(o, info) {
			return true
		}
	}
	s.others = append(s.others, info)
	return false
}
