package boltstore

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"time"

	"github.com/scamscope/scamscope/internal/verdict"
)

// Record and key encodings. Records start with a format version; strings
// and byte slices are length-prefixed (uvarint), integers are varints, times
// are a presence byte and Unix microseconds.

const recordVersion = 1

var errCorrupt = errors.New("corrupt record")

type encoder struct{ b []byte }

func (e *encoder) uint(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)    { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)   { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bytes(b []byte) { e.uint(uint64(len(b))); e.b = append(e.b, b...) }
func (e *encoder) strs(l []string) {
	e.uint(uint64(len(l)))
	for _, s := range l {
		e.str(s)
	}
}
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.int(t.UnixMicro())
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = errCorrupt, nil }

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) raw(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	r := d.b[:n]
	d.b = d.b[n:]
	return r
}

func (d *decoder) str() string { return string(d.raw(d.uint())) }

func (d *decoder) bytes() []byte {
	r := d.raw(d.uint())
	if len(r) == 0 {
		return nil
	}
	return append([]byte(nil), r...)
}

func (d *decoder) strs() []string {
	n := d.uint()
	if n == 0 || n > uint64(len(d.b)) {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = d.str()
	}
	return l
}

func (d *decoder) time() time.Time {
	switch p := d.raw(1); {
	case p == nil:
		return time.Time{}
	case p[0] == 0:
		return time.Time{}
	}
	return time.UnixMicro(d.int()).UTC()
}

func (d *decoder) byte() byte {
	if r := d.raw(1); r != nil {
		return r[0]
	}
	return 0
}

func encodeScan(s *verdict.Scan) []byte {
	e := encoder{b: make([]byte, 0, 256+len(s.Result))}
	e.b = append(e.b, recordVersion)
	for _, v := range []string{s.ID, s.URL, s.CanonURL, s.Host, s.Profile, string(s.State), s.Error, s.RuleSetVersion} {
		e.str(v)
	}
	e.time(s.CreatedAt)
	e.time(s.FinishedAt)
	e.int(int64(s.Label))
	e.int(int64(s.Score))
	e.strs(s.Phones)
	e.strs(s.ErrorCodes)
	e.strs(s.RuleIDs)
	e.bytes(s.Result)
	return e.b
}

func decodeScan(b []byte) (*verdict.Scan, error) {
	d := decoder{b: b}
	if d.byte() != recordVersion {
		return nil, errCorrupt
	}
	s := &verdict.Scan{}
	s.ID = d.str()
	s.URL = d.str()
	s.CanonURL = d.str()
	s.Host = d.str()
	s.Profile = d.str()
	s.State = verdict.State(d.str())
	s.Error = d.str()
	s.RuleSetVersion = d.str()
	s.CreatedAt = d.time()
	s.FinishedAt = d.time()
	s.Label = verdict.Label(d.int())
	s.Score = int(d.int())
	s.Phones = d.strs()
	s.ErrorCodes = d.strs()
	s.RuleIDs = d.strs()
	s.Result = d.bytes()
	if d.err != nil {
		return nil, d.err
	}
	return s, nil
}

func encodeVerdict(v verdict.URLVerdict) []byte {
	e := encoder{b: make([]byte, 0, 64+len(v.CanonURL)+len(v.ScanID))}
	e.b = append(e.b, recordVersion)
	e.b = append(e.b, v.Hash[:]...)
	e.int(int64(v.Label))
	e.int(int64(v.Score))
	e.time(v.ScannedAt)
	e.time(v.ExpiresAt)
	e.str(v.ScanID)
	e.str(v.CanonURL)
	return e.b
}

func decodeVerdict(b []byte) (verdict.URLVerdict, error) {
	d := decoder{b: b}
	var v verdict.URLVerdict
	if d.byte() != recordVersion {
		return v, errCorrupt
	}
	copy(v.Hash[:], d.raw(32))
	v.Label = verdict.Label(d.int())
	v.Score = int(d.int())
	v.ScannedAt = d.time()
	v.ExpiresAt = d.time()
	v.ScanID = d.str()
	v.CanonURL = d.str()
	return v, d.err
}

// feedValue is the value of a feed index entry: the indicator and the URL
// the scan contributes.
func encodeFeed(value, url string) []byte {
	e := encoder{}
	e.str(value)
	e.str(url)
	return e.b
}

func decodeFeed(b []byte) (value, url string, err error) {
	d := decoder{b: b}
	value, url = d.str(), d.str()
	return value, url, d.err
}

// t8 encodes a time as 8 bytes that sort like the times (microseconds).
func t8(t time.Time) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixMicro())^1<<63)
}

func fromT8(b []byte) time.Time {
	return time.UnixMicro(int64(binary.BigEndian.Uint64(b) ^ 1<<63)).UTC()
}

// h16 is the index prefix of an indexed value.
func h16(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:16]
}

func urlKey(canonURL string) []byte {
	h := sha256.Sum256([]byte(canonURL))
	return h[:]
}

// key concatenates key parts into a fresh slice.
func key(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}
