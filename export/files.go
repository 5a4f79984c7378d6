package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Hive partition values and file names.

// NullPartition is the value of a partition column that is unknown (no
// time, no host), as Hive and Spark write it.
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

// sanitize makes a partition value safe in a path and in Hive's escaping:
// lower case, letters, digits, '.', '-' and '_' kept, anything else '_'.
func sanitize(v string) string {
	if v == "" {
		return NullPartition
	}
	b := []byte(v)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			b[i] = '_'
		}
	}
	if len(b) > 128 {
		b = b[:128]
	}
	if s := string(b); s != "." && s != ".." {
		return s
	}
	return "_"
}

// fileName is the name of a data file: the source identity and the first
// and last event offsets (uncompressed bytes) of the rows it holds.
func fileName(identity string, first, last int64, ext string) string {
	return fmt.Sprintf("part-%s-%012d-%012d%s", identity, first, last, ext)
}

// parseFileName reads back what fileName wrote.
func parseFileName(name, ext string) (identity string, first, last int64, ok bool) {
	if !strings.HasPrefix(name, "part-") || !strings.HasSuffix(name, ext) {
		return "", 0, 0, false
	}
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(name, "part-"), ext), "-")
	if len(parts) != 3 || len(parts[0]) != 16 {
		return "", 0, 0, false
	}
	f, err1 := strconv.ParseInt(parts[1], 10, 64)
	l, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return parts[0], f, l, true
}

// atomicFile is a file written under a temporary name in its final
// directory and renamed into place by commit: readers never see it half
// written, and a crash leaves only a hidden temporary file (removed by
// abort, or by the next run in that directory).
type atomicFile struct {
	*os.File
	dir string
	tmp string
}

// tmpPrefix starts the names of temporary files; engines skip files whose
// names start with '.' or '_'.
const tmpPrefix = ".bouncescan-tmp-"

func createAtomic(dir string) (*atomicFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, dir: dir, tmp: f.Name()}, nil
}

// commit syncs the data and renames the file to name in its directory,
// replacing a file of that name.
func (a *atomicFile) commit(name string) error {
	final := filepath.Join(a.dir, name)
	if err := a.Sync(); err != nil {
		a.abort()
		return errorf(final, err)
	}
	if err := a.Close(); err != nil {
		a.abort()
		return errorf(final, err)
	}
	if err := os.Rename(a.tmp, final); err != nil {
		a.abort()
		return errorf(final, err)
	}
	syncDir(a.dir)
	return nil
}

// abort removes the temporary file.
func (a *atomicFile) abort() {
	a.Close()
	os.Remove(a.tmp)
}

// writeFileAtomic writes data to path through a temporary file.
func writeFileAtomic(path string, data []byte) error {
	a, err := createAtomic(filepath.Dir(path))
	if err != nil {
		return errorf(path, err)
	}
	if _, err := a.Write(data); err != nil {
		a.abort()
		return errorf(path, err)
	}
	return a.commit(filepath.Base(path))
}

// syncDir makes a rename durable (best effort: not every system can).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// removeStaleTemps removes temporary files a crashed run left in dir
// (older than an hour: a younger one may be another exporter's, at work).
func removeStaleTemps(dir string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// supersede removes, in dir, the files of identity whose offset range lies
// within [first, last] and that this run did not write: the rows of an
// earlier, shorter run over the same content, now in the new file.
func supersede(dir, identity string, first, last int64, ext string, written map[string]bool) (removed int, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		id, f, l, ok := parseFileName(e.Name(), ext)
		p := filepath.Join(dir, e.Name())
		if !ok || id != identity || written[p] || f < first || l > last {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, errorf(p, err)
		}
		removed++
	}
	return removed, nil
}
