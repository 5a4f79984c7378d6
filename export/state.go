package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bouncescan/bouncescan/internal/pipeline"
)

// MetaDir is the directory, inside an export, of bouncescan's own files
// (the layout and the default state files). Engines skip names that start
// with '_'.
const MetaDir = "_bouncescan"

// Layout is what must stay the same for every run into one directory:
// files of another schema version, format or partitioning would not read
// as one table. It is kept in DIR/_bouncescan/export.json.
type Layout struct {
	SchemaVersion int    `json:"schema_version"`
	Format        string `json:"format"`
	Partition     string `json:"partition"`
	PartitionHost bool   `json:"partition_host"`
	// Taxonomy: the tables have the columns of --taxonomy. Absent in the
	// layouts written before it (false: the columns they have).
	Taxonomy bool `json:"taxonomy,omitempty"`
}

// ErrLayout is returned when a directory holds an export of another
// layout.
var ErrLayout = errors.New("the directory holds another export layout")

// LayoutOf is the layout Options write.
func LayoutOf(o Options) Layout {
	f, p := o.Format, o.Partition
	if f == "" {
		f = "parquet"
	}
	if p == "" {
		p = "day"
	}
	return Layout{SchemaVersion: SchemaVersion, Format: f, Partition: p, PartitionHost: o.PartitionHost, Taxonomy: o.Taxonomy != nil}
}

func layoutPath(dir string) string { return filepath.Join(dir, MetaDir, "export.json") }

// CheckDir checks, before anything is written, that dir can take an export
// of layout l: it holds none yet, or one of the same layout, and it (or
// the directory it would be created in) is writable.
func CheckDir(dir string, l Layout) error {
	b, err := os.ReadFile(layoutPath(dir))
	switch {
	case err == nil:
		var have Layout
		if err := json.Unmarshal(b, &have); err != nil {
			return fmt.Errorf("%s: %w: not readable (%v); export to a new directory", layoutPath(dir), ErrLayout, err)
		}
		if have.SchemaVersion != l.SchemaVersion {
			return fmt.Errorf("%s: %w: it holds schema version %d, this bouncescan writes version %d; export to a new directory (or move the old files away)", dir, ErrLayout, have.SchemaVersion, l.SchemaVersion)
		}
		if have != l {
			return fmt.Errorf("%s: %w: it holds --output %s --partition %s --partition-host=%t --taxonomy=%t, not --output %s --partition %s --partition-host=%t --taxonomy=%t; use the same flags or a new directory", dir, ErrLayout, have.Format, have.Partition, have.PartitionHost, have.Taxonomy, l.Format, l.Partition, l.PartitionHost, l.Taxonomy)
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: %w", layoutPath(dir), err)
	default:
		// no layout: a directory holding tables anyway was written by
		// something else
		for _, t := range []string{"table=events", "table=stats"} {
			if _, err := os.Stat(filepath.Join(dir, t)); err == nil {
				return fmt.Errorf("%s: %w: it has %s but no %s (not written by this bouncescan); export to a new directory", dir, ErrLayout, t, layoutPath(dir))
			}
		}
	}
	return probeWritable(dir)
}

// probeWritable checks that dir, or its nearest existing parent, takes a
// new file, leaving nothing behind.
func probeWritable(dir string) error {
	d := dir
	for {
		info, err := os.Stat(d)
		if err == nil {
			if !info.IsDir() {
				return fmt.Errorf("%s: not a directory", d)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(d)
		if parent == d {
			return err
		}
		d = parent
	}
	f, err := os.CreateTemp(d, tmpPrefix+"probe-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", d, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// WriteLayout records the layout of dir (atomically).
func WriteLayout(dir string, l Layout) error {
	b, _ := json.MarshalIndent(l, "", "  ")
	return writeFileAtomic(layoutPath(dir), append(b, '\n'))
}

// StateVersion is the version of the state file layout.
const StateVersion = 1

// State is what an incremental export keeps between runs: the checkpoint
// of the last run (how far every log content was exported).
type State struct {
	Version       int                  `json:"version"`
	SchemaVersion int                  `json:"schema_version"`
	Checkpoint    *pipeline.Checkpoint `json:"checkpoint"`
}

// DefaultStatePath is the state file of an export when --state is not
// given: one per exporting machine inside the export, so that several
// machines can export into one directory.
func DefaultStatePath(dir, hostname string) string {
	return filepath.Join(dir, MetaDir, "state-"+sanitize(hostname)+".json")
}

// LoadState reads a state file; a missing file is no state (nil, nil).
func LoadState(path string) (*pipeline.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%s: not a bouncescan export state: %w (remove it to export everything again)", path, err)
	}
	if st.Version != StateVersion {
		return nil, fmt.Errorf("%s: state version %d, this bouncescan reads version %d (remove it to export everything again)", path, st.Version, StateVersion)
	}
	if st.Checkpoint == nil {
		return nil, nil
	}
	if err := st.Checkpoint.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w (remove it to export everything again)", path, err)
	}
	return st.Checkpoint, nil
}

// SaveState writes the checkpoint of a run to path atomically. Files the
// previous state knew and this run did not read (a log no longer given)
// are kept, so that giving it again later does not export it again.
func SaveState(path string, cp, prev *pipeline.Checkpoint) error {
	if cp == nil {
		return nil
	}
	merged := *cp
	if prev != nil {
		seen := map[string]bool{}
		for _, f := range cp.Files {
			seen[f.Identity] = true
		}
		merged.Files = append([]pipeline.FileState(nil), cp.Files...)
		for _, f := range prev.Files {
			if !seen[f.Identity] {
				merged.Files = append(merged.Files, f)
			}
		}
	}
	b, err := json.MarshalIndent(State{Version: StateVersion, SchemaVersion: SchemaVersion, Checkpoint: &merged}, "", " ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}
