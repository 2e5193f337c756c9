#!/usr/bin/env bash
# make_cities.sh N FIRSTSEED OUTROOT
# Writes OUTROOT/city-00 .. city-(N-1), one simulated city-year each, with varied seeds, population sizes
# and column conditions; validates each with check.py; writes OUTROOT/summary.tsv.
set -u
if [ $# -ne 3 ]; then echo "usage: $0 N FIRSTSEED OUTROOT" >&2; exit 2; fi
N=$1; FIRST=$2; ROOT=$3
HERE="$(cd "$(dirname "$0")" && pwd)"
PY=${PYTHON:-python3}
mkdir -p "$ROOT"
# condition cycle: name|--drop value
CONDS=(
  "all|"
  "required_only|optional"
  "no_coords_no_regions|lat,lon,admdvs,insuplc_admdvs"
  "all|"
  "no_doctor_codes_on_visits|atddr_no,bilg_dr_codg"
  "required_only|optional"
  "no_trace_no_cert|drug_trac_codg,mdtrt_cert_type"
  "all|"
  "no_names_no_diagnosis|psn_name,certno,dr_name,dise_codg,dise_name,med_list_name"
  "no_coords_no_doctor_codes|lat,lon,atddr_no,bilg_dr_codg"
)
printf "city\tseed\tpeople\tcondition\tdrop\tseconds\tvisits\tfee_lines\tpersons\trings\tcheck\n" > "$ROOT/summary.tsv"
fail=0
for ((i=0; i<N; i++)); do
  city=$(printf "city-%02d" "$i")
  seed=$((FIRST + i))
  c=${CONDS[$((i % ${#CONDS[@]}))]}
  cname=${c%%|*}; drop=${c#*|}
  people=$((27000 + (seed * 7919 % 7) * 1000))
  out="$ROOT/$city"
  rm -rf "$out"
  t0=$(date +%s.%N)
  if [ -n "$drop" ]; then
    "$PY" "$HERE/gen.py" --seed "$seed" --out "$out" --people "$people" --drop "$drop" > "$ROOT/$city.log" 2>&1
  else
    "$PY" "$HERE/gen.py" --seed "$seed" --out "$out" --people "$people" > "$ROOT/$city.log" 2>&1
  fi
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  if [ $rc -ne 0 ]; then
    echo "$city: generation FAILED (see $ROOT/$city.log)" >&2; fail=1
    printf "%s\t%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\tGEN-FAIL\n" "$city" "$seed" "$people" "$cname" "$drop" "$secs" >> "$ROOT/summary.tsv"
    continue
  fi
  "$PY" "$HERE/check.py" "$out" > "$ROOT/$city.check.txt" 2>&1
  ck=$([ $? -eq 0 ] && echo OK || echo FAIL)
  [ "$ck" = OK ] || fail=1
  read -r v f p r < <("$PY" -c "import json,sys;t=json.load(open(sys.argv[1]));print(t['visits'],t['fee_lines'],t['persons'],len(t['rings']))" "$out/truth.json")
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$city" "$seed" "$people" "$cname" "$drop" "$secs" "$v" "$f" "$p" "$r" "$ck" >> "$ROOT/summary.tsv"
  echo "$city seed=$seed cond=$cname ${secs}s visits=$v fee_lines=$f persons=$p rings=$r check=$ck"
done
exit $fail
