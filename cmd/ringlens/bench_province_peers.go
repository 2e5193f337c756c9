package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/bits"
	"path/filepath"
	"strings"
)

// Reference people (bench province --reference-people SHARE). A partition
// judges its sites against peers: the median visit of its clinics, the
// rate at which its hospitals' patients are flagged, and so on. A
// partition of a few sites (a distant city with six clinics and two
// hospitals) has too few peers for those baselines, and reports rings
// that the whole province, judging the same sites against a hundred
// clinics, does not. So each partition is given, besides its own claims,
// every claim of a sample of the other partitions' people: a share of the
// people it does not treat, drawn by a hash of the partition's region and
// the person's psn_no, with their visits and fee lines, the staff those
// name and the institutions of those. The sampled people's sites take part
// in the baselines with a random share of their patients, each patient
// with a whole history, so that a site's per-visit values and its
// patients' patterns are those of the site. (Whole reference sites, tried
// first, truncate their patients' histories to the reference sites: at 3M
// they made the partitions report their own tertiary hospitals as rings.)
// A ring is the partition's when one of its institutions is the
// partition's own (detect --region, rings.Options.Region); rings of
// sampled sites only are left to their own partitions. The cross-partition pass reads the partitions' own claims
// only, as before.

// peerSplit is the partitions' detection inputs with reference people.
type peerSplit struct {
	root   string
	people []int // per partition: reference people added
	visits []int // per partition: their visit rows added
}

// dir is the detection input of the partition of region reg.
func (p *peerSplit) dir(reg string) string { return filepath.Join(p.root, reg) }

// referencePick reports whether the partition of region reg samples the
// person psn at the given share: a hash of both below share of its range,
// a draw that depends on the region and the person only.
func referencePick(reg, psn string, share float64) bool {
	h := fnv.New64a()
	h.Write([]byte(reg))
	h.Write([]byte{0})
	h.Write([]byte(psn))
	// FNV's high bits are poorly mixed for keys that differ in their last
	// characters: the SplitMix64 finaliser spreads them.
	x := h.Sum64()
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11)/(1<<53) < share
}

// addReferencePeople writes under dst one data directory per partition of
// sp: its own files (read from sp) and every claim, from the city in src,
// of the people of other partitions it samples (referencePick): their
// visits and fee lines, their persons' rows, the staff registered at the
// visits' sites or on their claims and the institutions of those, each row
// once.
func addReferencePeople(ctx context.Context, src, dst string, sp *citySplit, share float64) (*peerSplit, error) {
	ps := &peerSplit{root: dst, people: make([]int, len(sp.regions)), visits: make([]int, len(sp.regions))}
	// The partitions that treat a person (sp.persons) do not sample the
	// person.
	sampled := make(map[string]partMask, len(sp.persons)/4)
	for psn, mask := range sp.persons {
		var pick partMask
		for i, reg := range sp.regions {
			if mask&(partMask(1)<<i) == 0 && referencePick(reg, psn, share) {
				pick |= partMask(1) << i
			}
		}
		if pick != 0 {
			sampled[psn] = pick
			eachPart(pick, func(i int) error { ps.people[i]++; return nil })
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	ws := make([]*dataWriter, len(sp.regions))
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.close()
			}
		}
	}()
	// Keys already in each partition, so that no row is written twice.
	haveStaff := make([]map[[2]string]bool, len(ws))
	haveInst := make([]map[string]bool, len(ws))
	for i, reg := range sp.regions {
		w, err := newDataWriter(ps.dir(reg))
		if err != nil {
			return nil, err
		}
		ws[i] = w
		haveStaff[i], haveInst[i] = map[[2]string]bool{}, map[string]bool{}
		for _, base := range []string{filePsn, fileFixmedins, fileStaff, fileMdtrt, fileFees} {
			err := scanTable(sp.dir(reg), base, func(t *tableReader, row []string) error {
				switch base {
				case fileStaff:
					haveStaff[i][[2]string{strings.Clone(field(row, t.col("dr_code"))), strings.Clone(field(row, t.col("fixmedins_code")))}] = true
				case fileFixmedins:
					haveInst[i][strings.Clone(field(row, t.col("fixmedins_code")))] = true
				}
				return w.write(base, t.header, row)
			})
			if err != nil {
				return nil, fmt.Errorf("partition %s: %w", reg, err)
			}
		}
		if err := copyTable(sp.dir(reg), w.dir, fileCatalog); err != nil {
			return nil, err
		}
	}

	// The sampled people's visits and fee lines, to every partition that
	// samples them.
	visitMask := map[string]partMask{}
	sites, doctors := map[string]partMask{}, map[string]partMask{}
	err := scanColumns(src, fileMdtrt, []string{"psn_no", "mdtrt_id", "fixmedins_code", "atddr_no"}, func(t *tableReader, row []string, c []int) error {
		mask := sampled[field(row, c[0])]
		if mask == 0 {
			return nil
		}
		visitMask[strings.Clone(field(row, c[1]))] = mask
		addMask(sites, field(row, c[2]), mask)
		if d := field(row, c[3]); d != "" {
			addMask(doctors, d, mask)
		}
		return eachPart(mask, func(i int) error {
			ps.visits[i]++
			return ws[i].write(fileMdtrt, t.header, row)
		})
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	err = scanColumns(src, fileFees, []string{"mdtrt_id", "bilg_dr_codg"}, func(t *tableReader, row []string, c []int) error {
		mask := visitMask[field(row, c[0])]
		if mask == 0 {
			return nil
		}
		if d := field(row, c[1]); d != "" {
			addMask(doctors, d, mask)
		}
		return eachPart(mask, func(i int) error { return ws[i].write(fileFees, t.header, row) })
	})
	if err != nil {
		return nil, err
	}
	err = scanTable(src, filePsn, func(t *tableReader, row []string) error {
		return eachPart(sampled[field(row, t.col("psn_no"))], func(i int) error { return ws[i].write(filePsn, t.header, row) })
	})
	if err != nil {
		return nil, err
	}
	err = scanTable(src, fileStaff, func(t *tableReader, row []string) error {
		key := [2]string{field(row, t.col("dr_code")), field(row, t.col("fixmedins_code"))}
		mask := doctors[key[0]] | sites[key[1]]
		addMask(sites, key[1], mask)
		return eachPart(mask, func(i int) error {
			if haveStaff[i][key] {
				return nil
			}
			return ws[i].write(fileStaff, t.header, row)
		})
	})
	if err != nil {
		return nil, err
	}
	err = scanTable(src, fileFixmedins, func(t *tableReader, row []string) error {
		code := field(row, t.col("fixmedins_code"))
		return eachPart(sites[code], func(i int) error {
			if haveInst[i][code] {
				return nil
			}
			return ws[i].write(fileFixmedins, t.header, row)
		})
	})
	if err != nil {
		return nil, err
	}
	for i, w := range ws {
		ws[i] = nil
		if err := w.close(); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// eachPart calls fn with the index of every partition in mask, in order.
func eachPart(mask partMask, fn func(i int) error) error {
	for ; mask != 0; mask &= mask - 1 {
		if err := fn(bits.TrailingZeros64(uint64(mask))); err != nil {
			return err
		}
	}
	return nil
}
