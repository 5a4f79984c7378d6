package source

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fileIdentity(t *testing.T, path string) uint64 {
	t.Helper()
	r, err := Open(Input{Name: path, Path: path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.Fingerprint()
}

const exchangeHeader = "#Software: Microsoft Exchange Server\n#Version: 15.02.1544.004\n#Log-type: Message Tracking Log\n#Date: 2026-11-22T03:00:00.000Z\n#Fields: date-time,client-ip,recipient-address,event-id\n"

// Files of one format that begin with the same header block get distinct
// identities when their data differs (the first data line is part of it).
func TestIdentitySharedHeader(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "MSGTRK1.LOG", []byte(exchangeHeader+"2026-11-22T03:14:15.123Z,10.0.0.21,a@example.com,DELIVER\n2026-11-22T03:14:16.000Z,10.0.0.21,b@example.com,FAIL\n"))
	b := writeFile(t, dir, "MSGTRK2.LOG", []byte(exchangeHeader+"2026-11-22T04:00:00.000Z,10.0.0.22,c@example.com,DELIVER\n2026-11-22T03:14:16.000Z,10.0.0.21,b@example.com,FAIL\n"))
	if ia, ib := fileIdentity(t, a), fileIdentity(t, b); ia == ib || ia == 0 {
		t.Errorf("same header, different data: identities %x and %x", ia, ib)
	}
	// one header line different is enough too
	c := writeFile(t, dir, "MSGTRK3.LOG", []byte(strings.Replace(exchangeHeader, "03:00:00", "04:00:00", 1)+"2026-11-22T03:14:15.123Z,10.0.0.21,a@example.com,DELIVER\n"))
	if fileIdentity(t, a) == fileIdentity(t, c) {
		t.Error("different #Date header, same first data line: same identity")
	}
	// 1000 files with the same header: all distinct
	seen := map[uint64]string{}
	for i := range 1000 {
		p := writeFile(t, dir, fmt.Sprintf("f%d.log", i), []byte(exchangeHeader+fmt.Sprintf("2026-11-22T03:14:%02d.%03dZ,10.0.0.1,r%d@example.com,DELIVER\n", i%60, i, i)))
		id := fileIdentity(t, p)
		if prev, ok := seen[id]; ok {
			t.Fatalf("%s and %s share identity %x", prev, p, id)
		}
		seen[id] = p
	}
}

// The identity is fixed once the first data line is complete: a file seen
// with only its header, with its first line, or grown to many lines, and
// the same file renamed, copied or compressed, all have one identity.
func TestIdentityStable(t *testing.T) {
	dir := t.TempDir()
	first := "Nov 22 03:14:15 mx1 postfix/qmgr[77]: 4F1A2B3C4D: from=<a@example.com>, size=1024, nrcpt=1 (queue active)\n"
	var big bytes.Buffer
	big.WriteString(first)
	for i := range 20000 {
		fmt.Fprintf(&big, "Nov 22 03:14:%02d mx1 postfix/smtp[78]: 4F1A2B3C4D: to=<r%d@example.com>, status=sent (250 ok)\n", i%60, i)
	}
	small := writeFile(t, dir, "small.log", []byte(first))
	grown := writeFile(t, dir, "mail.log", big.Bytes())
	want := fileIdentity(t, small)
	if want == 0 {
		t.Fatal("identity 0 for a file with a line")
	}
	if got := fileIdentity(t, grown); got != want {
		t.Errorf("grown file: %x, first line only: %x", got, want)
	}
	rotated := filepath.Join(dir, "mail.log.1")
	if err := os.Rename(grown, rotated); err != nil {
		t.Fatal(err)
	}
	gz := writeFile(t, dir, "mail.log.2.gz", gzipBytes(t, big.String()))
	cp := writeFile(t, dir, "copy.log", big.Bytes())
	for _, p := range []string{rotated, gz, cp} {
		if got := fileIdentity(t, p); got != want {
			t.Errorf("%s: identity %x, want %x", filepath.Base(p), got, want)
		}
	}
	// a header-only file (an Exchange log just after rotation) has no final
	// identity yet; once its first data line is there it is that of the full file
	var h IdentityHash
	for _, l := range strings.SplitAfter(exchangeHeader, "\n") {
		if l != "" && h.Add([]byte(strings.TrimSuffix(l, "\n"))) {
			t.Fatal("header lines completed the identity")
		}
	}
	if h.Done() {
		t.Fatal("done without a data line")
	}
	data := "2026-11-22T03:14:15.123Z,10.0.0.21,a@example.com,DELIVER"
	h.Add([]byte(data))
	full := writeFile(t, dir, "full.LOG", []byte(exchangeHeader+data+"\nmore,lines\n"))
	if !h.Done() || h.Sum() != fileIdentity(t, full) {
		t.Errorf("incremental identity %x (done %v), file %x", h.Sum(), h.Done(), fileIdentity(t, full))
	}
	// an empty file has identity 0 and is not done
	empty := writeFile(t, dir, "empty.log", nil)
	if got := fileIdentity(t, empty); got != 0 {
		t.Errorf("empty file: identity %x", got)
	}
	// lines longer than IdentityLineBytes count only by their start
	long := strings.Repeat("x", IdentityLineBytes)
	l1 := writeFile(t, dir, "l1", []byte(long+"a\n"))
	l2 := writeFile(t, dir, "l2", []byte(long+"b\n"))
	if fileIdentity(t, l1) != fileIdentity(t, l2) {
		t.Error("the identity reads past IdentityLineBytes")
	}
}

// A header block longer than the first read-ahead is still followed to its
// first data line.
func TestIdentityLongHeader(t *testing.T) {
	dir := t.TempDir()
	var hdr strings.Builder
	for i := range 300 {
		fmt.Fprintf(&hdr, "#Comment %d\n", i)
	}
	a := writeFile(t, dir, "a", []byte(hdr.String()+"data one\n"))
	b := writeFile(t, dir, "b", []byte(hdr.String()+"data two\n"))
	if fileIdentity(t, a) == fileIdentity(t, b) {
		t.Error("300 header lines: the data line was not reached")
	}
	r, _ := Open(Input{Name: a, Path: a}, Options{})
	defer r.Close()
	r.Fingerprint()
	n := 0
	for r.Next() {
		n++
	}
	if n != 301 {
		t.Errorf("after Fingerprint, Next gave %d lines, want 301", n)
	}
}

// One file named by several paths is read once: relative and absolute,
// through a symlink, a directory and a file inside it.
func TestExpandSameFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "mail.log", []byte("a line\n"))
	writeFile(t, dir, "other.log", []byte("other\n"))
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, args := range [][]string{
		{"mail.log", p},
		{p, link},
		{dir, p},
		{"mail.log", "./mail.log", dir + "/./mail.log"},
	} {
		in, errs := Expand(args)
		n := 0
		for _, x := range in {
			if fi, err := os.Stat(x.Path); err == nil {
				if pi, _ := os.Stat(p); os.SameFile(fi, pi) {
					n++
				}
			}
		}
		if n != 1 || len(errs) != 0 {
			t.Errorf("Expand(%q): mail.log read %d times (inputs %v, errs %v)", args, n, in, errs)
		}
	}
}
