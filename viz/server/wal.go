package server

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ringlens/ringlens/graph/claims"
)

// The claims log (write-ahead log) of a state directory: the file starts
// with walMagic, then holds one record per accepted batch, each framed as
//
//	uint32 little-endian payload length | uint32 little-endian CRC-32C of the payload | payload (JSON walRecord)
//
// A batch is answered 202 only once its record is written and fsynced.
const (
	walFile   = "claims.wal"
	walMagic  = "RLWAL001"
	walHeader = 8
	// maxWALRecord bounds a record's payload; a larger length field is
	// damage, never data.
	maxWALRecord = 256 << 20
)

// castagnoli is the CRC-32C table of record checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// walRecord is one accepted batch as logged. Its fields are spelled out
// (not the claims structs' own encoding) so that renaming a field of
// claims.Visit cannot silently drop logged data.
type walRecord struct {
	Visits []walVisit `json:"v,omitempty"`
	Fees   []walFee   `json:"f,omitempty"`
	// Follow, for rows read from a followed file, is the file's read
	// position after them, so that a replay restores it atomically with
	// the rows.
	Follow *followMark `json:"follow,omitempty"`
}

// followMark is a followed file's position: the bytes up to End are
// consumed, and Head/Tail fingerprint them (see fingerprint).
type followMark struct {
	Name string `json:"name"`
	End  int64  `json:"end"`
	Line int    `json:"line"`
	Head string `json:"head"`
	Tail string `json:"tail"`
}

// walVisit is a logged claims.Visit.
type walVisit struct {
	MdtrtID  string `json:"mdtrt_id"`
	SetlID   string `json:"setl_id,omitempty"`
	PsnNo    string `json:"psn_no"`
	Inst     string `json:"fixmedins_code"`
	MedType  uint8  `json:"med_type"`
	Begin    int64  `json:"begin"`
	End      int64  `json:"end"`
	Doctor   string `json:"atddr_no,omitempty"`
	DiseCode string `json:"dise_codg,omitempty"`
	DiseName string `json:"dise_name,omitempty"`
	MedFee   int64  `json:"medfee_fen"`
	FundPay  int64  `json:"fund_pay_fen"`
	CertType uint8  `json:"mdtrt_cert_type,omitempty"`
	Refund   bool   `json:"refund,omitempty"`
}

// walFee is a logged claims.FeeLine.
type walFee struct {
	FeedetlSn  string  `json:"feedetl_sn"`
	MdtrtID    string  `json:"mdtrt_id"`
	ItemCode   string  `json:"med_list_codg"`
	ItemName   string  `json:"med_list_name,omitempty"`
	ListType   uint16  `json:"list_type,omitempty"`
	Count      float64 `json:"cnt"`
	Price      int64   `json:"pric_micro"`
	Amount     int64   `json:"amount_fen"`
	Time       int64   `json:"time"`
	DoctorCode string  `json:"bilg_dr_codg,omitempty"`
	SupplyDays int32   `json:"prd_days,omitempty"`
	TraceCode  string  `json:"drug_trac_codg,omitempty"`
}

// newWALRecord encodes a batch for the log.
func newWALRecord(b *batch, mark *followMark) *walRecord {
	rec := &walRecord{Follow: mark, Visits: make([]walVisit, len(b.visits)), Fees: make([]walFee, len(b.fees))}
	for i, v := range b.visits {
		rec.Visits[i] = walVisit{MdtrtID: v.MdtrtID, SetlID: v.SetlID, PsnNo: v.PsnNo, Inst: v.InstitutionCode,
			MedType: uint8(v.MedType), Begin: int64(v.Begin), End: int64(v.End), Doctor: v.DoctorCode,
			DiseCode: v.DiseCode, DiseName: v.DiseName, MedFee: int64(v.MedFee), FundPay: int64(v.FundPay),
			CertType: uint8(v.CertType), Refund: v.Refund}
	}
	for i, f := range b.fees {
		rec.Fees[i] = walFee{FeedetlSn: f.FeedetlSn, MdtrtID: f.MdtrtID, ItemCode: f.ItemCode, ItemName: f.ItemName,
			ListType: f.ListType, Count: f.Count, Price: int64(f.Price), Amount: int64(f.Amount), Time: int64(f.Time),
			DoctorCode: f.DoctorCode, SupplyDays: f.SupplyDays, TraceCode: f.TraceCode}
	}
	return rec
}

// batch decodes the rows of a logged record.
func (r *walRecord) batch() *batch {
	b := &batch{visits: make([]claims.Visit, len(r.Visits)), fees: make([]claims.FeeLine, len(r.Fees))}
	for i, v := range r.Visits {
		b.visits[i] = claims.Visit{MdtrtID: v.MdtrtID, SetlID: v.SetlID, PsnNo: v.PsnNo, InstitutionCode: v.Inst,
			MedType: claims.MedType(v.MedType), Begin: claims.Time(v.Begin), End: claims.Time(v.End),
			DoctorCode: v.Doctor, DiseCode: v.DiseCode, DiseName: v.DiseName, MedFee: claims.Money(v.MedFee),
			FundPay: claims.Money(v.FundPay), CertType: claims.CertType(v.CertType), Refund: v.Refund}
	}
	for i, f := range r.Fees {
		b.fees[i] = claims.FeeLine{FeedetlSn: f.FeedetlSn, MdtrtID: f.MdtrtID, ItemCode: f.ItemCode, ItemName: f.ItemName,
			ListType: f.ListType, Count: f.Count, Price: claims.Price(f.Price), Amount: claims.Money(f.Amount),
			Time: claims.Time(f.Time), DoctorCode: f.DoctorCode, SupplyDays: f.SupplyDays, TraceCode: f.TraceCode}
	}
	return b
}

// wal is an open claims log. Its methods are not safe for concurrent use;
// the server calls append under its intake mutex.
type wal struct {
	f      *os.File
	path   string
	size   int64 // bytes of whole records (and the magic)
	broken error // set when a failed write could not be undone
	// readOnly marks a log read while another process appends to it
	// (readWAL): a record cut short is where the writer is, not damage.
	readOnly bool
}

// errWALBroken refuses intake after the log could not be written.
var errWALBroken = errors.New("the claims log could not be written; intake is stopped until the server restarts")

// openWAL opens (creating it when missing) the claims log of dir and
// returns its records. A damaged final record, the trace of a crash in
// the middle of a write, is detected by its checksum or its length and cut
// off (warn is told, with the offset); damage followed by more data is an
// error, since cutting there would drop acknowledged claims.
//
// The log is locked while open (flock): a second server on the same state
// directory waits up to walLockWait for the first to stop (a process
// being replaced, see handover.go), then fails.
func openWAL(dir string, warn func(format string, args ...any)) (*wal, []*walRecord, error) {
	return openWALWait(dir, warn, walLockWait, 0)
}

// walLockWait is how long openWAL waits for the claims log's lock.
const walLockWait = 30 * time.Second

// errLogLocked is tryLock's answer when another process holds the lock.
var errLogLocked = errors.New("locked")

// openWALWait is openWAL waiting up to wait for the lock, returning the
// records from the byte offset from on (0: all of them): a process that
// read the log before (readWAL, or its own appends) reads only what was
// written since, not the whole log again.
func openWALWait(dir string, warn func(format string, args ...any), wait time.Duration, from int64) (*wal, []*walRecord, error) {
	path := filepath.Join(dir, walFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open claims log: %w", err)
	}
	for deadline, warned := time.Now().Add(wait), false; ; {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLogLocked) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, errLogLocked) {
				return nil, nil, fmt.Errorf("claims log %s is in use by another server (two servers must not share a state directory)", path)
			}
			return nil, nil, fmt.Errorf("lock claims log: %w", err)
		}
		if !warned && warn != nil {
			warn("claims log %s is in use by another process; waiting up to %v for it to stop", filepath.Base(path), wait)
			warned = true
		}
		time.Sleep(50 * time.Millisecond)
	}
	w := &wal{f: f, path: path}
	recs, err := w.load(warn, from)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("claims log %s: %w", path, err)
	}
	return w, recs, nil
}

// readWAL reads the complete records of the claims log of dir without
// writing to it (a successor process's start, while the serving process
// appends): a final record cut short is left alone and not returned. It
// also returns the byte offset where the records read end (0 for a
// missing log, which has no records), from which openWALWait reads on.
func readWAL(dir string) ([]*walRecord, int64, error) {
	path := filepath.Join(dir, walFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open claims log: %w", err)
	}
	defer f.Close()
	w := &wal{f: f, path: path, readOnly: true}
	recs, err := w.load(nil, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("claims log %s: %w", path, err)
	}
	return recs, w.size, nil
}

// load reads the log's records from the byte offset from on (0: from the
// start), cutting off a torn final record. The records before from were
// read and checked before: the log is only appended to, and only its
// final record can be torn.
func (w *wal) load(warn func(format string, args ...any), from int64) ([]*walRecord, error) {
	info, err := w.f.Stat()
	if err != nil {
		return nil, err
	}
	total := info.Size()
	if total == 0 && w.readOnly {
		return nil, nil
	}
	if total == 0 {
		if _, err := w.f.WriteAt([]byte(walMagic), 0); err != nil {
			return nil, fmt.Errorf("write header: %w", err)
		}
		if err := w.f.Sync(); err != nil {
			return nil, fmt.Errorf("sync: %w", err)
		}
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			return nil, err
		}
		w.size = int64(len(walMagic))
		return nil, nil
	}
	if from > int64(len(walMagic)) {
		return w.loadFrom(warn, from, total)
	}
	r := bufio.NewReaderSize(io.NewSectionReader(w.f, 0, total), 1<<20)
	magic := make([]byte, len(walMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != walMagic {
		if total < int64(len(walMagic)) && string(magic[:total]) == walMagic[:total] {
			// Crashed while writing the header of a new log.
			return nil, w.cut(0, total, warn, "incomplete header")
		}
		return nil, errors.New("not a RingLens claims log (bad header)")
	}
	return w.records(r, warn, int64(len(walMagic)), total)
}

// loadFrom is load from a byte offset after the header: the header is
// checked, and the records from from on are read.
func (w *wal) loadFrom(warn func(format string, args ...any), from, total int64) ([]*walRecord, error) {
	if from > total {
		return nil, fmt.Errorf("the log is %d bytes, shorter than the %d read before: it was replaced or cut", total, from)
	}
	magic := make([]byte, len(walMagic))
	if _, err := w.f.ReadAt(magic, 0); err != nil || string(magic) != walMagic {
		return nil, errors.New("not a RingLens claims log (bad header)")
	}
	return w.records(bufio.NewReaderSize(io.NewSectionReader(w.f, from, total-from), 1<<20), warn, from, total)
}

// records reads the records of r, which starts at byte off of the log and
// ends at total, cutting off a torn final record.
func (w *wal) records(r *bufio.Reader, warn func(format string, args ...any), off, total int64) ([]*walRecord, error) {
	var recs []*walRecord
	hdr := make([]byte, walHeader)
	for off < total {
		n, err := io.ReadFull(r, hdr)
		if err != nil {
			return recs, w.cut(off, total, warn, fmt.Sprintf("incomplete record header (%d bytes)", n))
		}
		size := binary.LittleEndian.Uint32(hdr[0:4])
		sum := binary.LittleEndian.Uint32(hdr[4:8])
		end := off + walHeader + int64(size)
		if size == 0 || size > maxWALRecord {
			if allZero(w.f, off, total) {
				return recs, w.cut(off, total, warn, "zero-filled tail")
			}
			return nil, fmt.Errorf("damaged record at offset %d (length %d) followed by more data; move the log aside to start", off, size)
		}
		if end > total {
			return recs, w.cut(off, total, warn, fmt.Sprintf("record of %d bytes ends past the end of the file", size))
		}
		payload := make([]byte, size)
		if _, err := io.ReadFull(r, payload); err != nil {
			return nil, fmt.Errorf("read record at offset %d: %w", off, err)
		}
		rec := new(walRecord)
		if crc32.Checksum(payload, castagnoli) != sum || json.Unmarshal(payload, rec) != nil {
			if end == total {
				return recs, w.cut(off, total, warn, "checksum mismatch in the final record")
			}
			return nil, fmt.Errorf("checksum mismatch in the record at offset %d, followed by more data; move the log aside to start", off)
		}
		recs = append(recs, rec)
		off = end
	}
	w.size = off
	return recs, nil
}

// cut truncates the log at off, dropping a torn tail, and warns.
func (w *wal) cut(off, total int64, warn func(format string, args ...any), why string) error {
	if w.readOnly {
		w.size = off
		return nil
	}
	warn("claims log %s: torn final record at offset %d (%s): %d bytes truncated; that batch was never acknowledged",
		filepath.Base(w.path), off, why, total-off)
	if off == 0 {
		if _, err := w.f.WriteAt([]byte(walMagic), 0); err != nil {
			return fmt.Errorf("rewrite header: %w", err)
		}
		off = int64(len(walMagic))
	}
	if err := w.f.Truncate(off); err != nil {
		return fmt.Errorf("truncate torn record: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	w.size = off
	return nil
}

// allZero reports whether the bytes of f from off to total are all zero
// (a file system may extend a file with zeros after a crash).
func allZero(f *os.File, off, total int64) bool {
	buf := make([]byte, 64<<10)
	for off < total {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), total-off)], off)
		for _, c := range buf[:n] {
			if c != 0 {
				return false
			}
		}
		if err != nil && n == 0 {
			return false
		}
		off += int64(n)
	}
	return true
}

// append writes rec and fsyncs the log. When the write fails, the log is
// cut back to its previous end; when that or the fsync fails, the log is
// marked broken and every later append fails.
func (w *wal) append(rec *walRecord) error {
	if w.broken != nil {
		return errWALBroken
	}
	payload, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode claims record: %w", err)
	}
	if len(payload) > maxWALRecord {
		return fmt.Errorf("claims record of %d bytes exceeds the log's limit", len(payload))
	}
	buf := make([]byte, walHeader+len(payload))
	binary.LittleEndian.PutUint32(buf[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[4:8], crc32.Checksum(payload, castagnoli))
	copy(buf[walHeader:], payload)
	if _, err := w.f.WriteAt(buf, w.size); err != nil {
		if terr := w.f.Truncate(w.size); terr != nil {
			w.broken = terr
		}
		return fmt.Errorf("write claims log: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		// After a failed fsync the page cache state is unknown.
		w.broken = err
		return fmt.Errorf("sync claims log: %w", err)
	}
	w.size += int64(len(buf))
	return nil
}

// close closes the log file.
func (w *wal) close() error { return w.f.Close() }

// syncDir fsyncs a directory, making a created or renamed entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic writes data to path by writing a temporary file beside
// it, fsyncing it and renaming it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
