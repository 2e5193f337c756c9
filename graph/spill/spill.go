// Package spill moves columns out of the Go heap into a temporary file
// mapped read-only into memory.
//
// A batch run reads some columns only at its end, to write them back out:
// visit ids, person numbers, names, fee-line serials. Held on the heap
// they count against the memory limit (GOMEMLIMIT) through every stage of
// detection and are scanned by nothing but still weigh on when the
// collector runs. Moved into a file they cost no heap at all: the operating
// system keeps their pages in its page cache while memory is free, drops
// them when it is not (they are clean, written to the file first) and reads
// them back when they are next touched. A province's ids are gigabytes
// (ten bytes a visit for mdtrt_id alone), which is the difference between
// a detection that fits a machine and one that does not.
//
// The file is unlinked as soon as it is created, so that its blocks are
// given back when the process ends, however it ends, and nothing else can
// open it. What is moved is written to disk unencrypted while the process
// runs, as the input files it came from are.
//
// A moved slice is read-only and its capacity is its length: appending to
// it copies it back to the heap, and writing to one of its elements is a
// fault that ends the process (a panic under debug.SetPanicOnFault). It is
// valid until the File is closed; nothing moved may be read after Close.
//
// Moving needs a system with mmap (Unix). Elsewhere, Supported is false and
// Move returns its slice unchanged.
package spill

import (
	"fmt"
	"os"
	"unsafe"
)

// Fixed is the element types Move accepts: fixed-size values without
// pointers, which the mapping can hold as they lie in memory.
type Fixed interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// File is a temporary file into which slices are moved, and the mappings
// that hold them. A File is not safe for concurrent use.
type File struct {
	f       *os.File
	size    int64    // bytes written, the last region's padding included
	regions [][]byte // the mappings, one a moved slice
	moved   int64    // bytes of the slices moved
}

// Create creates an unlinked temporary file in dir (os.TempDir() when
// empty) for slices to be moved into.
func Create(dir string) (*File, error) {
	f, err := os.CreateTemp(dir, "ringlens-spill-*")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("spill: unlink %s: %w", f.Name(), err)
	}
	return &File{f: f}, nil
}

// Moved returns the bytes of the slices moved into f.
func (f *File) Moved() int64 { return f.moved }

// Move writes s to f and returns a read-only view of it mapped from the
// file, with the same length and values, its capacity its length; s
// itself is not modified, and is garbage once the caller drops it. An
// empty s, or any s where Supported is false, is returned as it is.
func Move[T Fixed](f *File, s []T) ([]T, error) {
	if len(s) == 0 || !Supported {
		return s, nil
	}
	var zero T
	n := len(s) * int(unsafe.Sizeof(zero))
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	m, err := f.place(b)
	if err != nil {
		return s, err
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(m))), len(s)), nil
}

// place writes b at the next page boundary of the file and maps it back.
func (f *File) place(b []byte) ([]byte, error) {
	page := int64(os.Getpagesize())
	at := (f.size + page - 1) / page * page
	if _, err := f.f.WriteAt(b, at); err != nil {
		return nil, fmt.Errorf("spill: write %d bytes: %w", len(b), err)
	}
	m, err := mapRegion(f.f, at, len(b))
	if err != nil {
		return nil, fmt.Errorf("spill: map %d bytes: %w", len(b), err)
	}
	f.size = at + int64(len(b))
	f.regions = append(f.regions, m)
	f.moved += int64(len(b))
	return m, nil
}

// Close unmaps every slice moved into f and closes the file, whose blocks
// the system then gives back. Nothing moved may be read afterwards.
func (f *File) Close() error {
	var first error
	for _, m := range f.regions {
		if err := unmapRegion(m); err != nil && first == nil {
			first = fmt.Errorf("spill: unmap: %w", err)
		}
	}
	f.regions = nil
	if err := f.f.Close(); err != nil && first == nil {
		first = fmt.Errorf("spill: %w", err)
	}
	return first
}
