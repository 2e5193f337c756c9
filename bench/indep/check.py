#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Validate one generated city directory against the data contract (docs/data-contract.md).

Usage: check.py DIR [--quiet]
Exit status 1 when an ERROR is found.  WARN lines are contract-legal oddities; INFO lines are statistics,
including rule-relevant facts that the planted rings are expected to produce.
"""
import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter, defaultdict

REQ = {
    'psn': ['psn_no', 'gend', 'brdy'],
    'fixmedins': ['fixmedins_code', 'fixmedins_name', 'fixmedins_type'],
    'staff': ['dr_code', 'fixmedins_code'],
    'mdtrt': ['mdtrt_id', 'psn_no', 'fixmedins_code', 'med_type', 'begntime', 'medfee_sumamt', 'fund_pay_sumamt'],
    'fee_list': ['feedetl_sn', 'mdtrt_id', 'med_list_codg', 'cnt', 'pric', 'det_item_fee_sumamt', 'fee_ocur_time'],
    'catalog': ['med_list_codg', 'med_list_name'],
}
OPT = {
    'psn': ['insutype', 'psn_name', 'certno', 'insuplc_admdvs', 'die_date'],
    'fixmedins': ['hosp_lv', 'admdvs', 'bed_cnt', 'lat', 'lon'],
    'staff': ['dr_name', 'dept_code', 'prof'],
    'mdtrt': ['setl_id', 'endtime', 'atddr_no', 'dise_codg', 'dise_name', 'mdtrt_cert_type', 'refd_setl_flag'],
    'fee_list': ['med_list_name', 'list_type', 'bilg_dr_codg', 'prd_days', 'drug_trac_codg'],
    'catalog': ['list_type', 'lmt_gend', 'lmt_age_min', 'lmt_age_max', 'max_days', 'pric_uplmt_amt'],
}
MED_TYPES = {'11', '13', '14', '21', '22', '23', '24', '25', '26', '27', '28', '41'}
TYPOLOGIES = {'fabricated_outpatient', 'lockstep_swiping', 'fake_hospitalisation', 'card_collection',
              'drug_reselling', 'pharmacy_cashout', 'borrowed_qualification', 'unclassified'}
NEG_KINDS = {'family', 'carer', 'chronic_refill', 'large_hospital', 'school_clinic', 'workplace_clinic',
             'nursing_home', 'placeholder_doctor'}
MEMBER_KINDS = {'patient', 'doctor', 'clinic', 'hospital', 'station', 'pharmacy'}

RE_MONEY2 = re.compile(r'^-?\d+(\.\d{1,2})?$')
RE_MONEY6 = re.compile(r'^-?\d+(\.\d{1,6})?$')
RE_INT = re.compile(r'^-?\d+$')
RE_NUM = re.compile(r'^-?\d+(\.\d+)?$')
RE_ADM = re.compile(r'^\d{6}$')
RE_DR = re.compile(r'^(D\d{12}|H[YJ]\d{12})$')
RE_ICD = re.compile(r'^[A-Z]\d{2}(\.[0-9x]{1,3}(x\d{3})?)?$')
RE_TRACE = re.compile(r'^\d{20}$')


class Checker:
    def __init__(self, d, quiet=False):
        self.d = d
        self.quiet = quiet
        self.errors = Counter()
        self.err_ex = {}
        self.warns = Counter()
        self.info = {}

    def err(self, key, example=''):
        self.errors[key] += 1
        self.err_ex.setdefault(key, example)

    def warn(self, key):
        self.warns[key] += 1

    def read(self, name):
        path = os.path.join(self.d, name + '.csv')
        if not os.path.exists(path):
            return None, None
        raw = open(path, 'rb').read()
        try:
            txt = raw.decode('utf-8-sig')
        except UnicodeDecodeError:
            self.err('%s: not UTF-8' % name)
            txt = raw.decode('gb18030')
        if raw.startswith(b'\xef\xbb\xbf'):
            self.info['%s_bom' % name] = True
        rows = list(csv.reader(txt.splitlines()))
        header = rows[0]
        if len(set(header)) != len(header):
            self.err('%s: duplicate column names' % name)
        for c in REQ[name]:
            if c not in header:
                self.err('%s: required column %s missing' % (name, c))
        extra = [c for c in header if c not in REQ[name] and c not in OPT[name]]
        if extra:
            self.info['%s_unknown_columns' % name] = extra
        out = []
        ix = {c: i for i, c in enumerate(header)}
        for k, r in enumerate(rows[1:]):
            if len(r) != len(header):
                self.err('%s: row with wrong field count' % name, str(k))
                continue
            rec = {c: r[i] for c, i in ix.items()}
            for c in REQ[name]:
                if c in rec and rec[c] == '':
                    self.err('%s: empty required %s' % (name, c), str(r)[:200])
            out.append(rec)
        return header, out

    @staticmethod
    def pdt(s):
        n = len(s)
        try:
            if n == 19:
                return dt.datetime(int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]), int(s[17:19])) \
                    if s[4] == '-' and s[7] == '-' and s[10] in ' T' and s[13] == ':' and s[16] == ':' else None
            if n == 14 and s.isdigit():
                return dt.datetime(int(s[0:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:14]))
        except ValueError:
            return None
        return None

    @staticmethod
    def pdate(s):
        try:
            if len(s) == 10 and s[4] == '-' and s[7] == '-':
                return dt.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
            if len(s) == 8 and s.isdigit():
                return dt.date(int(s[0:4]), int(s[4:6]), int(s[6:8]))
        except ValueError:
            return None
        return None

    @staticmethod
    def cents(s):
        neg = s.startswith('-')
        s = s.lstrip('-')
        if '.' in s:
            a, b = s.split('.')
            v = int(a) * 100 + int((b + '00')[:2])
        else:
            v = int(s) * 100
        return -v if neg else v

    @staticmethod
    def micro(s):
        if '.' in s:
            a, b = s.split('.')
            return int(a) * 10 ** 6 + int((b + '000000')[:6])
        return int(s) * 10 ** 6

    def run(self):
        d = self.d
        truth = None
        tp = os.path.join(d, 'truth.json')
        if os.path.exists(tp):
            truth = json.load(open(tp, encoding='utf-8'))
        else:
            self.err('truth.json missing')
        headers = {}
        data = {}
        for name in ('psn', 'fixmedins', 'staff', 'mdtrt', 'fee_list', 'catalog'):
            h, rows = self.read(name)
            if h is None:
                if name != 'catalog':
                    self.err('%s.csv missing' % name)
                continue
            headers[name], data[name] = h, rows
        if truth:
            for c in truth.get('dropped', []):
                for name, h in headers.items():
                    if c in h and c not in REQ[name]:
                        self.err('dropped column %s present in %s' % (c, name))
        # ---- psn
        psn = {}
        for r in data.get('psn', []):
            if r['psn_no'] in psn:
                self.err('psn: duplicate psn_no', r['psn_no'])
            if len(r['psn_no']) > 30:
                self.err('psn: psn_no longer than 30')
            if r['gend'] not in ('1', '2', '男', '女'):
                self.err('psn: bad gend', r['gend'])
            b = self.pdate(r['brdy'])
            if b is None:
                self.err('psn: bad brdy', r['brdy'])
            if r.get('insutype', '') not in ('', '310', '390', '340'):
                self.err('psn: bad insutype', r['insutype'])
            if r.get('insuplc_admdvs') and not RE_ADM.match(r['insuplc_admdvs']):
                self.err('psn: bad insuplc_admdvs', r['insuplc_admdvs'])
            die = None
            if r.get('die_date'):
                die = self.pdate(r['die_date'])
                if die is None:
                    self.err('psn: bad die_date', r['die_date'])
            if r.get('certno'):
                c = r['certno']
                w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
                if len(c) != 18 or '10X98765432'[sum(int(x) * w[i] for i, x in enumerate(c[:17])) % 11] != c[17]:
                    self.warn('psn: certno checksum')
            g = {'1': 1, '2': 2, '男': 1, '女': 2}.get(r['gend'])
            psn[r['psn_no']] = (g, b, die)
        self.info['persons'] = len(psn)
        # ---- fixmedins
        sites = {}
        for r in data.get('fixmedins', []):
            c = r['fixmedins_code']
            if c in sites:
                self.err('fixmedins: duplicate code', c)
            if len(c) > 12:
                self.err('fixmedins: code longer than 12', c)
            if r['fixmedins_type'] not in ('1', '2'):
                self.err('fixmedins: bad type', r['fixmedins_type'])
            if r.get('admdvs') and not RE_ADM.match(r['admdvs']):
                self.err('fixmedins: bad admdvs', r['admdvs'])
            if r.get('bed_cnt') and not RE_INT.match(r['bed_cnt']):
                self.err('fixmedins: bad bed_cnt', r['bed_cnt'])
            for k, lo, hi in (('lat', 3, 54), ('lon', 73, 136)):
                if r.get(k):
                    if not RE_NUM.match(r[k]) or not lo <= float(r[k]) <= hi:
                        self.err('fixmedins: bad %s' % k, r[k])
            sites[c] = r
        self.info['sites'] = len(sites)
        self.info['hosp_lv_values'] = sorted(Counter(r.get('hosp_lv', '') for r in sites.values()))[:15]
        # ---- staff
        staff = defaultdict(set)
        nonconf = set()
        for r in data.get('staff', []):
            c = r['dr_code']
            if r['fixmedins_code'] not in sites:
                self.err('staff: unknown fixmedins_code', r['fixmedins_code'])
            if r['fixmedins_code'] in staff[c]:
                self.err('staff: duplicate (dr_code, site)', c)
            staff[c].add(r['fixmedins_code'])
            if not RE_DR.match(c):
                nonconf.add(c)
            if r.get('prof') and r['prof'] not in ('doctor', 'nurse', 'pharmacist', 'technician'):
                self.err('staff: bad prof', r['prof'])
        placeholder = set()
        if truth:
            for n in truth.get('hard_negatives', []):
                if n.get('kind') == 'placeholder_doctor':
                    for m in n['members']:
                        if m['kind'] == 'doctor':
                            placeholder.add(m['id'])
        for c in nonconf:
            if c in placeholder:
                self.warn('staff: placeholder code registered (%s)' % c)
            else:
                self.err('staff: dr_code format', c)
        self.info['staff_codes'] = len(staff)
        self.info['multi_site_codes'] = sum(1 for v in staff.values() if len(v) > 1)
        # ---- catalog
        cat = {}
        for r in data.get('catalog', []):
            if r['med_list_codg'] in cat:
                self.err('catalog: duplicate code')
            cat[r['med_list_codg']] = r
            if r.get('list_type', '') not in ('', '101', '102', '201', '301'):
                self.err('catalog: bad list_type', r['list_type'])
            if r.get('pric_uplmt_amt') and not RE_MONEY6.match(r['pric_uplmt_amt']):
                self.err('catalog: bad cap', r['pric_uplmt_amt'])
        # ---- mdtrt
        p0 = p1 = None
        if truth:
            p0 = dt.datetime.fromisoformat(truth['period_start'])
            p1 = dt.datetime.fromisoformat(truth['period_end']) + dt.timedelta(days=1)
        vis = {}
        mt_count = Counter()
        cert_count = Counter()
        after_death = 0
        fund_share = []
        for r in data.get('mdtrt', []):
            m = r['mdtrt_id']
            if m in vis:
                self.err('mdtrt: duplicate mdtrt_id', m)
            if len(m) > 30:
                self.err('mdtrt: mdtrt_id longer than 30', m)
            if r['psn_no'] not in psn:
                self.err('mdtrt: unknown psn_no', r['psn_no'])
            s = sites.get(r['fixmedins_code'])
            if s is None:
                self.err('mdtrt: unknown fixmedins_code', r['fixmedins_code'])
            mt = r['med_type']
            mt_count[mt] += 1
            if mt not in MED_TYPES:
                self.err('mdtrt: bad med_type', mt)
            if s is not None:
                if (mt == '41') != (s['fixmedins_type'] == '2'):
                    self.err('mdtrt: med_type 41 iff pharmacy', '%s %s' % (mt, s['fixmedins_type']))
            b = self.pdt(r['begntime'])
            if b is None:
                self.err('mdtrt: bad begntime', r['begntime'])
                continue
            e = None
            if r.get('endtime'):
                e = self.pdt(r['endtime'])
                if e is None:
                    self.err('mdtrt: bad endtime', r['endtime'])
                elif e < b:
                    self.err('mdtrt: endtime before begntime', m)
            if mt[0] == '2' and e is None:
                self.err('mdtrt: inpatient without endtime', m)
            if p0 and not (p0 <= b < p1):
                self.err('mdtrt: begntime outside period', r['begntime'])
            if p0 and e is not None and not (p0 <= e < p1):
                self.err('mdtrt: endtime outside period', r['endtime'])
            for k in ('medfee_sumamt', 'fund_pay_sumamt'):
                if not RE_MONEY2.match(r[k]):
                    self.err('mdtrt: bad money %s' % k, r[k])
            tot, fund = self.cents(r['medfee_sumamt']), self.cents(r['fund_pay_sumamt'])
            if tot < 0 or fund < 0:
                self.err('mdtrt: negative amount without refund flag', m)
            if fund > tot:
                self.err('mdtrt: fund pay exceeds total', m)
            if tot:
                fund_share.append(fund / tot)
            a = r.get('atddr_no', '')
            if a and a not in staff and a not in placeholder:
                self.err('mdtrt: atddr_no not in staff', a)
            if a and a in staff and r['fixmedins_code'] not in staff[a] and a not in placeholder:
                self.err('mdtrt: atddr_no not registered at the visit site', a + ' ' + r['fixmedins_code'])
            c = r.get('mdtrt_cert_type', '')
            cert_count[c] += 1
            if c not in ('', '01', '02', '03'):
                self.err('mdtrt: bad mdtrt_cert_type', c)
            if r.get('refd_setl_flag', '') not in ('', '0', '1'):
                self.err('mdtrt: bad refd_setl_flag', r['refd_setl_flag'])
            if r.get('dise_codg') and not RE_ICD.match(r['dise_codg']):
                self.err('mdtrt: dise_codg not ICD-10-like', r['dise_codg'])
            pp = psn.get(r['psn_no'])
            if pp:
                g, bd, die = pp
                if bd and b.date() < bd:
                    self.err('mdtrt: visit before birth', m)
                if die and b.date() > die:
                    after_death += 1
            vis[m] = [b, e, tot, 0, r['psn_no'], r['fixmedins_code'], mt]
        self.info['visits'] = len(vis)
        self.info['med_type'] = dict(sorted(mt_count.items()))
        self.info['cert_type'] = dict(sorted(cert_count.items()))
        self.info['visits_after_death'] = after_death
        if fund_share:
            fund_share.sort()
            self.info['fund_share_median'] = round(fund_share[len(fund_share) // 2], 3)
        # ---- fee lines
        seen = set()
        tr = Counter()
        lt_count = Counter()
        n_fee = 0
        sex_v = age_v = days_v = cap_v = 0
        for r in data.get('fee_list', []):
            n_fee += 1
            m = r['mdtrt_id']
            v = vis.get(m)
            if v is None:
                self.err('fee_list: unknown mdtrt_id', m)
                continue
            k = (m, r['feedetl_sn'])
            if k in seen:
                self.err('fee_list: duplicate feedetl_sn within visit', str(k))
            seen.add(k)
            if not RE_NUM.match(r['cnt']):
                self.err('fee_list: bad cnt', r['cnt'])
                continue
            if not RE_MONEY6.match(r['pric']):
                self.err('fee_list: bad pric', r['pric'])
                continue
            if not RE_MONEY2.match(r['det_item_fee_sumamt']):
                self.err('fee_list: bad amount', r['det_item_fee_sumamt'])
                continue
            cnt = float(r['cnt'])
            if cnt <= 0:
                self.err('fee_list: non-positive cnt without refund', m)
            amt = self.cents(r['det_item_fee_sumamt'])
            calc = cnt * self.micro(r['pric']) / 10000.0
            if abs(calc - amt) > 0.51:
                self.err('fee_list: cnt*pric != amount', '%s %s %s' % (r['cnt'], r['pric'], r['det_item_fee_sumamt']))
            v[3] += amt
            t = self.pdt(r['fee_ocur_time'])
            if t is None:
                self.err('fee_list: bad fee_ocur_time', r['fee_ocur_time'])
            else:
                end = v[1] if v[1] is not None else v[0] + dt.timedelta(days=1)
                if t < v[0] or t > end:
                    self.err('fee_list: fee time outside visit', '%s %s' % (m, r['fee_ocur_time']))
            lt = r.get('list_type', '')
            lt_count[lt] += 1
            if lt not in ('', '101', '102', '201', '301'):
                self.err('fee_list: bad list_type', lt)
            b = r.get('bilg_dr_codg', '')
            if b and b not in staff and b not in placeholder:
                self.err('fee_list: bilg_dr_codg not in staff', b)
            pdays = r.get('prd_days', '')
            if pdays and not RE_INT.match(pdays):
                self.err('fee_list: bad prd_days', pdays)
            tc = r.get('drug_trac_codg', '')
            if tc:
                if not RE_TRACE.match(tc):
                    self.err('fee_list: trace code not 20 digits', tc)
                tr[tc] += 1
                if lt and lt != '101':
                    self.err('fee_list: trace code on non-drug line', tc)
                if cnt != 1:
                    self.err('fee_list: trace-coded line with cnt != 1', tc)
            if cat:
                c = cat.get(r['med_list_codg'])
                if c is None:
                    self.err('fee_list: item not in catalog', r['med_list_codg'])
                else:
                    pp = psn.get(v[4])
                    if pp:
                        g, bd, die = pp
                        if c.get('lmt_gend') and g and int(c['lmt_gend']) != g:
                            sex_v += 1
                        if bd:
                            age = (v[0].date() - bd).days / 365.25
                            if c.get('lmt_age_min') and age < int(c['lmt_age_min']):
                                age_v += 1
                            if c.get('lmt_age_max') and age >= int(c['lmt_age_max']) + 1:
                                age_v += 1
                    if c.get('max_days') and pdays and int(pdays) > int(c['max_days']):
                        days_v += 1
                    if c.get('pric_uplmt_amt') and self.micro(r['pric']) > self.micro(c['pric_uplmt_amt']):
                        cap_v += 1
        bad_sum = sum(1 for v in vis.values() if v[3] != v[2])
        if bad_sum:
            self.err('mdtrt: fee lines do not sum to medfee_sumamt (%d visits)' % bad_sum)
        nolines = sum(1 for v in vis.values() if v[3] == 0 and v[2] != 0)
        self.info['fee_lines'] = n_fee
        self.info['list_type'] = dict(sorted(lt_count.items()))
        self.info['trace_codes'] = len(tr)
        self.info['trace_codes_seen_twice_or_more'] = sum(1 for x in tr.values() if x > 1)
        self.info['catalog_sex_limit_hits'] = sex_v
        self.info['catalog_age_limit_hits'] = age_v
        self.info['prd_days_over_max_days'] = days_v
        self.info['price_over_cap'] = cap_v
        if sex_v or age_v or cap_v:
            self.err('catalog limit violated in normal data (sex %d, age %d, cap %d)' % (sex_v, age_v, cap_v))
        # ---- truth
        if truth:
            for k in ('preset', 'seed', 'visits', 'refund_rows', 'fee_lines', 'persons', 'period_start', 'period_end',
                      'rings', 'hard_negatives', 'hard_negative_totals', 'violations', 'dropped'):
                if k not in truth:
                    self.err('truth: key %s missing' % k)
            if truth.get('visits') != len(vis):
                self.err('truth: visits %s != %d' % (truth.get('visits'), len(vis)))
            if truth.get('fee_lines') != n_fee:
                self.err('truth: fee_lines mismatch')
            if truth.get('persons') != len(psn):
                self.err('truth: persons mismatch')
            ids = {'patient': set(psn), 'doctor': set(staff) | placeholder}
            site_ids = set(sites)
            rid = set()
            for rg in truth.get('rings', []):
                if rg['id'] in rid:
                    self.err('truth: duplicate ring id')
                rid.add(rg['id'])
                if rg['typology'] not in TYPOLOGIES:
                    self.err('truth: bad typology', rg['typology'])
                for m in rg['members']:
                    if m['kind'] not in MEMBER_KINDS:
                        self.err('truth: bad member kind', m['kind'])
                    elif m['kind'] in ids:
                        if m['id'] not in ids[m['kind']]:
                            self.err('truth: ring member id not in data', m['id'])
                    elif m['id'] not in site_ids:
                        self.err('truth: ring site not in data', m['id'])
                    elif m['kind'] == 'pharmacy' and sites[m['id']]['fixmedins_type'] != '2':
                        self.err('truth: pharmacy member is not type 2', m['id'])
                for k in ('amount_fabricated', 'fabricated_visits', 'description', 'members'):
                    if k not in rg:
                        self.err('truth: ring key %s missing' % k)
            tot = Counter()
            ring_members = set((m['kind'], m['id']) for rg in truth.get('rings', []) for m in rg['members'])
            overlap = 0
            for n in truth.get('hard_negatives', []):
                if n['kind'] not in NEG_KINDS:
                    self.err('truth: bad hard negative kind', n['kind'])
                tot[n['kind']] += 1
                for m in n['members']:
                    if m['kind'] in ids and m['id'] not in ids[m['kind']]:
                        self.err('truth: hard negative member not in data', m['id'])
                    if (m['kind'], m['id']) in ring_members:
                        overlap += 1
            if overlap:
                self.err('truth: %d hard-negative members are also ring members' % overlap)
            if dict(tot) != truth.get('hard_negative_totals'):
                self.err('truth: hard_negative_totals mismatch')
            self.info['rings'] = len(truth.get('rings', []))
            self.info['hard_negatives'] = dict(tot)
        return self.report()

    def report(self):
        ok = not self.errors
        lines = ['%s %s' % ('OK  ' if ok else 'FAIL', self.d)]
        for k, n in sorted(self.errors.items()):
            lines.append('  ERROR %s x%d  e.g. %s' % (k, n, self.err_ex.get(k, '')))
        for k, n in sorted(self.warns.items()):
            lines.append('  WARN  %s x%d' % (k, n))
        if not self.quiet:
            for k, v in self.info.items():
                lines.append('  INFO  %s: %s' % (k, v))
        print('\n'.join(lines))
        return ok


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ok = Checker(sys.argv[1], '--quiet' in sys.argv).run()
    sys.exit(0 if ok else 1)
