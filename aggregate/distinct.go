package aggregate

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Distinct counts distinct strings (recipient addresses) in a way that
// merges: exactly, as a set of 64-bit hashes, while the set is small
// (at most exactMax entries), then as a HyperLogLog sketch of 2^p
// registers, whose standard error is 1.04/sqrt(2^p) (p 10: 3.3 %, p 14:
// 0.8 %). Merging two exact sets is exact; merging anything with a
// sketch gives a sketch. The JSON form carries the set or the registers.
type Distinct struct {
	exactMax int
	p        uint8
	set      hashSet
	regs     []uint8
}

// newDistinct makes an empty counter.
func newDistinct(exactMax int, p uint8) Distinct {
	return Distinct{exactMax: exactMax, p: p}
}

// Add counts the string s (the caller lower-cases addresses).
func (d *Distinct) Add(s string) { d.addHash(hash64(s)) }

func (d *Distinct) addHash(h uint64) {
	if d.regs != nil {
		d.addReg(h)
		return
	}
	if len(d.set.slots) < lateFrom {
		d.set.add(h)
	} else if !d.set.addLater(h) {
		return
	}
	if d.set.n > d.exactMax {
		d.toSketch()
	}
}

// settle puts the hashes the set queued in it (hashSet.addLater) and
// turns to the sketch if that makes more than exactMax: what Count,
// Exact, Merge and MarshalJSON see is the state adding one hash at a time
// gives (exact while at most exactMax distinct hashes came, else the
// sketch of all of them, whatever their order).
func (d *Distinct) settle() {
	if d.regs == nil && len(d.set.queue) > 0 && d.set.len() > d.exactMax {
		d.toSketch()
	}
}

func (d *Distinct) toSketch() {
	if d.p == 0 {
		d.p = 10
	}
	d.regs = make([]uint8, 1<<d.p)
	d.set.each(d.addReg)
	d.set = hashSet{}
}

func (d *Distinct) addReg(h uint64) {
	idx := h >> (64 - d.p)
	rank := uint8(bits.LeadingZeros64(h<<d.p|1<<(d.p-1)) + 1)
	if rank > d.regs[idx] {
		d.regs[idx] = rank
	}
}

// Exact tells whether Count is exact (no sketch was needed).
func (d *Distinct) Exact() bool {
	d.settle()
	return d.regs == nil
}

// Count is the number of distinct strings added: exact while the set is
// small, else the HyperLogLog estimate (with the small-range correction).
func (d *Distinct) Count() int64 {
	d.settle()
	if d.regs == nil {
		return int64(d.set.len())
	}
	m := float64(len(d.regs))
	sum, zeros := 0.0, 0
	for _, r := range d.regs {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	est := 0.7213 / (1 + 1.079/m) * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(est + 0.5)
}

// Merge adds o's strings to d.
func (d *Distinct) Merge(o *Distinct) {
	o.settle()
	d.settle()
	if o.regs == nil {
		o.set.each(d.addHash)
		return
	}
	if d.regs == nil {
		if d.p == 0 || d.p != o.p {
			d.p = o.p
		}
		d.toSketch()
	}
	if len(d.regs) != len(o.regs) {
		// sketches of different precision: fold the finer into the coarser
		if len(d.regs) > len(o.regs) {
			d.regs = fold(d.regs, o.p)
			d.p = o.p
		} else {
			o2 := fold(o.regs, d.p)
			for i, r := range o2 {
				d.regs[i] = max(d.regs[i], r)
			}
			return
		}
	}
	for i, r := range o.regs {
		d.regs[i] = max(d.regs[i], r)
	}
}

// fold reduces registers to 2^p of them (an index keeps its top p bits;
// the rank grows by the bits moved from index to the rest of the hash).
func fold(regs []uint8, p uint8) []uint8 {
	from := uint8(bits.TrailingZeros(uint(len(regs))))
	out := make([]uint8, 1<<p)
	shift := from - p
	for i, r := range regs {
		if r == 0 {
			continue
		}
		low := uint64(i) & (1<<shift - 1)
		nr := r
		if low != 0 {
			nr = uint8(bits.LeadingZeros64(low<<(64-shift)) + 1)
		} else {
			nr = r + shift
		}
		j := i >> shift
		out[j] = max(out[j], nr)
	}
	return out
}

type distinctJSON struct {
	N      int64  `json:"n"`
	Exact  string `json:"exact,omitempty"` // sorted little-endian uint64 hashes, base64
	P      uint8  `json:"hll_p,omitempty"`
	Sketch string `json:"hll,omitempty"` // registers, base64
}

// MarshalJSON writes the count and what merging needs.
func (d Distinct) MarshalJSON() ([]byte, error) {
	if len(d.set.queue) > 0 {
		// d shares its tables with the counter it copies: settle a copy
		d.set.slots = slices.Clone(d.set.slots)
		d.set.queue = slices.Clone(d.set.queue)
	}
	j := distinctJSON{N: d.Count()}
	if d.regs != nil {
		j.P = d.p
		j.Sketch = base64.StdEncoding.EncodeToString(d.regs)
	} else if d.set.len() > 0 {
		hs := make([]uint64, 0, d.set.len())
		d.set.each(func(h uint64) { hs = append(hs, h) })
		slices.Sort(hs)
		b := make([]byte, 8*len(hs))
		for i, h := range hs {
			binary.LittleEndian.PutUint64(b[8*i:], h)
		}
		j.Exact = base64.StdEncoding.EncodeToString(b)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON wrote (the limits of the counter
// it goes into are kept).
func (d *Distinct) UnmarshalJSON(b []byte) error {
	var j distinctJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Sketch != "" {
		regs, err := base64.StdEncoding.DecodeString(j.Sketch)
		if err != nil || j.P < 4 || j.P > 18 || len(regs) != 1<<j.P {
			return fmt.Errorf("distinct count: bad sketch (p %d, %d registers)", j.P, len(regs))
		}
		d.p, d.regs, d.set = j.P, regs, hashSet{}
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(j.Exact)
	if err != nil || len(raw)%8 != 0 {
		return fmt.Errorf("distinct count: bad exact set")
	}
	d.regs = nil
	d.set = hashSet{}
	for i := 0; i < len(raw); i += 8 {
		d.set.add(binary.LittleEndian.Uint64(raw[i:]))
	}
	if int64(d.set.len()) != j.N && j.N != 0 {
		return fmt.Errorf("distinct count: %d hashes for n %d", d.set.len(), j.N)
	}
	return nil
}

// mix64 is splitmix64's finaliser.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// hash64 is FNV-1a with a final mix (splitmix64), so that the top bits
// (the sketch's register index) are well spread.
func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}
