//go:build unix

package ingest

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

var (
	benchVisits  = flag.Int("ingest.visits", 1_000_000, "visits in the synthetic benchmark dataset (fee lines: 3 per visit)")
	benchWorkers = flag.Int("ingest.workers", 0, "Options.Workers for BenchmarkLoad")
)

// writeSynthetic writes a synthetic dataset of visits visits and 3 fee
// lines per visit to dir and returns its total size in bytes.
func writeSynthetic(tb testing.TB, dir string, visits int) int64 {
	tb.Helper()
	persons := visits/20 + 1
	const insts, doctors, items = 500, 4000, 5000
	var total int64
	write := func(name, header string, n int, row func(b []byte, i int) []byte) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header + "\n")
		var b []byte
		for i := 0; i < n; i++ {
			b = row(b[:0], i)
			b = append(b, '\n')
			w.Write(b)
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		st, _ := f.Stat()
		total += st.Size()
		f.Close()
	}
	num := func(b []byte, prefix string, i, width int) []byte {
		b = append(b, prefix...)
		s := strconv.Itoa(i)
		for k := len(s); k < width; k++ {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	write("psn.csv", "psn_no,gend,brdy,insutype,psn_name,certno,insuplc_admdvs,die_date", persons, func(b []byte, i int) []byte {
		b = num(b, "P42100300", i, 12)
		b = append(b, ",1,1970-01-01,310,张三,110101197001010011,421003,"...)
		return b
	})
	write("fixmedins.csv", "fixmedins_code,fixmedins_name,fixmedins_type,hosp_lv,admdvs,bed_cnt,lat,lon", insts, func(b []byte, i int) []byte {
		b = num(b, "H42", i, 9)
		b = append(b, ",某某诊所,1,,421003,,30.1,112.2"...)
		return b
	})
	write("staff.csv", "dr_code,fixmedins_code,dr_name,dept_code,prof", doctors, func(b []byte, i int) []byte {
		b = num(b, "D421003", i, 6)
		b = num(append(b, ','), "H42", i%insts, 9)
		return append(b, ",李医生,A01,doctor"...)
	})
	write("catalog.csv", "med_list_codg,med_list_name,list_type,lmt_gend,lmt_age_min,lmt_age_max,max_days,pric_uplmt_amt", items, func(b []byte, i int) []byte {
		b = num(b, "XA01", i, 8)
		return append(b, ",阿莫西林胶囊,101,,,,7,12.50"...)
	})
	write("mdtrt.csv", "mdtrt_id,setl_id,psn_no,fixmedins_code,med_type,begntime,endtime,atddr_no,dise_codg,dise_name,medfee_sumamt,fund_pay_sumamt,mdtrt_cert_type,refd_setl_flag", visits, func(b []byte, i int) []byte {
		b = num(b, "MD4210032024", i, 12)
		b = num(append(b, ','), "ST4210032024", i, 12)
		b = num(append(b, ','), "P42100300", (i*7919)%persons, 12)
		b = num(append(b, ','), "H42", i%insts, 9)
		day := 1 + i%28
		b = append(b, ",11,2024-03-"...)
		b = num(b, "", day, 2)
		b = append(b, " 09:"...)
		b = num(b, "", i%60, 2)
		b = append(b, ":00,,"...)
		b = num(b, "D421003", i%doctors, 6)
		b = append(b, ",J06.900,急性上呼吸道感染,"...)
		b = strconv.AppendInt(b, int64(100+i%900), 10)
		b = append(b, ".50,"...)
		b = strconv.AppendInt(b, int64(50+i%50), 10) // below medfee_sumamt (100 and up)
		return append(b, ".25,01,0"...)
	})
	write("fee_list.csv", "feedetl_sn,mdtrt_id,med_list_codg,med_list_name,list_type,cnt,pric,det_item_fee_sumamt,fee_ocur_time,bilg_dr_codg,prd_days,drug_trac_codg", 3*visits, func(b []byte, i int) []byte {
		v := i / 3
		b = num(b, "FD", i, 14)
		b = num(append(b, ','), "MD4210032024", v, 12)
		b = num(append(b, ','), "XA01", (i*31)%items, 8)
		b = append(b, ",阿莫西林胶囊,101,2,12.5,25.00,2024-03-"...)
		b = num(b, "", 1+v%28, 2)
		b = append(b, " 09:10:00,"...)
		b = num(b, "D421003", v%doctors, 6)
		return append(b, ",7,"...)
	})
	return total
}

// BenchmarkLoad measures Load on a synthetic dataset (default 1M visits and
// 3M fee lines; set -ingest.visits).
func BenchmarkLoad(b *testing.B) {
	dir := os.Getenv("INGEST_BENCH_DIR") // reuse a dataset across runs when set
	var size int64
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "fee_list.csv")); err == nil {
			size = dirSize(b, dir)
		}
	} else {
		dir = b.TempDir()
	}
	if size == 0 {
		start := time.Now()
		size = writeSynthetic(b, dir, *benchVisits)
		b.Logf("generated %d MB in %v", size>>20, time.Since(start))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	var peak uint64
	var rows int64
	for i := 0; i < b.N; i++ {
		res, err := Load(context.Background(), dir, Options{Workers: *benchWorkers}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range res.Files {
			if f.Rejected != 0 {
				b.Fatalf("%s: %d rejected", f.Path, f.Rejected)
			}
			rows += f.Read
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak {
			peak = ms.HeapInuse
		}
		runtime.KeepAlive(res)
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	el := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/float64(b.N)/el, "rows/s")
	b.ReportMetric(float64(peak>>20), "heapMB")
}

func dirSize(tb testing.TB, dir string) int64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}

// cpuSeconds returns the user and system CPU time of the process so far:
// on a shared machine it tells more than the wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}
