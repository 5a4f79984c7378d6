// Package source turns command-line arguments into inputs and inputs into
// lines: files, directories, globs and standard input; gzip, bzip2, xz and
// zstd recognised by their magic bytes; long lines cut and counted;
// corrupt data reported with the file name and offset.
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Input is one thing to read.
type Input struct {
	Name  string // as shown to the user: the path as found, or "-"
	Path  string // file system path; empty for stdin
	Stdin bool
	Size  int64 // bytes on disk (compressed); 0 when unknown
	// Found is true for a file met while reading a directory, false for
	// one the user named (directly or by a glob).
	Found bool
}

// Error is a failure to read one input. Offset is the position in the
// uncompressed stream where reading failed, or -1 when it does not apply.
type Error struct {
	Name   string
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s: at uncompressed byte %d: %v", e.Name, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Name, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorPath returns the input name an error is about, or "" if it names none.
func ErrorPath(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}

// ErrSkipped is wrapped by the errors of Expand that are notes, not
// failures: a FIFO, device or socket met inside a directory (named
// explicitly, it is an error: ErrNotRegular). A caller lists them as
// skipped; they do not make the run partial.
var ErrSkipped = errors.New("skipped")

// ErrNoMatch is returned for a glob that matches no file.
var ErrNoMatch = errors.New("pattern matches no file")

// Expand turns arguments into inputs: "-" is standard input, a directory
// is read recursively (hidden files and directories skipped), a pattern
// with * ? or [ is expanded. The rotated generations of one log
// (mail.log.3.gz … mail.log.1, mail.log; mail.log-20261120.gz …, mail.log)
// are put oldest first wherever they appear; otherwise the order given is
// kept, and a file is read once even if named twice, by two paths
// (relative and absolute, through a symlink, a directory and a file in
// it: os.SameFile decides). Arguments that
// cannot be used are returned as errors (of type *Error) and do not stop
// the others.
func Expand(args []string) ([]Input, []error) {
	var (
		out  []Input
		errs []error
		seen = map[string]bool{}
		met  sameFiles
	)
	add := func(path string, info os.FileInfo, found bool) {
		key := filepath.Clean(path)
		if seen[key] {
			return
		}
		seen[key] = true
		if met.seen(info) {
			return // the same file by another path: relative/absolute, a symlink, dir + file
		}
		out = append(out, Input{Name: path, Path: path, Size: info.Size(), Found: found})
	}
	addPath := func(arg string) {
		info, err := os.Stat(arg)
		if err != nil {
			errs = append(errs, &Error{Name: arg, Offset: -1, Err: unwrapPathError(err)})
			return
		}
		if !info.IsDir() {
			if err := checkRegular(arg, info); err != nil {
				errs = append(errs, err) // a FIFO or device named: refused
				return
			}
			add(arg, info, false)
			return
		}
		type found struct {
			path string
			info os.FileInfo
		}
		var files []found
		walkErr := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &Error{Name: p, Offset: -1, Err: unwrapPathError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if p != arg && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := os.Stat(p) // follows symlinks
			if err != nil {
				errs = append(errs, &Error{Name: p, Offset: -1, Err: unwrapPathError(err)})
				return nil
			}
			if fi.Mode().IsRegular() {
				files = append(files, found{p, fi})
			} else if !fi.IsDir() {
				// a FIFO, device or socket met in a directory: said, not read
				errs = append(errs, &Error{Name: p, Offset: -1, Err: fmt.Errorf("%w: %s, not a regular file: skipped", ErrSkipped, fileKind(fi.Mode()))})
			}
			return nil
		})
		if walkErr != nil {
			errs = append(errs, &Error{Name: arg, Offset: -1, Err: walkErr})
		}
		sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
		for _, f := range files {
			add(f.path, f.info, true)
		}
	}
	for _, arg := range args {
		switch {
		case arg == "-":
			if seen["-"] {
				continue
			}
			seen["-"] = true
			out = append(out, Input{Name: "-", Stdin: true})
		case hasMeta(arg):
			if _, err := os.Lstat(arg); err == nil { // a file whose name has a '*'
				addPath(arg)
				continue
			}
			matches, err := filepath.Glob(arg)
			if err != nil {
				errs = append(errs, &Error{Name: arg, Offset: -1, Err: err})
				continue
			}
			if len(matches) == 0 {
				errs = append(errs, &Error{Name: arg, Offset: -1, Err: ErrNoMatch})
				continue
			}
			for _, m := range matches {
				addPath(m)
			}
		default:
			addPath(arg)
		}
	}
	RotationOrder(out)
	return out, errs
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// unwrapPathError drops the path from an *fs.PathError: Error prints the
// name already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// compressionExts are stripped before reading a rotation suffix.
var compressionExts = [...]string{".gz", ".bz2", ".xz", ".zst", ".zstd", ".z"}

// Generation splits a file name into the log it belongs to and how old it
// is: "mail.log.2.gz" → ("mail.log", kind 2, 2); "mail.log-20261121.gz"
// → ("mail.log", kind 1, 20261121); "mail.log" → ("mail.log", kind 0, 0).
// kind 2 (numbered) sorts by age descending, kind 1 (dated) ascending,
// kind 0 is the live file.
func Generation(path string) (base string, kind int, age int64) {
	dir, name := filepath.Split(path)
	lower := strings.ToLower(name)
	for _, ext := range compressionExts {
		if strings.HasSuffix(lower, ext) && len(name) > len(ext) {
			name = name[:len(name)-len(ext)]
			break
		}
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if n, err := strconv.ParseInt(name[i+1:], 10, 64); err == nil && len(name)-i-1 <= 4 {
			return dir + name[:i], 2, n
		}
	}
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		d := name[i+1:]
		if len(d) >= 8 && len(d) <= 14 && allDigits(d) {
			n, _ := strconv.ParseInt(d, 10, 64)
			return dir + name[:i], 1, n
		}
	}
	return dir + name, 0, 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// RotationOrder reorders, in place, the generations of each rotated log
// oldest first, leaving each log's slots where they were: inputs of
// different logs keep the order they came in.
func RotationOrder(in []Input) {
	groups := map[string][]int{}
	var order []string
	for i, x := range in {
		if x.Stdin {
			continue
		}
		b, _, _ := Generation(x.Path)
		if _, ok := groups[b]; !ok {
			order = append(order, b)
		}
		groups[b] = append(groups[b], i)
	}
	for _, b := range order {
		slots := groups[b]
		if len(slots) < 2 {
			continue
		}
		members := make([]Input, len(slots))
		for k, i := range slots {
			members[k] = in[i]
		}
		sort.SliceStable(members, func(i, j int) bool { return older(members[i].Path, members[j].Path) })
		for k, i := range slots {
			in[i] = members[k]
		}
	}
}

// older reports whether generation a comes before generation b.
func older(a, b string) bool {
	_, ka, aa := Generation(a)
	_, kb, ab := Generation(b)
	if ka != kb {
		return ka > kb // numbered, then dated, then the live file
	}
	switch ka {
	case 2:
		return aa > ab
	case 1:
		return aa < ab
	}
	return a < b
}

// FindInput returns the input that path names, if any: the same file by
// any name (os.SameFile), so that an output is never opened over an input.
// A path that does not exist yet is no input.
func FindInput(path string, inputs []Input) (Input, bool) {
	info, err := os.Stat(path)
	if err != nil {
		return Input{}, false
	}
	for _, in := range inputs {
		if in.Stdin {
			continue
		}
		if ii, err := os.Stat(in.Path); err == nil && os.SameFile(info, ii) {
			return in, true
		}
	}
	return Input{}, false
}
