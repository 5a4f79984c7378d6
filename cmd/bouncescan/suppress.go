package main

import (
	"fmt"
	"os"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
)

// suppressList makes the --suppress consumer (nil without the flag),
// refusing a file that is one of the inputs.
func (c *ScanCmd) suppressList(inputs []source.Input) (*aggregate.Suppress, error) {
	if c.Suppress == "" {
		return nil, nil
	}
	if in, ok := source.FindInput(c.Suppress, inputs); ok {
		return nil, fmt.Errorf("--suppress %s: that is the input %s; refusing to write over a log (choose another file)", c.Suppress, in.Name)
	}
	return &aggregate.Suppress{}, nil
}

// writeSuppress writes the list (atomically: a temporary file renamed).
func (c *ScanCmd) writeSuppress(s *aggregate.Suppress) error {
	if s == nil {
		return nil
	}
	tmp := c.Suppress + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("--suppress: %w", err)
	}
	if err := s.WriteCSV(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("--suppress %s: %w", c.Suppress, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("--suppress %s: %w", c.Suppress, err)
	}
	if err := os.Rename(tmp, c.Suppress); err != nil {
		return fmt.Errorf("--suppress: %w", err)
	}
	if s.Dropped > 0 {
		return fmt.Errorf("--suppress %s: %d addresses beyond the limit were left out", c.Suppress, s.Dropped)
	}
	return nil
}
