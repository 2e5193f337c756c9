#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Independent synthetic city generator for testing a fraud-ring detector.

Usage: gen.py --seed S --out DIR [--people 30000] [--drop COLS]

Writes psn.csv, fixmedins.csv, staff.csv, mdtrt.csv, fee_list.csv (+ catalog.csv unless every optional
column is dropped) and truth.json.  Deterministic per seed.
"""
import argparse
import bisect
import csv
import datetime as dt
import json
import math
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalog_data import (SURNAMES, GIVEN_M, GIVEN_F, CITY_NAMES, DIST_URBAN, DIST_RURAL, PLACE_PIECES,
                          PROVINCES, OTHER_PROV, PHARM_BRANDS, DEPTS, DRUGS, HERBS, SERVICES, CONSUMABLES,
                          DX, CHRONIC_KEYS)
import rings as ringmod

REQUIRED = {
    'psn': ['psn_no', 'gend', 'brdy'],
    'fixmedins': ['fixmedins_code', 'fixmedins_name', 'fixmedins_type'],
    'staff': ['dr_code', 'fixmedins_code'],
    # endtime is conditionally required (med_type 21-28): always kept
    'mdtrt': ['mdtrt_id', 'psn_no', 'fixmedins_code', 'med_type', 'begntime', 'endtime',
              'medfee_sumamt', 'fund_pay_sumamt'],
    'fee_list': ['feedetl_sn', 'mdtrt_id', 'med_list_codg', 'cnt', 'pric', 'det_item_fee_sumamt',
                 'fee_ocur_time'],
    'catalog': ['med_list_codg', 'med_list_name'],
}
OPTIONAL = {
    'psn': ['insutype', 'psn_name', 'certno', 'insuplc_admdvs', 'die_date'],
    'fixmedins': ['hosp_lv', 'admdvs', 'bed_cnt', 'lat', 'lon'],
    'staff': ['dr_name', 'dept_code', 'prof'],
    'mdtrt': ['setl_id', 'atddr_no', 'dise_codg', 'dise_name', 'mdtrt_cert_type', 'refd_setl_flag'],
    'fee_list': ['med_list_name', 'list_type', 'bilg_dr_codg', 'prd_days', 'drug_trac_codg'],
    'catalog': ['list_type', 'lmt_gend', 'lmt_age_min', 'lmt_age_max', 'max_days', 'pric_uplmt_amt'],
}
ALL_OPTIONAL = sorted({c for f in OPTIONAL.values() for c in f})
ALL_REQUIRED = sorted({c for f in REQUIRED.values() for c in f})

DAY = 86400
HOSP_TYPES = ('hosp3', 'hosp2', 'township')
PRIMARY_TYPES = ('chc', 'chs', 'clinic', 'village', 'township', 'mzb')
SPECIAL_TYPES = ('school', 'work', 'nh')

SITE_KIND = {'hosp3': 'hospital', 'hosp2': 'hospital', 'township': 'hospital', 'chc': 'station',
             'chs': 'station', 'mzb': 'clinic', 'clinic': 'clinic', 'village': 'clinic', 'school': 'clinic',
             'work': 'clinic', 'nh': 'clinic', 'pharm': 'pharmacy'}


def km_between(a_lat, a_lon, b_lat, b_lon):
    dy = (a_lat - b_lat) * 111.0
    dx = (a_lon - b_lon) * 111.0 * math.cos(math.radians((a_lat + b_lat) / 2))
    return math.hypot(dx, dy)


class Gen:
    def __init__(self, seed, people, drop):
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        self.N = people
        self.drop = drop
        self.visits = []          # see add_visit
        self.rings = []
        self.trace_ctr = 0
        self.price_cache = {}
        self.trace_item = {}
        self.log = []

    # ------------------------------------------------------------------ styles
    def choose_styles(self):
        r = self.rng
        st = {}
        st['dt_fmt'] = r.choices(['dash', 'T', 'compact'], [0.6, 0.2, 0.2])[0]
        st['date_fmt'] = r.choices(['dash', 'compact'], [0.7, 0.3])[0]
        st['money'] = r.choice(['fixed', 'trim'])
        st['gend'] = r.choices(['12', 'cn'], [0.8, 0.2])[0]
        st['hosp_lv'] = r.choice(['nat', 'grade', 'text'])
        st['bom'] = r.random() < 0.25
        st['shuffle_cols'] = r.random() < 0.4
        st['extra_cols'] = r.random() < 0.4
        st['item_codes'] = r.choice(['nat', 'local', 'num'])
        st['psn_no'] = r.choice(['nat', 'short', 'mixed'])
        st['site_code'] = r.choice(['nat', 'num', 'alt'])
        st['mdtrt_id'] = r.choice(['site_date', 'region', 'opaque'])
        st['feedetl_sn'] = r.choice(['local', 'global'])
        st['dx'] = r.choice(['long', 'short'])
        st['dept'] = r.choice(['A', 'plain', 'long'])
        st['refd'] = r.choice(['0', ''])
        st['insuplc'] = r.choice(['district', 'city'])
        st['catalog'] = r.random() < 0.8
        st['placeholder'] = r.choice(['009999', 'unknown', 'Dcity999999', '000000', 'Dcity000000'])
        st['evoucher'] = r.uniform(0.35, 0.8)   # e-voucher adoption
        st['year'] = r.choice([2022, 2023, 2023, 2024, 2024])
        st['start_month'] = 1 if r.random() < 0.75 else 7
        self.st = st

    # ------------------------------------------------------------------ period
    def setup_period(self):
        y, m = self.st['year'], self.st['start_month']
        self.p0 = dt.date(y, m, 1)
        self.p1 = dt.date(y + 1, m, 1) - dt.timedelta(days=1)
        self.ndays = (self.p1 - self.p0).days + 1
        sf = {2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
              2025: dt.date(2025, 1, 29)}
        self.dates = [self.p0 + dt.timedelta(days=i) for i in range(self.ndays + 40)]
        self.dow = [d.weekday() for d in self.dates]
        acute, flat = [], []
        for i in range(self.ndays):
            d = self.dates[i]
            doy = d.timetuple().tm_yday
            w = 1.0 + 0.35 * math.cos(2 * math.pi * (doy - 20) / 365.25)
            f = 1.0
            fest = sf.get(d.year)
            if fest and abs((d - fest).days) <= 5:
                f = 0.45
            if d.month == 10 and d.day <= 7:
                f = 0.75
            acute.append(w * f)
            flat.append(f)
        self.cum = {}
        for k, arr in (('acute', acute), ('flat', flat)):
            c = [0.0]
            for x in arr:
                c.append(c[-1] + x)
            self.cum[k] = c
        self.dowf = {'clinic': [1.0, 0.95, 0.95, 0.95, 0.95, 0.72, 0.55],
                     'hosp': [1.0, 0.97, 0.95, 0.95, 0.92, 0.62, 0.5],
                     'pharm': [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95],
                     'any': [1.0] * 7,
                     'weekday': [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]}
        self.school_holiday = [((d.month in (7, 8)) or (d.month == 1 and d.day > 20) or
                                (d.month == 2 and d.day < 20)) for d in self.dates]

    def day(self, season='acute', dowc='clinic', lo=0, hi=None):
        r = self.rng
        c = self.cum[season]
        if hi is None or hi > self.ndays:
            hi = self.ndays
        if lo >= hi:
            return min(lo, self.ndays - 1)
        f = self.dowf[dowc]
        for _ in range(20):
            u = c[lo] + r.random() * (c[hi] - c[lo])
            d = bisect.bisect_right(c, u) - 1
            d = min(max(d, lo), hi - 1)
            if r.random() < f[self.dow[d]]:
                return d
        return d

    def tod(self, kind):
        r = self.rng.random
        if kind == 'clinic':
            x = r()
            if x < 0.6:
                return int(8 * 3600 + r() * 3.8 * 3600)
            if x < 0.95:
                return int(14 * 3600 + r() * 3.5 * 3600)
            return int(18 * 3600 + r() * 2.5 * 3600)
        if kind == 'hosp':
            x = r()
            if x < 0.62:
                return int(7.75 * 3600 + r() * 4.1 * 3600)
            if x < 0.98:
                return int(13.5 * 3600 + r() * 3.6 * 3600)
            return int(17 * 3600 + r() * 3 * 3600)
        if kind == 'er':
            x = r()
            if x < 0.3:
                return int(r() * 8 * 3600)
            if x < 0.6:
                return int(18 * 3600 + r() * 6 * 3600 - 1)
            return int(8 * 3600 + r() * 10 * 3600)
        if kind == 'pharm':
            x = r()
            if x < 0.4:
                return int(8 * 3600 + r() * 4 * 3600)
            if x < 0.75:
                return int(14 * 3600 + r() * 4 * 3600)
            return int(18 * 3600 + r() * 3.5 * 3600)
        if kind == 'adm':
            x = r()
            if x < 0.75:
                return int(8 * 3600 + r() * 9 * 3600)
            return int(r() * 24 * 3600 - 1)
        return int(9 * 3600 + r() * 8 * 3600)

    # ------------------------------------------------------------------ names / ids
    def name(self, g):
        r = self.rng
        s = r.choice(SURNAMES)
        pool = GIVEN_M if g == 1 else GIVEN_F
        return s + ''.join(r.choice(pool) for _ in range(r.choice([1, 2, 2])))

    def place(self, n=2):
        return ''.join(self.rng.choice(PLACE_PIECES) for _ in range(n))

    # ------------------------------------------------------------------ geography
    def build_geo(self):
        r = self.rng
        prov, plat, plon = r.choice(PROVINCES)
        self.prov = prov
        self.city_code = '%s%02d' % (prov, r.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]))
        self.city_admdvs = self.city_code + '00'
        self.city_name = r.choice(CITY_NAMES)
        self.lat0 = plat + r.uniform(-1.2, 1.2)
        self.lon0 = plon + r.uniform(-1.2, 1.2)
        n_urban = r.randint(2, 4)
        n_rural = r.randint(3, 5)
        ucodes = sorted(r.sample([2, 3, 4, 5, 11, 12, 13], n_urban))
        rcodes = sorted(r.sample([21, 22, 23, 24, 25, 26, 27, 81, 82], n_rural))
        unames = r.sample(DIST_URBAN, n_urban)
        rnames = r.sample(DIST_RURAL, n_rural)
        self.districts = []
        self.comms = []
        kmlat = 1 / 111.0
        kmlon = 1 / (111.0 * math.cos(math.radians(self.lat0)))
        for i in range(n_urban):
            ang = r.uniform(0, 2 * math.pi)
            dist = 0 if i == 0 else r.uniform(3, 10)
            lat = self.lat0 + math.sin(ang) * dist * kmlat
            lon = self.lon0 + math.cos(ang) * dist * kmlon
            d = {'idx': len(self.districts), 'name': unames[i] + '区', 'code': self.city_code + '%02d' % ucodes[i],
                 'kind': 'urban', 'lat': lat, 'lon': lon, 'comms': [], 'towns': []}
            self.districts.append(d)
            for j in range(r.randint(6, 12)):
                a2 = r.uniform(0, 2 * math.pi)
                dd = r.uniform(0.4, 4.0)
                c = {'idx': len(self.comms), 'district': d['idx'], 'kind': 'community',
                     'name': self.place(2) + '社区', 'lat': lat + math.sin(a2) * dd * kmlat,
                     'lon': lon + math.cos(a2) * dd * kmlon, 'town': None, 'w': r.uniform(0.5, 1.5)}
                self.comms.append(c)
                d['comms'].append(c['idx'])
        for i in range(n_rural):
            ang = 2 * math.pi * i / n_rural + r.uniform(-0.4, 0.4)
            dist = r.uniform(18, 55)
            lat = self.lat0 + math.sin(ang) * dist * kmlat
            lon = self.lon0 + math.cos(ang) * dist * kmlon
            code = rcodes[i]
            suffix = '市' if code >= 81 else '县'
            d = {'idx': len(self.districts), 'name': rnames[i] + suffix, 'code': self.city_code + '%02d' % code,
                 'kind': 'rural', 'lat': lat, 'lon': lon, 'comms': [], 'towns': []}
            self.districts.append(d)
            nt = r.randint(3, 6)
            for t in range(nt):
                if t == 0:
                    tl, to = lat, lon
                else:
                    a2 = r.uniform(0, 2 * math.pi)
                    dd = r.uniform(5, 16)
                    tl, to = lat + math.sin(a2) * dd * kmlat, lon + math.cos(a2) * dd * kmlon
                town = {'name': self.place(2) + ('街道' if t == 0 else '镇'), 'lat': tl, 'lon': to, 'seat': t == 0,
                        'villages': [], 'idx': len(d['towns'])}
                d['towns'].append(town)
                # the town itself as a community (town-centre residents)
                c = {'idx': len(self.comms), 'district': d['idx'], 'kind': 'town', 'name': town['name'],
                     'lat': tl, 'lon': to, 'town': t, 'w': 2.0 if t == 0 else 1.0}
                self.comms.append(c)
                d['comms'].append(c['idx'])
                for v in range(r.randint(3, 7)):
                    a3 = r.uniform(0, 2 * math.pi)
                    dd = r.uniform(1.0, 4.5)
                    c = {'idx': len(self.comms), 'district': d['idx'], 'kind': 'village',
                         'name': self.place(2) + '村', 'lat': tl + math.sin(a3) * dd * kmlat,
                         'lon': to + math.cos(a3) * dd * kmlon, 'town': t, 'w': r.uniform(0.3, 0.9)}
                    self.comms.append(c)
                    d['comms'].append(c['idx'])
                    town['villages'].append(c['idx'])

    # ------------------------------------------------------------------ sites & staff
    def new_site(self, typ, name, district, lat, lon, **kw):
        s = {'idx': len(self.sites), 'type': typ, 'name': name, 'district': district, 'lat': lat, 'lon': lon,
             'docs': [], 'wd': [], 'off': [], 'pharmacists': [], 'sub': kw.get('sub', 'general'),
             'beds': kw.get('beds', 0), 'level': kw.get('level', 'none'), 'comm': kw.get('comm')}
        r = self.rng
        s['scan'] = {'pharm': r.uniform(0.35, 1.0), 'hosp3': r.uniform(0.3, 0.9), 'hosp2': r.uniform(0.2, 0.8)}.get(
            typ, r.uniform(0.0, 0.6))
        # pharmacies: share of purchases carrying a pharmacist code
        s['ph_code_p'] = r.uniform(0.0, 1.0) if typ == 'pharm' else 0
        s['drug_f'] = r.uniform(1.0, 1.06) if typ == 'pharm' else 1.0
        s['svc_f'] = {'hosp3': 1.0, 'hosp2': 0.85, 'township': 0.7, 'chc': 0.7, 'chs': 0.65, 'mzb': 0.8,
                      'clinic': 0.65, 'village': 0.55, 'school': 0.6, 'work': 0.6, 'nh': 0.6}.get(typ, 0.6)
        self.sites.append(s)
        return s

    def jitter(self, lat, lon, km):
        r = self.rng
        a = r.uniform(0, 2 * math.pi)
        d = r.uniform(0, km)
        return lat + math.sin(a) * d / 111.0, lon + math.cos(a) * d / (111.0 * math.cos(math.radians(lat)))

    def build_sites(self):
        r = self.rng
        self.sites = []
        cn = self.city_name
        urban = [d for d in self.districts if d['kind'] == 'urban']
        rural = [d for d in self.districts if d['kind'] == 'rural']
        n3 = r.randint(2, 4)
        names3 = r.sample([cn + '市第一人民医院', cn + '市中心医院', cn + '市中医医院', cn + '医学院附属医院',
                           cn + '市第二人民医院', cn + '市人民医院'], n3)
        for i in range(n3):
            d = urban[i % len(urban)]
            lat, lon = self.jitter(d['lat'], d['lon'], 3)
            self.new_site('hosp3', names3[i], d['idx'], lat, lon, beds=r.randint(800, 2200),
                          level=r.choice(['3A', '3A', '3B']), sub='tcm' if '中医' in names3[i] else 'general')
        # district / private hospitals
        for d in urban:
            if r.random() < 0.6:
                lat, lon = self.jitter(d['lat'], d['lon'], 2.5)
                self.new_site('hosp2', d['name'] + '人民医院', d['idx'], lat, lon, beds=r.randint(150, 450),
                              level=r.choice(['2A', '2B']))
        for k in range(r.randint(1, 3)):
            d = r.choice(urban)
            lat, lon = self.jitter(d['lat'], d['lon'], 4)
            nm = cn + self.place(2) + r.choice(['医院', '骨科医院', '康复医院', '中西医结合医院', '仁爱医院'])
            self.new_site('hosp2', nm, d['idx'], lat, lon, beds=r.randint(60, 300),
                          level=r.choice(['2B', '1A', 'none']), sub='private')
        for d in rural:
            seat = d['towns'][0]
            lat, lon = self.jitter(seat['lat'], seat['lon'], 1.5)
            self.new_site('hosp2', d['name'] + '人民医院', d['idx'], lat, lon, beds=r.randint(200, 550), level='2A')
            if r.random() < 0.55:
                lat, lon = self.jitter(seat['lat'], seat['lon'], 1.5)
                self.new_site('hosp2', d['name'] + '中医医院', d['idx'], lat, lon, beds=r.randint(100, 300),
                              level=r.choice(['2A', '2B']), sub='tcm')
            if r.random() < 0.4:
                lat, lon = self.jitter(seat['lat'], seat['lon'], 2.5)
                self.new_site('hosp2', d['name'] + self.place(2) + '医院', d['idx'], lat, lon, beds=r.randint(40, 160),
                              level=r.choice(['1A', 'none']), sub='private')
            for t in d['towns'][1:]:
                lat, lon = self.jitter(t['lat'], t['lon'], 0.6)
                self.new_site('township', t['name'] + '卫生院', d['idx'], lat, lon, beds=r.randint(15, 60),
                              level=r.choice(['1A', '1B', '1C']))
            # town seat community health centre
            lat, lon = self.jitter(seat['lat'], seat['lon'], 1.5)
            self.new_site('chc', seat['name'] + '社区卫生服务中心', d['idx'], lat, lon, beds=r.choice([0, 0, 10, 20]),
                          level='1A')
            for t in d['towns']:
                for v in t['villages']:
                    if r.random() < 0.75:
                        c = self.comms[v]
                        lat, lon = self.jitter(c['lat'], c['lon'], 0.3)
                        self.new_site('village', t['name'] + c['name'] + '卫生室', d['idx'], lat, lon, comm=v)
        for d in urban:
            cs = d['comms']
            for k in range(max(1, len(cs) // 4)):
                c = self.comms[r.choice(cs)]
                lat, lon = self.jitter(c['lat'], c['lon'], 0.5)
                self.new_site('chc', d['name'] + c['name'][:-2] + '街道社区卫生服务中心', d['idx'], lat, lon,
                              beds=r.choice([0, 0, 0, 15, 30]), level=r.choice(['1A', '1B', 'none']))
            for ci in cs:
                if r.random() < 0.55:
                    c = self.comms[ci]
                    lat, lon = self.jitter(c['lat'], c['lon'], 0.4)
                    self.new_site('chs', c['name'] + '社区卫生服务站', d['idx'], lat, lon, comm=ci)
        # outpatient departments and clinics (urban + county seats)
        hubs = [(d, None) for d in urban] * 3 + [(d, d['towns'][0]) for d in rural]
        n_mzb = r.randint(8, 16)
        for k in range(n_mzb):
            d, t = r.choice(hubs)
            base = t if t else d
            lat, lon = self.jitter(base['lat'], base['lon'], 4 if t is None else 1.5)
            sub = r.choices(['general', 'tcm', 'rehab', 'dental', 'checkup'], [0.45, 0.2, 0.15, 0.1, 0.1])[0]
            suf = {'general': '门诊部', 'tcm': '中医门诊部', 'rehab': '康复医学门诊部', 'dental': '口腔门诊部',
                   'checkup': '综合门诊部'}[sub]
            self.new_site('mzb', cn + self.place(2) + suf, d['idx'], lat, lon, sub=sub)
        n_cl = r.randint(35, 65)
        for k in range(n_cl):
            d, t = r.choice(hubs)
            base = t if t else d
            lat, lon = self.jitter(base['lat'], base['lon'], 4.5 if t is None else 2)
            sub = r.choices(['general', 'tcm', 'dental', 'rehab', 'peds'], [0.55, 0.17, 0.13, 0.09, 0.06])[0]
            g = r.choice([1, 2])
            owner = self.name(g)
            suf = {'general': r.choice(['内科诊所', '诊所', '全科诊所']), 'tcm': '中医诊所', 'dental': '口腔诊所',
                   'rehab': '康复诊所', 'peds': '儿科诊所'}[sub]
            nm = (d['name'][:-1] + owner + suf) if r.random() < 0.6 else (cn + self.place(2) + suf)
            self.new_site('clinic', nm, d['idx'], lat, lon, sub=sub)
        # special clinics
        for k in range(r.randint(2, 4)):
            d = r.choice(urban)
            lat, lon = self.jitter(d['lat'], d['lon'], 4)
            nm = (cn + '职业技术学院医务室') if k == 0 else (cn + '市第%s中学医务室' % '一二三四五六七八九'[r.randrange(9)])
            self.new_site('school', nm, d['idx'], lat, lon, sub='college' if k == 0 else 'school')
        for k in range(r.randint(2, 3)):
            d = r.choice(self.districts)
            base = d if d['kind'] == 'urban' else d['towns'][0]
            lat, lon = self.jitter(base['lat'], base['lon'], 3)
            nm = cn + self.place(2) + r.choice(['机械厂医务室', '纺织集团卫生所', '钢铁公司职工医务室', '电子科技公司医务室'])
            self.new_site('work', nm, d['idx'], lat, lon)
        for k in range(r.randint(2, 5)):
            d = r.choice(self.districts)
            base = d if d['kind'] == 'urban' else d['towns'][0]
            lat, lon = self.jitter(base['lat'], base['lon'], 4)
            nm = cn + self.place(2) + r.choice(['养老院医务室', '颐养中心医务室', '社会福利院医务室', '康养中心卫生室'])
            self.new_site('nh', nm, d['idx'], lat, lon)
        # pharmacies placed by population weight
        n_ph = int(self.N / r.uniform(260, 380))
        cw = [c['w'] * (3 if c['kind'] != 'village' else 0.4) for c in self.comms]
        for k in range(n_ph):
            c = self.comms[r.choices(range(len(self.comms)), cw)[0]]
            lat, lon = self.jitter(c['lat'], c['lon'], 1.2)
            if r.random() < 0.65:
                nm = r.choice(PHARM_BRANDS) + '大药房(' + c['name'].replace('社区', '').replace('村', '') + ('店' if r.random() < 0.7 else '%d店' % r.randint(2, 9)) + ')'
            else:
                nm = cn + self.place(2) + r.choice(['药店', '大药房', '医药超市', '药房'])
            self.new_site('pharm', nm, c['district'], lat, lon)
        # de-duplicate names
        seen = {}
        for s in self.sites:
            if s['name'] in seen:
                seen[s['name']] += 1
                s['name'] = s['name'] + '(%d)' % seen[s['name']]
            else:
                seen[s['name']] = 1
        self.by_type = {}
        for s in self.sites:
            self.by_type.setdefault(s['type'], []).append(s['idx'])
        self.lat_arr = np.array([s['lat'] for s in self.sites])
        self.lon_arr = np.array([s['lon'] for s in self.sites])

    def build_staff(self):
        r = self.rng
        self.staff = []
        used = set()
        ndocs = {'hosp3': (40, 90), 'hosp2': (12, 35), 'township': (3, 8), 'chc': (4, 10), 'chs': (1, 3),
                 'mzb': (3, 10), 'clinic': (1, 3), 'village': (1, 2), 'school': (1, 2), 'work': (1, 2), 'nh': (1, 2)}
        for s in self.sites:
            reg = self.districts[s['district']]['code']
            if s['type'] == 'pharm':
                for k in range(r.choices([1, 2, 3], [0.45, 0.4, 0.15])[0]):
                    st = self.new_staff('HY', reg, used, s['idx'], 'pharmacist', '药剂科')
                    s['pharmacists'].append(st)
                continue
            lo, hi = ndocs[s['type']]
            n = r.randint(lo, hi)
            if s['type'] == 'mzb' and r.random() < 0.3:
                n = r.randint(12, 30)
            if s['type'] == 'village' and r.random() < 0.8:
                n = 1
            for k in range(n):
                dept = self.pick_dept(s)
                self.new_staff('D', reg, used, s['idx'], 'doctor', dept)
            if s['type'] in ('hosp3', 'hosp2'):
                for k in range(r.randint(1, 4)):
                    self.new_staff('HJ', reg, used, s['idx'], 'technician', r.choice(['医学检验科', '医学影像科']))
                for k in range(r.randint(1, 3)):
                    self.new_staff('HY', reg, used, s['idx'], 'pharmacist', '药剂科')
        # legitimate multi-site practice (多点执业): hospital/chc doctors also registered at a clinic
        docs = [i for i, d in enumerate(self.staff) if d['prof'] == 'doctor' and
                self.sites[d['sites'][0]]['type'] in ('hosp3', 'hosp2', 'chc')]
        targets = [s['idx'] for s in self.sites if s['type'] in ('mzb', 'clinic', 'chs')]
        n_ms = int(len(docs) * r.uniform(0.02, 0.05))
        for i in r.sample(docs, n_ms):
            d = self.staff[i]
            home = self.sites[d['sites'][0]]
            cands = sorted(targets, key=lambda t: km_between(home['lat'], home['lon'], self.sites[t]['lat'],
                                                             self.sites[t]['lon']))[:8]
            t = r.choice(cands)
            d['sites'].append(t)
            d['ms'] = True
            self.sites[t]['docs'].append(i)
        # duty lists
        for s in self.sites:
            for i in s['docs']:
                d = self.staff[i]
                if d.get('ms'):
                    if d['sites'][0] == s['idx']:
                        s['wd'].append(i)
                    else:
                        s['off'].append(i)
                else:
                    s['wd'].append(i)
                    s['off'].append(i)
            # doctor popularity weights
            s['dw'] = {i: r.paretovariate(2.0) for i in s['docs']}
            s['wd_cum'] = self.cumw(s['wd'], s['dw'])
            s['off_cum'] = self.cumw(s['off'], s['dw'])

    def cumw(self, lst, w):
        c, t = [], 0.0
        for i in lst:
            t += w[i]
            c.append(t)
        return c

    def pick_dept(self, s):
        r = self.rng
        t = s['type']
        if t in ('hosp3', 'hosp2'):
            if s['sub'] == 'tcm':
                return r.choice(['中医科', '中医科', '内科', '康复医学科', '外科', '急诊医学科'])
            return r.choices([x[1] for x in DEPTS], [2, 6, 4, 2, 2, 1, 1, 1, 1, 2, 1, 0.3, 0.3, 1])[0]
        if s['sub'] == 'tcm':
            return '中医科'
        if s['sub'] == 'dental':
            return '口腔科'
        if s['sub'] == 'rehab':
            return r.choice(['康复医学科', '中医科'])
        if s['sub'] == 'peds':
            return '儿科'
        if t in ('township', 'chc', 'mzb'):
            return r.choice(['全科医疗科', '内科', '中医科', '外科', '全科医疗科'])
        return '全科医疗科'

    def new_staff(self, pre, reg, used, site, prof, dept):
        r = self.rng
        while True:
            ser = r.randint(1, 999999)
            code = '%s%s%06d' % (pre, reg, ser)
            if code not in used:
                used.add(code)
                break
        g = r.choice([1, 2])
        st = {'code': code, 'sites': [site], 'prof': prof, 'dept': dept, 'name': self.name(g), 'g': g}
        self.staff.append(st)
        i = len(self.staff) - 1
        if prof == 'doctor':
            self.sites[site]['docs'].append(i)
        return i

    def register(self, di, site):
        """add a (doctor, site) registration (used by rings)"""
        d = self.staff[di]
        if site not in d['sites']:
            d['sites'].append(site)
        if di not in self.sites[site]['docs']:
            self.sites[site]['docs'].append(di)

    def pick_doc(self, s, t):
        """doctor on duty at site s at absolute second t"""
        d = t // DAY
        sec = t % DAY
        off = self.dow[d] >= 5 or sec >= 18 * 3600 or sec < 7 * 3600
        lst, cum = (s['off'], s['off_cum']) if off and s['off'] else (s['wd'], s['wd_cum'])
        if not lst:
            lst, cum = s['off'], s['off_cum']
            if not lst:
                return -1
        u = self.rng.random() * cum[-1]
        return lst[bisect.bisect_left(cum, u)]

    # ------------------------------------------------------------------ items
    def build_items(self):
        r = self.rng
        st = self.st['item_codes']
        items = []
        used = set()

        def mk(prefix_kind, atc=''):
            while True:
                if st == 'nat':
                    if prefix_kind == 'drug':
                        c = 'X%s%s%04dA%03d%03d%04d' % (atc[:1], atc[1:4] if len(atc) >= 4 else 'ZZZ',
                                                         r.randint(1, 9999), r.randint(1, 999), r.choice([10, 12, 20]),
                                                         r.randint(1, 9999))
                    elif prefix_kind == 'herb':
                        c = 'T%09d' % r.randint(1, 999999999)
                    elif prefix_kind == 'svc':
                        c = '%015d' % r.randint(10 ** 11, 10 ** 14)
                    else:
                        c = 'C%02d%017d' % (r.randint(1, 20), r.randint(1, 10 ** 17 - 1))
                elif st == 'local':
                    pre = {'drug': 'YP', 'herb': 'ZY', 'svc': 'FW', 'cons': 'CL'}[prefix_kind]
                    c = '%s%06d' % (pre, r.randint(1, 999999))
                else:
                    pre = {'drug': '1', 'herb': '2', 'svc': '3', 'cons': '4'}[prefix_kind]
                    c = pre + '%09d' % r.randint(1, 999999999)
                if c not in used:
                    used.add(c)
                    return c

        self.item_idx = {}
        for nm, price, pack, unit, fl in DRUGS:
            it = {'name': nm, 'lt': '101', 'code': mk('drug', fl.get('atc', 'Z')), 'price': price * r.uniform(0.9, 1.1),
                  'pack': pack, 'unit': unit, 'fl': fl, 'kind': 'drug',
                  'trace_prefix': '8%06d' % r.randint(0, 999999)}
            it['price'] = round(it['price'], 1 if it['price'] > 5 else 2)
            it['max_days'] = 84 if fl.get('chronic') else 7
            it['cap'] = round(it['price'] * 1.08, 2)
            items.append(it)
        for nm, ppg in HERBS:
            it = {'name': nm, 'lt': '102', 'code': mk('herb'), 'price': round(ppg * r.uniform(0.85, 1.2), 4),
                  'pack': 1, 'unit': 'g', 'fl': {}, 'kind': 'herb', 'max_days': 30}
            it['cap'] = round(it['price'] * 1.1, 4)
            items.append(it)
        for nm, cap, unit, fl in SERVICES:
            it = {'name': nm, 'lt': '201', 'code': mk('svc'), 'price': cap, 'cap': cap, 'pack': 1, 'unit': unit,
                  'fl': fl, 'kind': 'svc', 'max_days': None}
            items.append(it)
        for nm, price, unit in CONSUMABLES:
            it = {'name': nm, 'lt': '301', 'code': mk('cons'), 'price': price, 'cap': round(price * 1.1, 2), 'pack': 1,
                  'unit': unit, 'fl': {}, 'kind': 'cons', 'max_days': None}
            items.append(it)
        self.items = items
        for i, it in enumerate(items):
            self.item_idx[it['name']] = i
        I = self.item_idx
        self.svc_by_k = {}
        for i, it in enumerate(items):
            if it['kind'] == 'svc':
                self.svc_by_k.setdefault(it['fl']['k'], []).append(i)
        self.drug_acute = [i for i, it in enumerate(items) if it['kind'] == 'drug' and not it['fl'].get('chronic')
                           and not it['fl'].get('inj')]
        self.chronic_drugs = {}
        for i, it in enumerate(items):
            c = it['fl'].get('chronic')
            if c:
                self.chronic_drugs.setdefault(c, []).append(i)
        self.herbs = [i for i, it in enumerate(items) if it['kind'] == 'herb']
        self.herbs_common = [i for i in self.herbs if items[i]['price'] < 0.7]
        self.cheap = [i for i, it in enumerate(items) if it['fl'].get('cheap')]
        self.hv = [i for i, it in enumerate(items) if it['fl'].get('hv') and not it['fl'].get('hosp')]
        self.inj = [i for i, it in enumerate(items) if it['fl'].get('inj') and not it['fl'].get('hosp')]
        # drug pools by dx group
        def pool(*names):
            return [I[n] for n in names]
        self.dx_drugs = {
            'resp': pool('阿莫西林胶囊', '头孢克肟分散片', '头孢呋辛酯片', '阿奇霉素片', '布洛芬缓释胶囊', '对乙酰氨基酚片',
                         '复方氨酚烷胺片', '连花清瘟胶囊', '感冒灵颗粒', '板蓝根颗粒', '盐酸氨溴索口服溶液', '复方甘草片',
                         '左氧氟沙星片', '沙丁胺醇气雾剂'),
            'resp_kid': pool('阿莫西林胶囊', '头孢克肟分散片', '小儿氨酚黄那敏颗粒', '小儿肺热咳喘口服液', '盐酸氨溴索口服溶液',
                             '布洛芬缓释胶囊'),
            'gi': pool('蒙脱石散', '奥美拉唑肠溶胶囊', '铝碳酸镁咀嚼片', '多潘立酮片', '藿香正气水'),
            'msk': pool('布洛芬缓释胶囊', '双氯芬酸钠缓释片', '塞来昔布胶囊', '双氯芬酸二乙胺乳胶剂', '甲钴胺片'),
            'skin': pool('氯雷他定片', '红霉素软膏', '硝酸咪康唑乳膏'),
            'eye': pool('左氧氟沙星滴眼液'),
            'uro': pool('左氧氟沙星片', '头孢克肟分散片'),
            'gyn': pool('甲硝唑阴道泡腾片', '保妇康栓'),
            'male': pool('盐酸坦索罗辛缓释胶囊', '左氧氟沙星片'),
            'trauma': pool('布洛芬缓释胶囊', '红霉素软膏'),
            'dental': pool('阿莫西林胶囊', '布洛芬缓释胶囊'),
            'neuro': pool('艾司唑仑片', '布洛芬缓释胶囊', '复方丹参滴丸', '甲钴胺片'),
        }
        self.dx = []
        for code, nm, grp, fl in DX:
            c = code
            if self.st['dx'] == 'short':
                c = code.split('.')[0] + '.' + code.split('.')[1][0] if '.' in code else code
                c = c.replace('.x', '').rstrip('.')
            self.dx.append({'code': c, 'name': nm, 'grp': grp, 'fl': fl})
        self.dx_by_grp = {}
        for i, d in enumerate(self.dx):
            self.dx_by_grp.setdefault(d['grp'], []).append(i)

    def price(self, it_i, s_i):
        key = (it_i, s_i)
        p = self.price_cache.get(key)
        if p is not None:
            return p
        it = self.items[it_i]
        s = self.sites[s_i] if s_i is not None else None
        if it['kind'] == 'svc':
            f = s['svc_f'] if s else 1.0
            yuan = max(0.5, math.floor(it['cap'] * f * 2) / 2)
            p = int(round(yuan * 1e6))
        elif it['kind'] == 'drug':
            f = s['drug_f'] if s else 1.0
            p = int(round(min(it['price'] * f, it['cap']) * 100)) * 10000
        elif it['kind'] == 'herb':
            f = 1.0 if not s or s['type'] != 'pharm' else 1.03
            p = int(round(min(it['price'] * f, it['cap']) * 10000)) * 100
        else:
            p = int(round(it['price'] * 100)) * 10000
        self.price_cache[key] = p
        return p

    def unit_price(self, it_i, s_i):
        """price of one tablet/unit when dispensed loose (拆零), up to 6 decimals"""
        it = self.items[it_i]
        return int(round(self.price(it_i, s_i) / it['pack']))

    def trace(self, it_i):
        self.trace_ctr += 1
        x = (self.trace_ctr * 7919 * 104729 + self.trace_off) % (10 ** 13)
        code = self.items[it_i]['trace_prefix'] + '%013d' % x
        self.trace_item[code] = it_i
        return code

    # line: [item, cnt, pric_micro, amt_cents, t, bilg_dr, prd_days, trace]
    def line(self, it_i, cnt, s_i, t, dr, prd=None, trace=None, pm=None):
        if pm is None:
            pm = self.price(it_i, s_i)
        amt = (pm * cnt + 5000) // 10000
        return [it_i, cnt, pm, amt, t, dr, prd, trace]

    def drug_lines(self, it_i, boxes, s_i, t, dr, prd, scan_p, out, trace_list=None):
        """boxes of a packaged drug; per-box lines with trace codes when scanned"""
        if self.rng.random() < scan_p:
            for b in range(boxes):
                tc = self.trace(it_i)
                if trace_list is not None:
                    trace_list.append(tc)
                out.append(self.line(it_i, 1, s_i, t, dr, prd, tc))
        else:
            out.append(self.line(it_i, boxes, s_i, t, dr, prd))

    # ------------------------------------------------------------------ population
    def build_population(self):
        r = self.rng
        ref = self.p0
        P = []
        H = []
        comm_w = [c['w'] * (1.6 if self.districts[c['district']]['kind'] == 'urban' else 1.0) for c in self.comms]
        comm_ids = list(range(len(self.comms)))
        urban_share = r.uniform(0.55, 0.7)
        urban_comms = [c['idx'] for c in self.comms if self.districts[c['district']]['kind'] == 'urban']
        rural_comms = [c['idx'] for c in self.comms if self.districts[c['district']]['kind'] == 'rural']
        uw = [self.comms[i]['w'] for i in urban_comms]
        rw = [self.comms[i]['w'] for i in rural_comms]

        def person(hh, age, g):
            age = max(0, min(age, 99))
            bd = ref - dt.timedelta(days=int(age * 365.25 + r.uniform(0, 364)))
            p = {'idx': len(P), 'hh': hh, 'g': g, 'brdy': bd, 'age': age}
            P.append(p)
            H[hh]['members'].append(p['idx'])
            return p

        types = ['single', 'couple', 'family', 'threegen', 'old_couple', 'old_single', 'single_parent']
        tw = [0.08, 0.09, 0.33, 0.14, 0.2, 0.1, 0.06]
        while len(P) < self.N:
            t = r.choices(types, tw)[0]
            urb = r.random() < urban_share
            ci = r.choices(urban_comms, uw)[0] if urb else r.choices(rural_comms, rw)[0]
            c = self.comms[ci]
            lat, lon = self.jitter(c['lat'], c['lon'], 0.8 if c['kind'] != 'village' else 0.4)
            hh = {'idx': len(H), 'type': t, 'comm': ci, 'district': c['district'], 'lat': lat, 'lon': lon,
                  'members': [], 'urban': urb, 'linked': []}
            H.append(hh)
            if t == 'single':
                person(hh['idx'], r.randint(19, 45), r.choice([1, 2]))
            elif t == 'couple':
                a = r.randint(22, 58)
                person(hh['idx'], a, 1)
                person(hh['idx'], a + r.randint(-4, 2), 2)
            elif t in ('family', 'threegen', 'single_parent'):
                a = r.randint(26, 52)
                if t == 'single_parent':
                    person(hh['idx'], a, r.choice([1, 2, 2]))
                else:
                    person(hh['idx'], a, 1)
                    person(hh['idx'], a + r.randint(-4, 2), 2)
                nk = r.choices([1, 2, 3], [0.55, 0.38, 0.07])[0]
                for k in range(nk):
                    ka = a - r.randint(20, 38)
                    if ka < 0:
                        ka = r.randint(0, max(0, a - 20))
                    person(hh['idx'], ka, r.choice([1, 2]))
                if t == 'threegen':
                    ga = a + r.randint(24, 34)
                    if r.random() < 0.6:
                        person(hh['idx'], ga, 1)
                        person(hh['idx'], ga + r.randint(-4, 2), 2)
                    else:
                        person(hh['idx'], ga, r.choice([1, 2, 2]))
            elif t == 'old_couple':
                a = r.randint(60, 88)
                person(hh['idx'], a, 1)
                person(hh['idx'], a + r.randint(-5, 2), 2)
            else:
                person(hh['idx'], r.randint(63, 96), r.choice([1, 2, 2]))
        # link elderly households to adult-child households
        young = [h['idx'] for h in H if h['type'] in ('family', 'couple', 'single')]
        byd = {}
        for hi in young:
            byd.setdefault(H[hi]['district'], []).append(hi)
        for h in H:
            if h['type'] in ('old_couple', 'old_single') and r.random() < 0.55:
                pool = byd.get(h['district']) if r.random() < 0.75 else young
                if pool:
                    c = r.choice(pool)
                    h['linked'].append(c)
                    H[c]['linked'].append(h['idx'])
        self.P, self.H = P, H
        # attributes
        ev = self.st['evoucher']
        for p in P:
            a = p['age']
            h = H[p['hh']]
            dcode = self.districts[h['district']]['code']
            urb = h['urban']
            if a < 18:
                ins = '390'
            elif a < 60:
                ins = '310' if r.random() < (0.6 if urb else 0.25) else '390'
            else:
                ins = '310' if r.random() < (0.5 if urb else 0.15) else '390'
                if a >= 88 and r.random() < 0.05:
                    ins = '340'
            p['ins'] = ins
            p['insuplc'] = dcode if self.st['insuplc'] == 'district' else self.city_admdvs
            if r.random() < 0.03 and a >= 18:
                # insured elsewhere, living here
                p['insuplc'] = r.choice(OTHER_PROV) + '%02d' % r.randint(1, 15) + r.choice(['00', '02', '03', '21'])
            p['name'] = self.name(p['g'])
            p['certno'] = self.certno(p['insuplc'] if r.random() < 0.8 else dcode, p['brdy'], p['g'])
            # death
            mort = 0.0 if a < 50 else (0.005 if a < 60 else (0.012 if a < 75 else (0.04 if a < 85 else 0.11)))
            p['die'] = r.randint(10, self.ndays - 1) if r.random() < mort else None
            # certificate habit
            if a >= 65:
                w = [ev * 0.7, 0.12, 1 - ev * 0.7 - 0.12]
            elif a < 14:
                w = [ev * 0.8, 0.05, 1 - ev * 0.8 - 0.05]
            else:
                w = [ev, 0.08, max(0.02, 1 - ev - 0.08)]
            p['cert_w'] = w
            p['cert'] = r.choices(['01', '02', '03'], w)[0]
            p['frail'] = r.gammavariate(1.6, 1 / 1.6)
            # chronic conditions
            conds = []
            band = 0 if a < 30 else (1 if a < 45 else (2 if a < 60 else (3 if a < 75 else 4)))
            prev = {'htn': [0, .05, .19, .36, .48], 'dm': [0, .025, .085, .15, .17], 'chd': [0, .004, .03, .085, .15],
                    'copd': [0, 0, .02, .055, .09], 'hbv': [.01, .02, .022, .018, .01], 'af': [0, 0, .005, .02, .045],
                    'hf': [0, 0, .004, .018, .05], 'ckd': [0, .004, .01, .028, .045], 'op': [0, 0, .015, .07, .11],
                    'bph': [0, 0, .05, .14, .22], 'stroke': [0, 0, .01, .035, .065]}
            for k in CHRONIC_KEYS:
                pr = prev[k][band]
                if k == 'bph' and p['g'] != 1:
                    pr = 0
                if k == 'op' and p['g'] == 2:
                    pr *= 1.8
                if pr and r.random() < pr:
                    conds.append(k)
            p['conds'] = conds
            p['ring'] = None
        self.nh_res = {}
        self.school_of = {}
        self.work_of = {}

    def certno(self, region, bd, g):
        r = self.rng
        seq = r.randint(0, 499) * 2 + (1 if g == 1 else 0)
        body = '%s%s%03d' % (region[:6], bd.strftime('%Y%m%d'), seq % 1000)
        w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        s = sum(int(c) * w[i] for i, c in enumerate(body))
        return body + '10X98765432'[s % 11]

    def assign_institutions(self):
        """schools, workplaces, nursing homes; and per-household nearest sites"""
        r = self.rng
        P, H = self.P, self.H
        S = self.sites
        # nursing homes: some elderly singles / couples move in
        nhs = self.by_type.get('nh', [])
        for s_i in nhs:
            s = S[s_i]
            cands = [h for h in H if h['type'] in ('old_single', 'old_couple') and
                     all(P[m]['age'] >= 74 for m in h['members']) and not h.get('nh')]
            cands.sort(key=lambda h: km_between(h['lat'], h['lon'], s['lat'], s['lon']) + r.uniform(0, 15))
            target = r.randint(35, 120)
            n = 0
            for h in cands:
                if n >= target:
                    break
                h['nh'] = s_i
                h['lat'], h['lon'] = s['lat'], s['lon']
                for m in h['members']:
                    self.nh_res.setdefault(s_i, []).append(m)
                    P[m]['nh'] = s_i
                    n += 1
        # schools
        for s_i in self.by_type.get('school', []):
            s = S[s_i]
            if s['sub'] == 'college':
                pool = [p['idx'] for p in P if 17 <= p['age'] <= 22]
                n = r.randint(150, 400)
            else:
                pool = [p['idx'] for p in P if 12 <= p['age'] <= 17 and
                        km_between(H[p['hh']]['lat'], H[p['hh']]['lon'], s['lat'], s['lon']) < 8]
                n = r.randint(150, 500)
            pool = [i for i in pool if i not in self.school_of]
            for i in r.sample(pool, min(n, len(pool))):
                self.school_of[i] = s_i
        for s_i in self.by_type.get('work', []):
            s = S[s_i]
            pool = [p['idx'] for p in P if 20 <= p['age'] <= 59 and p['ins'] == '310' and
                    km_between(H[p['hh']]['lat'], H[p['hh']]['lon'], s['lat'], s['lon']) < 15 and
                    p['idx'] not in self.work_of]
            for i in r.sample(pool, min(r.randint(150, 600), len(pool))):
                self.work_of[i] = s_i
        # nearest-site lists per household
        hl = np.array([h['lat'] for h in H])
        ho = np.array([h['lon'] for h in H])
        coslat = math.cos(math.radians(self.lat0))

        def dist_to(idx_list):
            idx = np.array(idx_list)
            dy = (hl[:, None] - self.lat_arr[idx][None, :]) * 111.0
            dx = (ho[:, None] - self.lon_arr[idx][None, :]) * 111.0 * coslat
            return idx, np.sqrt(dx * dx + dy * dy)

        prim = [s['idx'] for s in S if s['type'] in ('chc', 'chs', 'clinic', 'village', 'township') and
                s['sub'] not in ('dental', 'rehab')]
        idx, D = dist_to(prim)
        order = np.argsort(D, axis=1)[:, :4]
        for hi, h in enumerate(H):
            h['prim'] = [int(idx[j]) for j in order[hi]]
            h['prim_d'] = [float(D[hi, j]) for j in order[hi]]
        hosp = self.by_type['hosp3'] + self.by_type['hosp2'] + self.by_type.get('township', [])
        idx, D = dist_to(hosp)
        size = np.array([{'hosp3': 6.0, 'hosp2': 2.0, 'township': 1.0}[S[i]['type']] for i in idx])
        W = size[None, :] / (D + 2.5) ** 2.2
        for hi, h in enumerate(H):
            w = W[hi]
            top = np.argsort(-w)[:5]
            h['hosp'] = [int(idx[j]) for j in top]
            h['hosp_w'] = [float(w[j]) for j in top]
        idx, D = dist_to(self.by_type['pharm'])
        order = np.argsort(D, axis=1)[:, :4]
        for hi, h in enumerate(H):
            h['pharm'] = [int(idx[j]) for j in order[hi]]
        mz = self.by_type['mzb'] + [s['idx'] for s in S if s['type'] == 'clinic' and s['sub'] in ('dental', 'rehab', 'tcm')]
        idx, D = dist_to(mz)
        order = np.argsort(D, axis=1)[:, :6]
        for hi, h in enumerate(H):
            h['spec'] = [int(idx[j]) for j in order[hi]]
        self.h_lat, self.h_lon = hl, ho

    # ------------------------------------------------------------------ visits
    def add_visit(self, p, s, mt, t0, t1, dr, dx, lines, cert=None, ring=None, fund=None):
        total = 0
        for l in lines:
            total += l[3]
        if fund is None:
            fund = self.fund_pay(p, s, mt, total)
        if fund > total:
            fund = total
        if cert is None:
            P = self.P[p]
            cert = P['cert'] if self.rng.random() < 0.8 else self.rng.choices(['01', '02', '03'], P['cert_w'])[0]
        self.visits.append([p, s, mt, t0, t1, dr, dx, cert, lines, total, fund, ring])
        return len(self.visits) - 1

    def fund_pay(self, p, s, mt, total):
        r = self.rng
        P = self.P[p]
        S = self.sites[s]
        ins = P['ins']
        if ins == '340':
            return total
        if 21 <= mt <= 28:
            dedu = {'hosp3': 80000, 'hosp2': 50000, 'township': 20000}.get(S['type'], 30000)
            ratio = r.uniform(0.78, 0.9) if ins == '310' else r.uniform(0.6, 0.8)
            if S['type'] == 'township':
                ratio += 0.05
            return int(max(0, total - dedu) * ratio)
        if mt == 41:
            if ins == '310':
                return total if r.random() < 0.75 else int(total * r.uniform(0.4, 0.7))
            if P['conds'] and r.random() < 0.6:
                return int(total * r.uniform(0.45, 0.6))
            return 0 if r.random() < 0.6 else int(total * 0.5)
        if mt == 14:
            return int(total * (r.uniform(0.7, 0.85) if ins == '310' else r.uniform(0.55, 0.7)))
        tier = S['type']
        if r.random() < 0.07:
            return 0
        if tier in ('hosp3',):
            ratio = r.uniform(0.45, 0.6) if ins == '310' else r.uniform(0.3, 0.5)
        elif tier == 'hosp2':
            ratio = r.uniform(0.5, 0.65) if ins == '310' else r.uniform(0.4, 0.55)
        else:
            ratio = r.uniform(0.6, 0.75) if ins == '310' else r.uniform(0.5, 0.65)
        return int(total * ratio)

    def dx_for(self, p, grps):
        r = self.rng
        P = self.P[p]
        for _ in range(10):
            g = r.choice(grps) if isinstance(grps, list) else grps
            lst = self.dx_by_grp.get(g)
            if not lst:
                continue
            d = r.choice(lst)
            fl = self.dx[d]['fl']
            if fl.get('g') and fl['g'] != P['g']:
                continue
            if P['age'] < fl.get('amin', 0) or P['age'] > fl.get('amax', 200) - 1:
                continue
            return d
        return self.dx_by_grp['resp'][0]

    def ok_item(self, it_i, p):
        fl = self.items[it_i]['fl']
        P = self.P[p]
        if fl.get('g') and fl['g'] != P['g']:
            return False
        if P['age'] < fl.get('amin', 0) or P['age'] > fl.get('amax', 200) - 1:
            return False
        return True

    def acute_grp(self, p, site_sub=None):
        r = self.rng
        a = self.P[p]['age']
        if site_sub == 'dental':
            return 'dental'
        if site_sub in ('rehab',):
            return 'msk'
        if a < 14:
            return r.choices(['resp', 'gi', 'skin', 'eye', 'trauma', 'dental'], [70, 12, 7, 4, 5, 2])[0]
        if a < 60:
            return r.choices(['resp', 'gi', 'msk', 'skin', 'eye', 'uro', 'gyn', 'male', 'trauma', 'dental', 'neuro'],
                             [40, 14, 14, 7, 3, 4, 4, 2, 5, 3, 4])[0]
        return r.choices(['resp', 'gi', 'msk', 'skin', 'eye', 'uro', 'trauma', 'neuro'],
                         [38, 14, 24, 5, 4, 5, 3, 7])[0]

    def acute_lines(self, p, s_i, dx_i, t, dr, mt=11, infl=1.0, out=None):
        """fee lines of an ordinary outpatient visit"""
        r = self.rng
        S = self.sites[s_i]
        typ = S['type']
        grp = self.dx[dx_i]['grp']
        lines = out if out is not None else []
        hosp = typ in ('hosp3', 'hosp2')
        tt = t + r.randint(60, 900)
        if mt == 13:
            lines.append(self.line(self.svc_by_k['consult_er'][0], 1, s_i, t, dr))
        elif r.random() < (0.9 if hosp else (0.55 if typ in ('township', 'chc', 'mzb') else 0.3)):
            lines.append(self.line(self.svc_by_k['consult'][0], 1, s_i, t, dr))
        if grp == 'dental':
            d = self.svc_by_k['dent']
            lines.append(self.line(d[0], 1, s_i, tt, dr))
            if r.random() < 0.6:
                lines.append(self.line(r.choice(d[1:]), r.choice([1, 1, 2]) if infl < 1.5 else r.randint(2, 4), s_i, tt, dr))
            return lines
        if hosp and r.random() < 0.55:
            for k in r.sample(['lab', 'lab', 'img', 'us', 'ecg', 'ct'], r.choice([1, 1, 2])):
                lines.append(self.line(r.choice(self.svc_by_k[k]), 1, s_i, tt, dr))
        if grp == 'msk' and (S['sub'] in ('rehab', 'tcm') or r.random() < 0.25):
            for k in range(r.choice([1, 2, 2, 3]) if infl < 1.5 else int(2 + infl * 1.5)):
                lines.append(self.line(r.choice(self.svc_by_k['rehab']), 1 if infl < 1.5 else r.randint(1, 3),
                                       s_i, tt, dr))
        # drugs
        key = grp if grp in self.dx_drugs else 'resp'
        if key == 'resp' and self.P[p]['age'] < 12:
            key = 'resp_kid'
        pool = self.dx_drugs[key]
        nd = r.choices([0, 1, 2, 3], [0.08, 0.45, 0.35, 0.12])[0]
        if infl > 1.5:
            nd += int(infl)
        prd = 3 if mt == 13 else r.randint(3, 7)
        loose = hosp or r.random() < 0.4
        picked = set()
        for k in range(nd):
            it = r.choice(pool)
            if it in picked or not self.ok_item(it, p):
                continue
            picked.add(it)
            ii = self.items[it]
            if loose and ii['pack'] >= 6:
                per_day = r.choice([1, 2, 3])
                cnt = min(ii['pack'] * 2, per_day * prd)
                lines.append(self.line(it, cnt, s_i, tt, dr, prd, None, self.unit_price(it, s_i)))
            else:
                boxes = 1 if r.random() < 0.75 else 2
                if infl > 1.5:
                    boxes = int(boxes * infl)
                self.drug_lines(it, boxes, s_i, tt, dr, prd, S['scan'], lines)
        # infusion at clinics (common in China for resp infections)
        if grp in ('resp', 'gi') and r.random() < (0.12 if not hosp else 0.05) * infl:
            days = 1
            lines.append(self.line(self.svc_by_k['iv'][0], days, s_i, tt, dr))
            lines.append(self.line(self.item_idx['0.9%氯化钠注射液'], days * r.choice([1, 2]), s_i, tt, dr, 1))
            lines.append(self.line(r.choice([self.item_idx['注射用头孢曲松钠'], self.item_idx['注射用阿奇霉素']]),
                                   days, s_i, tt, dr, 1))
            lines.append(self.line(self.item_idx['一次性使用输液器'], days, s_i, tt, dr))
        elif grp == 'trauma' and r.random() < 0.6:
            lines.append(self.line(r.choice(self.svc_by_k['dress'] + self.svc_by_k['suture']), 1, s_i, tt, dr))
            lines.append(self.line(self.item_idx['医用纱布块'], 1, s_i, tt, dr))
        if not lines:
            lines.append(self.line(self.svc_by_k['consult'][0], 1, s_i, t, dr))
        return lines

    def chronic_drug_lines(self, p, s_i, regimen, days, t, dr, lines, scan_p, trace_list=None):
        for it in regimen:
            ii = self.items[it]
            boxes = max(1, int(math.ceil(days / ii['fl'].get('days', 30))))
            prd = min(84, boxes * ii['fl'].get('days', 30))
            self.drug_lines(it, boxes, s_i, t, dr, prd, scan_p, lines, trace_list)

    def choose_site_acute(self, p):
        r = self.rng
        P = self.P[p]
        h = self.H[P['hh']]
        a = P['age']
        if P.get('nh') is not None and r.random() < 0.7:
            return P['nh']
        if p in self.school_of and r.random() < 0.35:
            return self.school_of[p]
        if p in self.work_of and r.random() < 0.35:
            return self.work_of[p]
        x = r.random()
        if a < 7:
            ph, pp = 0.48, 0.92
        elif a < 60:
            ph, pp = 0.3, 0.78
        else:
            ph, pp = 0.33, 0.9
        if x < ph:
            return r.choices(h['hosp'], h['hosp_w'])[0]
        if x < pp:
            return r.choices(h['prim'], [0.6, 0.22, 0.12, 0.06][:len(h['prim'])])[0]
        if x < 0.97:
            return r.choice(h['spec'])
        return r.randrange(len(self.sites) - len(self.by_type['pharm']))  # anywhere (pharmacies are last)

    # ------------------------------------------------------------------ normal simulation
    def sim_admissions(self):
        r = self.rng
        self.stays = {}
        for P in self.P:
            a = P['age']
            rate = 0.035 if a < 15 else (0.04 if a < 45 else (0.07 if a < 60 else (0.12 if a < 75 else 0.22)))
            if P['conds']:
                rate *= 1.4
            n = self.poisson(rate * P['frail'])
            n = min(n, 4)
            h = self.H[P['hh']]
            last_end = -1
            for k in range(n):
                d0 = self.day('acute', 'any', lo=last_end + 3)
                if P['die'] is not None and d0 >= P['die']:
                    break
                hs = [i for i in h['hosp'] if self.sites[i]['beds'] > 0]
                s_i = r.choices(hs, [h['hosp_w'][h['hosp'].index(i)] for i in hs])[0]
                S = self.sites[s_i]
                los = max(1, int(round(r.lognormvariate(math.log(7 if S['type'] != 'township' else 5), 0.5))))
                if a >= 18 and P['g'] == 2 and a <= 42 and r.random() < 0.15:
                    dx = self.dx_for(P['idx'], 'ip_ob')
                    los = r.randint(2, 4)
                else:
                    grps = ['ip', 'ip', 'resp_ip'] + [c for c in P['conds'] if c in ('htn', 'dm', 'chd', 'copd', 'hf', 'stroke')]
                    dx = self.dx_for(P['idx'], grps)
                t0 = d0 * DAY + self.tod('adm')
                d1 = d0 + los
                if d1 >= self.ndays - 1:
                    break
                if P['die'] is not None and d1 > P['die']:
                    break
                t1 = d1 * DAY + int(r.uniform(8.5, 16) * 3600)
                dr = self.pick_doc(S, d0 * DAY + 10 * 3600)
                lines = self.inpatient_lines(P['idx'], s_i, dx, t0, t1, dr, sparse=False)
                mt = 21 if r.random() < 0.9 else r.choice([22, 23, 24, 25, 26, 27, 28])
                self.add_visit(P['idx'], s_i, mt, t0, t1, dr, dx, lines,
                               cert=r.choice(['01', '02', '03', P['cert']]))
                self.stays.setdefault(P['idx'], []).append((d0, d1))
                last_end = d1

    def inpatient_lines(self, p, s_i, dx, t0, t1, dr, sparse=False, infl=1.0, herbs=False):
        r = self.rng
        S = self.sites[s_i]
        lines = []
        d0, d1 = t0 // DAY, t1 // DAY
        los = max(1, d1 - d0)
        docs = S['docs'] or [dr]
        big = {'hosp3': 1.0, 'hosp2': 0.7, 'township': 0.45}.get(S['type'], 0.5)
        bed = self.svc_by_k['bed'][0]
        for k in range(los):
            tt = (d0 + k) * DAY + (t0 % DAY if k == 0 else r.randint(0, 3600))
            if not sparse or k == 0 or r.random() < 0.15:
                lines.append(self.line(bed, 1, s_i, tt, dr))
        if sparse:
            lines.append(self.line(bed, los - 1 if los > 1 else 1, s_i, t1 - 600, dr))
        nurse = self.svc_by_k['nurse1' if r.random() < 0.3 else 'nurse'][0]
        lines.append(self.line(nurse, los, s_i, t1 - 1800, dr))
        lines.append(self.line(self.svc_by_k['ward'][0], los, s_i, t1 - 1700, dr))
        if r.random() < 0.4 * big + 0.1:
            lines.append(self.line(self.svc_by_k['o2'][0], r.randint(6, 24 * min(los, 4)), s_i, t0 + 1800, dr))
            lines.append(self.line(self.svc_by_k['monitor'][0], r.randint(12, 24 * min(los, 3)), s_i, t0 + 1800, dr))
        for k in range(r.randint(3, 6) + int(big * 3)):
            tt = t0 + r.randint(1800, 2 * DAY if los > 2 else 3600 * 6)
            lines.append(self.line(r.choice(self.svc_by_k['lab']), 1, s_i, min(tt, t1), dr))
        for k in range(r.choice([0, 1, 1, 2]) + (1 if big >= 0.7 else 0)):
            tt = t0 + r.randint(3600, DAY)
            lines.append(self.line(r.choice(self.svc_by_k['img'] + self.svc_by_k['ct'] + self.svc_by_k['us']), 1, s_i,
                                   min(tt, t1), dr))
        # operation for surgical diagnoses (not at township level for the big ones)
        code = self.dx[dx]['code'][:3]
        surg = self.svc_by_k.get('surg_' + code)
        if surg and (S['type'] != 'township' or code in ('K35', 'O80', 'N20')) and r.random() < 0.85:
            ts = t0 + r.randint(3 * 3600, max(3 * 3600 + 1, min(2 * DAY, t1 - t0 - 3600)))
            lines.append(self.line(surg[0], 1, s_i, ts, dr))
            if code in ('K80', 'K35', 'S72', 'M51'):
                lines.append(self.line(self.svc_by_k['anaes'][0], 1, s_i, ts, r.choice(docs)))
            cons = {'K80': '一次性腹腔镜穿刺套管', 'S72': '髋部空心加压螺钉', 'I20': '一次性使用造影导管',
                    'K35': '一次性使用吻合器'}.get(code)
            if cons and r.random() < 0.8:
                lines.append(self.line(self.item_idx[cons], 1 if code != 'S72' else r.randint(2, 3), s_i, ts, dr))
        # infusions through the stay, in 1-3 chunks per drug
        inj = [i for i in self.inj if self.items[i]['price'] > 5]
        per_day = r.randint(1, 3)
        for it in r.sample(inj, r.randint(1, 3) + (1 if big >= 0.7 else 0)):
            chunks = min(los, r.randint(1, 3))
            days_left = los
            for ch in range(chunks):
                nd = days_left if ch == chunks - 1 else max(1, days_left // (chunks - ch))
                days_left -= nd
                if nd <= 0:
                    continue
                tt = t0 + int((t1 - t0) * ch / chunks) + r.randint(600, 3600)
                cnt = max(1, int(nd * r.choice([1, 2, 2, 3]) * infl))
                lines.append(self.line(it, cnt, s_i, min(tt, t1), dr, min(7, nd)))
                lines.append(self.line(self.item_idx['0.9%氯化钠注射液'], cnt, s_i, min(tt, t1), dr, min(7, nd)))
        lines.append(self.line(self.svc_by_k['iv'][0], los * per_day, s_i, t1 - 1600, dr))
        nd = r.randint(1, 4) + (int(infl) if infl > 1.3 else 0)
        for k in range(nd):
            it = r.choice(self.drug_acute)
            if not self.ok_item(it, p):
                continue
            tt = t0 + r.randint(0, max(1, t1 - t0 - 3600))
            ii = self.items[it]
            cnt = max(1, int(r.randint(1, 2) * infl))
            lines.append(self.line(it, cnt, s_i, tt, r.choice(docs) if r.random() < 0.2 else dr, min(7, max(1, los))))
        if S['type'] == 'hosp3' and r.random() < 0.08:
            lines.append(self.line(self.item_idx['人血白蛋白(10g)'], r.randint(2, 6), s_i, t0 + DAY // 2, dr, 3))
        if herbs:
            self.herb_lines(s_i, t0 + 3600, dr, lines, r.randint(8, 14), r.randint(5, 7), r.randint(9, 15))
        lines.append(self.line(self.item_idx['一次性使用输液器'], los * per_day, s_i, t0 + 7200, dr))
        if r.random() < 0.5:
            lines.append(self.line(self.item_idx['静脉留置针'], max(1, los // 3), s_i, t0 + 3600, dr))
        return lines

    def herb_lines(self, s_i, t, dr, lines, n_herbs, doses, grams, expensive=False):
        r = self.rng
        pool = self.herbs if expensive else self.herbs_common
        for it in r.sample(pool, min(n_herbs, len(pool))):
            g = grams * r.choice([1, 1, 1, 2]) if not expensive else grams
            lines.append(self.line(it, g * doses, s_i, t, dr, doses))

    def poisson(self, lam):
        if lam <= 0:
            return 0
        L = math.exp(-lam)
        k, p = 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= L:
                return k
            k += 1

    def in_stay(self, p, d):
        st = self.stays.get(p)
        if not st:
            return False
        for a, b in st:
            if a <= d <= b:
                return True
        return False

    def alive(self, p, d):
        die = self.P[p]['die']
        return die is None or d < die

    def sim_outpatient(self):
        r = self.rng
        P, H = self.P, self.H
        self.fam_events = {}
        self.nh_visits = {}
        self.special_patients = {}
        fam_p = r.uniform(0.08, 0.2)
        for p in P:
            pi = p['idx']
            a = p['age']
            rate = (5.0 if a < 7 else 2.4 if a < 18 else 1.5 if a < 45 else 2.0 if a < 60 else 2.8 if a < 75 else 3.4)
            n = self.poisson(rate * p['frail'])
            h = H[p['hh']]
            for k in range(n):
                s_i = self.choose_site_acute(pi)
                S = self.sites[s_i]
                typ = S['type']
                if typ in ('school', 'work'):
                    d = self.day('acute', 'weekday')
                    if typ == 'school' and self.school_holiday[d]:
                        s_i = h['prim'][0]
                        S = self.sites[s_i]
                        typ = S['type']
                        d = self.day('acute', 'clinic')
                else:
                    d = self.day('acute', 'hosp' if typ in ('hosp3', 'hosp2') else 'clinic')
                if not self.alive(pi, d) or self.in_stay(pi, d):
                    continue
                mt = 11
                kind = 'hosp' if typ in ('hosp3', 'hosp2') else 'clinic'
                if typ in ('hosp3', 'hosp2') and r.random() < 0.12:
                    mt, kind = 13, 'er'
                t = d * DAY + self.tod(kind)
                dr = self.pick_doc(S, t)
                grp = self.acute_grp(pi, S['sub'])
                dx = self.dx_for(pi, grp)
                self.add_visit(pi, s_i, mt, t, None, dr, dx, self.acute_lines(pi, s_i, dx, t, dr, mt))
                if typ in SPECIAL_TYPES:
                    self.special_patients.setdefault(s_i, set()).add(pi)
                # companions from the household
                if len(h['members']) > 1 and typ not in SPECIAL_TYPES and r.random() < fam_p:
                    others = [m for m in h['members'] if m != pi and self.alive(m, d) and not self.in_stay(m, d)]
                    if others:
                        nc = 1 if r.random() < 0.75 else 2
                        comp = r.sample(others, min(nc, len(others)))
                        tc = t
                        for m in comp:
                            tc += r.randint(30, 480)
                            drc = dr if r.random() < 0.65 else self.pick_doc(S, tc)
                            dxm = dx if (r.random() < 0.6 and self.ok_dx(dx, m)) else self.dx_for(m, self.acute_grp(m, S['sub']))
                            self.add_visit(m, s_i, mt, tc, None, drc, dxm, self.acute_lines(m, s_i, dxm, tc, drc, mt))
                        self.fam_events[h['idx']] = self.fam_events.get(h['idx'], 0) + 1
                        self.fam_members = getattr(self, 'fam_members', {})
                        self.fam_members.setdefault(h['idx'], set()).update([pi] + comp)
                # follow-up
                if r.random() < 0.22 and mt == 11:
                    d2 = d + r.randint(2, 7)
                    if d2 < self.ndays and self.alive(pi, d2) and not self.in_stay(pi, d2):
                        t2 = d2 * DAY + self.tod(kind)
                        dr2 = dr if r.random() < 0.7 else self.pick_doc(S, t2)
                        self.add_visit(pi, s_i, 11, t2, None, dr2, dx, self.acute_lines(pi, s_i, dx, t2, dr2, 11))
            # OTC purchases at pharmacies
            otc = 0.25 if a < 14 else (1.0 if a < 60 else 1.4)
            if p.get('nh') is not None:
                otc = 0.1
            for k in range(self.poisson(otc * (0.5 + p['frail'] / 2))):
                s_i = r.choices(h['pharm'], [0.6, 0.2, 0.12, 0.08][:len(h['pharm'])])[0]
                d = self.day('acute', 'pharm')
                if not self.alive(pi, d) or self.in_stay(pi, d):
                    continue
                t = d * DAY + self.tod('pharm')
                self.pharm_purchase(pi, s_i, t)
            # school / workplace clinic routine
            if pi in self.school_of:
                s_i = self.school_of[pi]
                for k in range(self.poisson(1.3)):
                    d = self.day('acute', 'weekday')
                    if self.school_holiday[d] or not self.alive(pi, d):
                        continue
                    t = d * DAY + self.tod('clinic')
                    S = self.sites[s_i]
                    dr = self.pick_doc(S, t)
                    dx = self.dx_for(pi, r.choice(['resp', 'gi', 'skin', 'trauma', 'resp']))
                    self.add_visit(pi, s_i, 11, t, None, dr, dx, self.acute_lines(pi, s_i, dx, t, dr))
                    self.special_patients.setdefault(s_i, set()).add(pi)
            if pi in self.work_of:
                s_i = self.work_of[pi]
                for k in range(self.poisson(1.6)):
                    d = self.day('acute', 'weekday')
                    if not self.alive(pi, d) or self.in_stay(pi, d):
                        continue
                    t = d * DAY + self.tod('clinic')
                    S = self.sites[s_i]
                    dr = self.pick_doc(S, t)
                    dx = self.dx_for(pi, r.choice(['resp', 'gi', 'msk', 'trauma', 'skin', 'resp']))
                    self.add_visit(pi, s_i, 11, t, None, dr, dx, self.acute_lines(pi, s_i, dx, t, dr))
                    self.special_patients.setdefault(s_i, set()).add(pi)

    def ok_dx(self, dx, p):
        fl = self.dx[dx]['fl']
        P = self.P[p]
        if fl.get('g') and fl['g'] != P['g']:
            return False
        return fl.get('amin', 0) <= P['age'] <= fl.get('amax', 200) - 1

    def pharm_purchase(self, p, s_i, t, items=None, dx=None, ph=None, fund=None, ring=None, cert=None,
                       trace_list=None, scan=None):
        r = self.rng
        S = self.sites[s_i]
        if ph is None:
            ph = r.choice(S['pharmacists']) if (S['pharmacists'] and r.random() < S['ph_code_p']) else -1
        lines = []
        if items is None:
            key = r.choice(['resp', 'resp', 'gi', 'skin', 'msk', 'eye'])
            if key == 'resp' and self.P[p]['age'] < 12:
                key = 'resp_kid'
            picked = set()
            for k in range(r.choices([1, 2, 3], [0.55, 0.33, 0.12])[0]):
                it = r.choice(self.dx_drugs[key] + (self.cheap if r.random() < 0.3 else []))
                if it in picked or not self.ok_item(it, p):
                    continue
                picked.add(it)
                self.drug_lines(it, 1 if r.random() < 0.7 else 2, s_i, t, ph, r.randint(3, 7),
                                S['scan'] if scan is None else scan, lines)
            if not lines:
                it = self.item_idx['维生素C片']
                self.drug_lines(it, 1, s_i, t, ph, 7, S['scan'], lines)
        else:
            lines = items
        return self.add_visit(p, s_i, 41, t, None, ph, dx, lines, ring=ring, fund=fund, cert=cert)

    def sim_chronic(self):
        r = self.rng
        P, H = self.P, self.H
        self.refill_groups = {}     # pharmacy -> set(patients)
        self.carers = []            # (carer, [elders], pharmacy)
        elders_by_carer = {}
        self.nh_rounds = {}
        self.fu_groups = {}
        chronic_persons = [p for p in P if p['conds'] and r.random() < 0.85]
        for p in chronic_persons:
            regimen = []
            for c in p['conds']:
                pool = [i for i in self.chronic_drugs.get(c, []) if self.ok_item(i, p['idx'])]
                if not pool:
                    continue
                cheap = [i for i in pool if not self.items[i]['fl'].get('hv')]
                hv = [i for i in pool if self.items[i]['fl'].get('hv')]
                if hv and (r.random() < 0.22 or not cheap):
                    regimen.append(r.choice(hv))
                else:
                    regimen.append(r.choice(cheap))
                if r.random() < 0.25 and len(cheap) > 1:
                    x = r.choice(cheap)
                    if x not in regimen:
                        regimen.append(x)
            regimen = regimen[:4]
            if not regimen:
                continue
            p['regimen'] = regimen
            if p.get('nh') is not None:
                p['cmode'] = 'nh'
            else:
                urb = H[p['hh']]['urban']
                p['cmode'] = r.choices(['hosp', 'pharm', 'prim'], [0.4, 0.38, 0.22] if urb else [0.35, 0.25, 0.4])[0]
        # carers: elderly in pharmacy mode with a younger adult in household or linked household
        for h in H:
            els = [m for m in h['members'] if P[m].get('cmode') == 'pharm' and P[m]['age'] >= 70]
            if not els:
                continue
            cands = [m for m in h['members'] if 25 <= P[m]['age'] < 65]
            for lh in h['linked']:
                cands += [m for m in H[lh]['members'] if 25 <= P[m]['age'] < 65]
            if cands and r.random() < 0.45:
                c = r.choice(cands)
                for e in els:
                    P[e]['carer'] = c
                elders_by_carer.setdefault(c, []).extend(els)
        for p in chronic_persons:
            if 'regimen' not in p:
                continue
            pi = p['idx']
            h = H[p['hh']]
            mode = p['cmode']
            if mode == 'nh':
                self.nh_rounds.setdefault(p['nh'], []).append(pi)
            elif mode == 'hosp':
                s_i = r.choices(h['hosp'][:3], h['hosp_w'][:3])[0]
                iv = r.choice([28, 30, 30, 56, 84])
                self.rhythm_visits(pi, s_i, iv, 'hosp', prescr=True, days=iv)
            elif mode == 'prim':
                s_i = h['prim'][0]
                S = self.sites[s_i]
                if S['type'] in ('township', 'chc', 'chs', 'village'):
                    if 'fu' not in S:
                        S['fu'] = sorted(r.sample(range(3, 27), r.choice([1, 2]))) if r.random() < 0.55 else []
                    if S['fu']:
                        self.fu_visits(pi, s_i)
                        self.fu_groups.setdefault(s_i, set()).add(pi)
                        continue
                iv = r.choice([28, 30, 30, 60])
                self.rhythm_visits(pi, s_i, iv, 'clinic', prescr=True, days=iv)
            else:
                s_i = r.choices(h['hosp'][:3], h['hosp_w'][:3])[0]
                self.rhythm_visits(pi, s_i, r.choice([84, 91, 120, 180]), 'hosp', prescr=True, days=28)
                if p.get('carer') is None:
                    ph = h['pharm'][0] if r.random() < 0.75 else h['pharm'][1]
                    p['ref_pharm'] = ph
                    self.refill_series(pi, ph, r.choice([28, 30, 30, 31]), None)
                    self.refill_groups.setdefault(ph, set()).add(pi)
        # nursing-home rounds: the clinic doctor records every resident's chronic visit on round days
        for s_i, res in self.nh_rounds.items():
            S = self.sites[s_i]
            dom = sorted(r.sample(range(2, 27), r.choice([1, 2])))
            doc = S['docs'][0] if S['docs'] else -1
            for d in range(self.ndays):
                if self.dates[d].day not in dom:
                    continue
                t = d * DAY + int(r.uniform(8.3, 9.2) * 3600)
                rr = res[:]
                r.shuffle(rr)
                for pi in rr:
                    if not self.alive(pi, d) or self.in_stay(pi, d) or r.random() < 0.05:
                        continue
                    t += r.randint(90, 420)
                    P_ = P[pi]
                    dr = doc if r.random() < 0.9 else self.pick_doc(S, t)
                    lines = []
                    if r.random() < 0.5:
                        lines.append(self.line(self.svc_by_k['consult'][0], 1, s_i, t, dr))
                    self.chronic_drug_lines(pi, s_i, P_['regimen'], 30 if len(dom) == 1 else 15, t + 60, dr, lines,
                                            S['scan'])
                    self.add_visit(pi, s_i, 11, t, None, dr, self.dx_for(pi, r.choice(P_['conds'])), lines)
                    self.special_patients.setdefault(s_i, set()).add(pi)
        # carer-run refills: one trip serves all the carer's elders
        for c, els in elders_by_carer.items():
            els = [e for e in dict.fromkeys(els)]
            ch = H[P[c]['hh']]
            ph = ch['pharm'][0]
            iv = r.choice([28, 30, 30, 31])
            d = r.randint(0, iv - 1)
            jit = r.choice([1, 2, 3])
            while d < self.ndays:
                t = d * DAY + self.tod('pharm')
                if self.alive(c, d):
                    if r.random() < 0.35:
                        self.pharm_purchase(c, ph, t)
                        t += r.randint(40, 200)
                    for e in els:
                        if self.alive(e, d) and not self.in_stay(e, d):
                            self.refill_one(e, ph, t)
                            t += r.randint(30, 180)
                d += iv + r.randint(-jit, jit)
            self.carers.append((c, els, ph))
            for e in els:
                self.refill_groups.setdefault(ph, set()).add(e)

    def refill_one(self, pi, ph, t, ring=None):
        r = self.rng
        S = self.sites[ph]
        P = self.P[pi]
        lines = []
        phc = r.choice(S['pharmacists']) if (S['pharmacists'] and r.random() < S['ph_code_p']) else -1
        self.chronic_drug_lines(pi, ph, P['regimen'], 30, t, phc, lines, S['scan'])
        dx = self.dx_for(pi, P['conds'][0]) if r.random() < 0.5 else None
        return self.pharm_purchase(pi, ph, t, items=lines, dx=dx, ph=phc, ring=ring)

    def refill_series(self, pi, ph, iv, ring):
        r = self.rng
        d = r.randint(0, iv - 1)
        while d < self.ndays:
            if not self.alive(pi, d):
                break
            if not self.in_stay(pi, d):
                self.refill_one(pi, ph, d * DAY + self.tod('pharm'), ring)
            d += iv + r.randint(-2, 3)

    def fu_visits(self, pi, s_i):
        """monthly chronic follow-up day at a primary site (慢病随访日): many patients, one morning"""
        r = self.rng
        S = self.sites[s_i]
        P = self.P[pi]
        dom = r.choice(S['fu'])
        for d in range(self.ndays):
            if self.dates[d].day != dom:
                continue
            dd = d + (1 if self.dow[d] == 6 else 0)
            if r.random() < 0.12:
                dd += r.randint(1, 6)
            if dd >= self.ndays or not self.alive(pi, dd):
                if dd < self.ndays:
                    break
                continue
            if self.in_stay(pi, dd):
                continue
            t = dd * DAY + int(r.uniform(7.8, 11.0) * 3600)
            dr = self.pick_doc(S, t)
            lines = []
            if r.random() < 0.5:
                lines.append(self.line(self.svc_by_k['consult'][0], 1, s_i, t, dr))
            if r.random() < 0.3:
                lines.append(self.line(self.svc_by_k['lab'][4], 1, s_i, t + 300, dr))
            self.chronic_drug_lines(pi, s_i, P['regimen'], 30, t + 400, dr, lines, S['scan'])
            mt = 14 if S['type'] in ('township', 'chc') and r.random() < 0.5 else 11
            self.add_visit(pi, s_i, mt, t, None, dr, self.dx_for(pi, r.choice(P['conds'])), lines)

    def rhythm_visits(self, pi, s_i, iv, kind, prescr, days):
        r = self.rng
        S = self.sites[s_i]
        P = self.P[pi]
        d = r.randint(0, iv - 1)
        mt14 = r.random() < 0.6
        while d < self.ndays:
            if not self.alive(pi, d):
                break
            if self.dow[d] == 6 and S['type'] not in ('hosp3', 'hosp2'):
                d += 1
                continue
            if not self.in_stay(pi, d):
                t = d * DAY + self.tod(kind)
                dr = self.pick_doc(S, t)
                cond = r.choice(P['conds'])
                dx = self.dx_for(pi, cond)
                lines = []
                if S['type'] in ('hosp3', 'hosp2', 'township', 'chc') or r.random() < 0.4:
                    lines.append(self.line(self.svc_by_k['consult'][0], 1, s_i, t, dr))
                if r.random() < 0.2:
                    lines.append(self.line(r.choice(self.svc_by_k['lab']), 1, s_i, t + 600, dr))
                self.chronic_drug_lines(pi, s_i, P['regimen'], days, t + 900, dr, lines, S['scan'])
                mt = 14 if (mt14 and S['type'] in ('hosp3', 'hosp2', 'chc', 'township')) else 11
                self.add_visit(pi, s_i, mt, t, None, dr, dx, lines)
                if S['type'] in SPECIAL_TYPES:
                    self.special_patients.setdefault(s_i, set()).add(pi)
            d += iv + r.randint(-3, 4)

    def apply_placeholder(self):
        r = self.rng
        st = self.st['placeholder']
        code = st.replace('city', self.city_admdvs)
        self.placeholder = code
        cands = [s['idx'] for s in self.sites if s['type'] in ('hosp3', 'hosp2', 'township')
                 and s['idx'] not in self.ring_sites]
        n = r.randint(1, 3)
        self.ph_sites = r.sample(cands, min(n, len(cands)))
        self.ph_share = {s: r.uniform(0.2, 0.6) for s in self.ph_sites}
        self.ph_visits = 0
        for v in self.visits:
            if v[1] in self.ph_share and v[11] is None and r.random() < self.ph_share[v[1]]:
                old = v[5]
                v[5] = -2
                for l in v[8]:
                    if l[5] == old:
                        l[5] = -2 if r.random() < 0.7 else -1
                self.ph_visits += 1
        self.ph_in_staff = code.startswith('D') and r.random() < 0.7

    def random_gaps(self):
        """missing doctor codes here and there (data quality)"""
        r = self.rng
        for v in self.visits:
            if v[2] != 41 and v[5] >= 0 and r.random() < 0.015:
                v[5] = -1

    # ------------------------------------------------------------------ main
    def run(self):
        t0 = time.time()
        self.choose_styles()
        self.setup_period()
        self.trace_off = self.rng.randint(0, 10 ** 12)
        self.build_geo()
        self.build_sites()
        self.build_staff()
        self.build_items()
        self.build_population()
        self.assign_institutions()
        self.log.append('setup %.1fs' % (time.time() - t0))
        self.sim_admissions()
        self.sim_outpatient()
        self.sim_chronic()
        self.log.append('normal %.1fs visits=%d' % (time.time() - t0, len(self.visits)))
        self.random_gaps()
        ringmod.plant_rings(self)
        self.log.append('rings %.1fs visits=%d' % (time.time() - t0, len(self.visits)))
        self.apply_placeholder()
        self.fix_beds()

    def fix_beds(self):
        """approved beds comfortably above the normal (non-ring) census"""
        census = {}
        for v in self.visits:
            if 21 <= v[2] <= 28 and v[11] is None:
                c = census.setdefault(v[1], [0] * (self.ndays + 40))
                for d in range(v[3] // DAY, v[4] // DAY + 1):
                    c[d] += 1
        for s_i, c in census.items():
            S = self.sites[s_i]
            need = int(max(c) * 1.4) + 5
            if S['beds'] < need:
                S['beds'] = need + self.rng.randint(0, 20)

    # ------------------------------------------------------------------ hard negatives
    def hard_negatives(self, pid, sid, did):
        P = self.P
        ring_sites = self.ring_sites
        negs = []
        n = [0]

        def add(kind, desc, members):
            n[0] += 1
            negs.append({'id': 'neg-%05d' % n[0], 'kind': kind, 'description': desc, 'members': members})

        def pm(m, role):
            return {'kind': 'patient', 'id': pid[m], 'role': role}

        def sm(s, role):
            return {'kind': SITE_KIND[self.sites[s]['type']], 'id': sid[s], 'role': role}

        fam = getattr(self, 'fam_members', {})
        for hh in sorted(fam):
            ms = [m for m in sorted(fam[hh]) if P[m]['ring'] is None]
            if len(ms) < 2:
                continue
            add('family', 'household (%s) with %d joint visits: members seen at the same site on the same day '
                'minutes apart (companion visits)' % (self.H[hh]['type'], self.fam_events.get(hh, 0)),
                [pm(m, 'household member, age %d' % P[m]['age']) for m in ms])
        for c, els, ph in self.carers:
            if P[c]['ring'] is not None or ph in ring_sites:
                continue
            els = [e for e in els if P[e]['ring'] is None]
            if not els:
                continue
            add('carer', 'carer collecting chronic refills for %d elderly relative(s) at one pharmacy on a ~monthly '
                'rhythm, often buying for self in the same trip' % len(els),
                [pm(c, 'carer')] + [pm(e, 'relative, age %d' % P[e]['age']) for e in els] +
                [sm(ph, 'pharmacy used by the carer')])
        for ph in sorted(self.refill_groups):
            if ph in ring_sites:
                continue
            ms = [m for m in sorted(self.refill_groups[ph]) if P[m]['ring'] is None]
            if len(ms) < 3:
                continue
            add('chronic_refill', 'chronic patients refilling the same regimen ~monthly at one pharmacy',
                [sm(ph, 'pharmacy')] + [pm(m, 'chronic refill patient') for m in ms])
        for s_i in sorted(self.fu_groups):
            if s_i in ring_sites:
                continue
            ms = [m for m in sorted(self.fu_groups[s_i]) if P[m]['ring'] is None]
            if len(ms) < 3:
                continue
            add('chronic_refill', '%s: monthly chronic follow-up day (day %s of the month): many chronic patients '
                'seen by the same doctor(s) in one morning, same drugs each month' %
                (self.sites[s_i]['name'], '/'.join(map(str, self.sites[s_i]['fu']))),
                [sm(s_i, 'primary site running the follow-up day')] + [pm(m, 'chronic patient') for m in ms])
        vol = {}
        for v in self.visits:
            if v[5] >= 0 and v[11] != '__drop__':
                vol[v[5]] = vol.get(v[5], 0) + 1
        for s_i in self.by_type['hosp3']:
            if s_i in ring_sites:
                continue
            S = self.sites[s_i]
            docs = sorted([d for d in S['docs'] if d not in self.ring_docs], key=lambda d: -vol.get(d, 0))[:12]
            add('large_hospital', '%s: large hospital, many patients per doctor group (%d doctors registered)'
                % (S['name'], len(S['docs'])),
                [sm(s_i, 'large hospital')] + [{'kind': 'doctor', 'id': did[d], 'role': 'busy doctor'} for d in docs])
        kinds = {'school': 'school_clinic', 'work': 'workplace_clinic', 'nh': 'nursing_home'}
        for t, kind in kinds.items():
            for s_i in self.by_type.get(t, []):
                if s_i in ring_sites:
                    continue
                S = self.sites[s_i]
                pts = [m for m in sorted(self.special_patients.get(s_i, set())) if P[m]['ring'] is None]
                if t == 'nh':
                    pts = sorted(set(pts) | set(m for m in self.nh_res.get(s_i, []) if P[m]['ring'] is None))
                add(kind, '%s: %d people sharing %d doctor(s)' % (S['name'], len(pts), len(S['docs'])),
                    [sm(s_i, 'institution clinic')] +
                    [{'kind': 'doctor', 'id': did[d], 'role': 'clinic doctor'} for d in S['docs']] +
                    [pm(m, {'school': 'student', 'work': 'employee', 'nh': 'resident'}[t]) for m in pts])
        add('placeholder_doctor', 'placeholder doctor code "%s" on %d visits at %d site(s) (data quality)' %
            (self.placeholder, self.ph_visits, len(self.ph_sites)),
            [{'kind': 'doctor', 'id': self.placeholder, 'role': 'placeholder code'}] +
            [sm(s, 'site using the placeholder code') for s in self.ph_sites])
        totals = {}
        for x in negs:
            totals[x['kind']] = totals.get(x['kind'], 0) + 1
        return negs, totals

    # ------------------------------------------------------------------ output
    def write(self, out):
        os.makedirs(out, exist_ok=True)
        r = random.Random(self.seed * 104729 + 3)
        st = self.st
        drop = self.drop
        req_only = self.required_only
        # ---- ids
        pid = {}
        k = len(self.P)
        M, OFF = 7919 * 13 + 2, r.randint(0, 10 ** 9)
        M = M if M % 2 and M % 5 else M + 1
        while M % 2 == 0 or M % 5 == 0:
            M += 1
        for p in self.P:
            x = (p['idx'] * M * 1000003 + OFF) % (10 ** 10)
            if st['psn_no'] == 'nat':
                pid[p['idx']] = '%s0000%012d' % (self.city_code, x)
            elif st['psn_no'] == 'short':
                pid[p['idx']] = 'P%011d' % x
            else:
                pid[p['idx']] = '%s%02d%010d' % (self.city_code, self.st['year'] % 100, x)
        sid = {}
        used = set()
        for s in self.sites:
            reg = self.districts[s['district']]['code']
            pre = 'P' if s['type'] == 'pharm' else 'H'
            while True:
                if st['site_code'] == 'nat':
                    c = '%s%s%05d' % (pre, reg, r.randint(1, 99999))
                elif st['site_code'] == 'num':
                    c = '%s%06d' % (reg, r.randint(1, 999999))
                else:
                    c = '%s%011d' % (pre, r.randint(1, 10 ** 11 - 1))
                if c not in used:
                    used.add(c)
                    break
            sid[s['idx']] = c
        did = {i: d['code'] for i, d in enumerate(self.staff)}

        def drc(i):
            if i == -2:
                return self.placeholder
            if i < 0:
                return ''
            return did[i]

        # ---- formatting
        dfm = st['date_fmt']
        tfm = st['dt_fmt']
        dstr = []
        tday = []
        for d in self.dates:
            dstr.append(d.strftime('%Y-%m-%d' if dfm == 'dash' else '%Y%m%d'))
            tday.append(d.strftime({'dash': '%Y-%m-%d ', 'T': '%Y-%m-%dT', 'compact': '%Y%m%d'}[tfm]))
        sep = '' if tfm == 'compact' else ':'

        def fdt(sec):
            d, s = divmod(sec, DAY)
            h, s = divmod(s, 3600)
            m, s = divmod(s, 60)
            return '%s%02d%s%02d%s%02d' % (tday[d], h, sep, m, sep, s)

        def fdate(d):
            return d.strftime('%Y-%m-%d' if dfm == 'dash' else '%Y%m%d')

        fixed = st['money'] == 'fixed'

        def money(c):
            s = '%d.%02d' % (c // 100, c % 100)
            if not fixed:
                s = s.rstrip('0').rstrip('.')
            return s

        def pric(m):
            s = '%d.%06d' % (m // 1000000, m % 1000000)
            s = s.rstrip('0')
            if fixed:
                ip, fp = s.split('.')
                s = ip + '.' + fp.ljust(2, '0')
            else:
                s = s.rstrip('.')
            return s

        def cols(fname, extras=()):
            c = [x for x in REQUIRED[fname]] + [x for x in OPTIONAL[fname] if x not in drop]
            if fname == 'catalog' and 'med_list_name' in drop:
                pass
            if not req_only and st['extra_cols']:
                c += list(extras)
            if st['shuffle_cols']:
                rr = random.Random(self.seed * 7 + len(fname))
                rr.shuffle(c)
            else:
                canon = {'psn': ['psn_no', 'psn_name', 'gend', 'brdy', 'certno', 'insutype', 'insuplc_admdvs',
                                 'die_date'],
                         'fixmedins': ['fixmedins_code', 'fixmedins_name', 'fixmedins_type', 'hosp_lv', 'admdvs',
                                       'bed_cnt', 'lat', 'lon'],
                         'staff': ['dr_code', 'dr_name', 'fixmedins_code', 'dept_code', 'prof'],
                         'mdtrt': ['mdtrt_id', 'setl_id', 'psn_no', 'fixmedins_code', 'med_type', 'begntime',
                                   'endtime', 'atddr_no', 'dise_codg', 'dise_name', 'medfee_sumamt',
                                   'fund_pay_sumamt', 'mdtrt_cert_type', 'refd_setl_flag'],
                         'fee_list': ['feedetl_sn', 'mdtrt_id', 'med_list_codg', 'med_list_name', 'list_type', 'cnt',
                                      'pric', 'det_item_fee_sumamt', 'fee_ocur_time', 'bilg_dr_codg', 'prd_days',
                                      'drug_trac_codg'],
                         'catalog': ['med_list_codg', 'med_list_name', 'list_type', 'lmt_gend', 'lmt_age_min',
                                     'lmt_age_max', 'max_days', 'pric_uplmt_amt']}[fname]
                c.sort(key=lambda x: canon.index(x) if x in canon else 100)
            return c

        enc = 'utf-8-sig' if st['bom'] else 'utf-8'

        def writer(fname, columns):
            f = open(os.path.join(out, fname + '.csv'), 'w', encoding=enc, newline='')
            w = csv.writer(f, lineterminator='\n')
            w.writerow(columns)
            return f, w

        # ---- psn
        c = cols('psn')
        f, w = writer('psn', c)
        rows = []
        for p in self.P:
            row = {'psn_no': pid[p['idx']], 'gend': (str(p['g']) if st['gend'] == '12' else ('男' if p['g'] == 1 else '女')),
                   'brdy': fdate(p['brdy']), 'insutype': p['ins'], 'psn_name': p['name'], 'certno': p['certno'],
                   'insuplc_admdvs': p['insuplc'], 'die_date': dstr[p['die']] if p['die'] is not None else ''}
            rows.append(row)
        rows.sort(key=lambda x: x['psn_no'])
        for row in rows:
            w.writerow([row[x] for x in c])
        f.close()
        n_psn = len(rows)
        # ---- fixmedins
        lvmap = {'nat': {'3A': '02', '3B': '03', '2A': '05', '2B': '06', '1A': '08', '1B': '09', '1C': '10', 'none': '11'},
                 'grade': {'3A': '3', '3B': '3', '2A': '2', '2B': '2', '1A': '1', '1B': '1', '1C': '1', 'none': ''},
                 'text': {'3A': '三级甲等', '3B': '三级乙等', '2A': '二级甲等', '2B': '二级乙等', '1A': '一级甲等',
                          '1B': '一级乙等', '1C': '一级丙等', 'none': '未定级'}}[st['hosp_lv']]
        c = cols('fixmedins')
        f, w = writer('fixmedins', c)
        rows = []
        for s in self.sites:
            ph = s['type'] == 'pharm'
            lvl = s['level']
            if s['type'] in ('clinic', 'village', 'school', 'work', 'nh', 'chs', 'mzb') and lvl == 'none':
                lv = lvmap['none'] if r.random() < 0.5 else ''
            else:
                lv = lvmap[lvl]
            row = {'fixmedins_code': sid[s['idx']], 'fixmedins_name': s['name'], 'fixmedins_type': '2' if ph else '1',
                   'hosp_lv': '' if ph else lv, 'admdvs': self.districts[s['district']]['code'],
                   'bed_cnt': (str(s['beds']) if s['beds'] else ('' if ph else '0')),
                   'lat': '%.6f' % s['lat'], 'lon': '%.6f' % s['lon']}
            rows.append(row)
        rows.sort(key=lambda x: x['fixmedins_code'])
        for row in rows:
            w.writerow([row[x] for x in c])
        f.close()
        # ---- staff
        c = cols('staff')
        f, w = writer('staff', c)
        dmap = {nm: code for code, nm in DEPTS}
        dmap['药剂科'] = '31'
        rows = []
        for i, d in enumerate(self.staff):
            dc = dmap.get(d['dept'], '02')
            dc = {'A': 'A' + dc, 'plain': dc, 'long': 'A' + dc + '00'}[st['dept']]
            for s in d['sites']:
                rows.append({'dr_code': d['code'], 'fixmedins_code': sid[s], 'dr_name': d['name'], 'dept_code': dc,
                             'prof': d['prof']})
        if self.ph_in_staff:
            for s in self.ph_sites:
                rows.append({'dr_code': self.placeholder, 'fixmedins_code': sid[s], 'dr_name': '',
                             'dept_code': '', 'prof': 'doctor'})
        rows.sort(key=lambda x: (x['dr_code'], x['fixmedins_code']))
        for row in rows:
            w.writerow([row[x] for x in c])
        f.close()
        n_staff = len(rows)
        # ---- visits
        order = [i for i, v in enumerate(self.visits) if v[11] != '__drop__']
        order.sort(key=lambda i: (self.visits[i][3], self.visits[i][1], self.visits[i][0]))
        mid = {}
        seq_site_day = {}
        gseq = 0
        yr = lambda d: self.dates[d].strftime('%y%m%d')
        M2 = 982451653
        OFF2 = r.randint(0, 10 ** 15)
        for i in order:
            v = self.visits[i]
            gseq += 1
            d = v[3] // DAY
            if st['mdtrt_id'] == 'site_date':
                key = (v[1], d)
                seq_site_day[key] = seq_site_day.get(key, 0) + 1
                mid[i] = '%s%s%04d' % (sid[v[1]], yr(d), seq_site_day[key])
            elif st['mdtrt_id'] == 'region':
                mid[i] = '%s%s%08d' % (self.districts[self.sites[v[1]]['district']]['code'], yr(d), gseq)
            else:
                mid[i] = 'MDT%016d' % ((gseq * M2 + OFF2) % (10 ** 16))
        extras_m = ['insutype', 'ipt_otp_no']
        c = cols('mdtrt', extras_m)
        f, w = writer('mdtrt', c)
        refd = st['refd']
        n_vis = 0
        setl_pref = r.choice(['JS', 'S', ''])
        for k, i in enumerate(order):
            v = self.visits[i]
            p, s, mt, t0, t1, dr, dx, cert, lines, total, fund, ring = v
            row = {'mdtrt_id': mid[i], 'setl_id': '%s%018d' % (setl_pref, (k * 7727 + 11) * 3 + 1000000000),
                   'psn_no': pid[p], 'fixmedins_code': sid[s], 'med_type': str(mt), 'begntime': fdt(t0),
                   'endtime': fdt(t1) if t1 is not None else '', 'atddr_no': drc(dr),
                   'dise_codg': self.dx[dx]['code'] if dx is not None else '',
                   'dise_name': self.dx[dx]['name'] if dx is not None else '',
                   'medfee_sumamt': money(total), 'fund_pay_sumamt': money(fund), 'mdtrt_cert_type': cert,
                   'refd_setl_flag': refd, 'insutype': self.P[p]['ins'], 'ipt_otp_no': '%s%07d' % (
                       'ZY' if t1 is not None else 'MZ', k)}
            w.writerow([row[x] for x in c])
            n_vis += 1
        f.close()
        # ---- fee lines
        extras_f = ['med_chrgitm_type']
        c = cols('fee_list', extras_f)
        f, w = writer('fee_list', c)
        n_fee = 0
        items = self.items
        chrg = {'101': '09', '102': '11', '201': '05', '301': '08'}
        gsn = 0
        for i in order:
            v = self.visits[i]
            lines = sorted(v[8], key=lambda l: l[4])
            for j, l in enumerate(lines):
                it = items[l[0]]
                gsn += 1
                row = {'feedetl_sn': str(j + 1) if st['feedetl_sn'] == 'local' else '%012d' % gsn,
                       'mdtrt_id': mid[i], 'med_list_codg': it['code'], 'med_list_name': it['name'],
                       'list_type': it['lt'], 'cnt': str(l[1]), 'pric': pric(l[2]), 'det_item_fee_sumamt': money(l[3]),
                       'fee_ocur_time': fdt(l[4]), 'bilg_dr_codg': drc(l[5]),
                       'prd_days': str(l[6]) if l[6] else '', 'drug_trac_codg': l[7] or '',
                       'med_chrgitm_type': chrg[it['lt']]}
                w.writerow([row[x] for x in c])
                n_fee += 1
        f.close()
        # ---- catalog
        if not req_only and st['catalog']:
            c = cols('catalog')
            f, w = writer('catalog', c)
            for it in items:
                fl = it['fl']
                cap = it.get('cap')
                row = {'med_list_codg': it['code'], 'med_list_name': it['name'], 'list_type': it['lt'],
                       'lmt_gend': str(fl['g']) if fl.get('g') else '',
                       'lmt_age_min': str(fl['amin']) if fl.get('amin') else '',
                       'lmt_age_max': str(fl['amax']) if fl.get('amax') else '',
                       'max_days': str(it['max_days']) if it.get('max_days') else '',
                       'pric_uplmt_amt': pric(int(round(cap * 1e6))) if cap else ''}
                w.writerow([row[x] for x in c])
            f.close()
        # ---- truth
        rings = []
        for rg in self.rings:
            mem = []
            seen = set()
            for kind, ref, role in rg['members']:
                typ, x = ref
                idv = pid[x] if typ == 'p' else (did[x] if typ == 'd' else sid[x])
                if (kind, idv) in seen:
                    continue
                seen.add((kind, idv))
                mem.append({'kind': kind, 'id': idv, 'role': role})
            vis = [i for i in rg['visits'] if self.visits[i][11] == rg['id']]
            amt = sum(self.visits[i][10] for i in vis)
            n_people = sum(1 for m in mem if m['kind'] == 'patient')
            n_docs = sum(1 for m in mem if m['kind'] == 'doctor')
            n_sites = len(mem) - n_people - n_docs
            desc = ('[%s, %s] %s. %d people, %d doctors/pharmacists, %d sites. %d ring records, fund paid %.2f yuan'
                    % (rg['shape_name'], rg['size_cat'], rg.get('shape', ''), n_people, n_docs, n_sites, len(vis),
                       amt / 100))
            if rg.get('resale_visits'):
                desc += '; plus %d resale records of returned boxes under other people (not counted above)' % len(
                    rg['resale_visits'])
            if rg['typology'] == 'borrowed_qualification':
                desc += '; amount = fund paid on visits billed under borrowed codes (visits themselves were real)'
            rings.append({'id': rg['id'], 'typology': rg['typology'], 'description': desc, 'members': mem,
                          'amount_fabricated': round(amt / 100, 2), 'fabricated_visits': len(vis)})
        negs, totals = self.hard_negatives(pid, sid, did)
        truth = {'preset': 'indep', 'seed': self.seed, 'visits': n_vis, 'refund_rows': 0, 'fee_lines': n_fee,
                 'persons': n_psn, 'period_start': self.p0.isoformat(), 'period_end': self.p1.isoformat(),
                 'rings': rings, 'hard_negatives': negs, 'hard_negative_totals': totals, 'violations': [],
                 'dropped': sorted(drop)}
        with open(os.path.join(out, 'truth.json'), 'w', encoding='utf-8') as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)
        self.counts = {'visits': n_vis, 'fee_lines': n_fee, 'persons': n_psn, 'staff_rows': n_staff,
                       'sites': len(self.sites), 'rings': len(rings), 'hard_negatives': len(negs)}


def parse_drop(s):
    drop = set()
    if not s:
        return drop, False
    req_only = False
    for tok in s.split(','):
        tok = tok.strip()
        if not tok:
            continue
        if tok == 'optional':
            drop |= set(ALL_OPTIONAL)
            req_only = True
        elif tok in ALL_OPTIONAL:
            drop.add(tok)
        elif tok in ALL_REQUIRED:
            sys.exit('gen.py: %s is a required column and cannot be dropped' % tok)
        else:
            sys.exit('gen.py: unknown column %s' % tok)
    return drop, req_only


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--people', type=int, default=30000)
    ap.add_argument('--drop', default='')
    a = ap.parse_args()
    drop, req_only = parse_drop(a.drop)
    t0 = time.time()
    g = Gen(a.seed, a.people, drop)
    g.dropped = drop
    g.required_only = req_only
    g.run()
    g.write(a.out)
    g.log.append('written %.1fs' % (time.time() - t0))
    print(json.dumps({'seed': a.seed, 'out': a.out, **g.counts, 'log': g.log,
                      'styles': {k: v for k, v in g.st.items() if k in ('dt_fmt', 'date_fmt', 'money', 'hosp_lv',
                                                                         'gend', 'bom', 'shuffle_cols', 'item_codes')},
                      'seconds': round(time.time() - t0, 1)}, ensure_ascii=False))


if __name__ == '__main__':
    main()
