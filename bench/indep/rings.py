# -*- coding: utf-8 -*-
"""Planting organised fraud rings into a simulated city (see gen.py).

Every ring is built on top of the normal simulation: members are real simulated insured people who keep
their ordinary care, ring sites keep their ordinary patients, ring doctors keep seeing ordinary patients.
A ring is a dict: id, typology, shape, description, members [(kind, ref, role)], visits [visit idx].
ref is ('p', person idx) | ('d', staff idx) | ('s', site idx).
"""
import math

DAY = 86400

TYPOLOGIES = ['fabricated_outpatient', 'lockstep_swiping', 'fake_hospitalisation', 'card_collection',
              'drug_reselling', 'pharmacy_cashout', 'borrowed_qualification']
UNCLASSIFIED = ['rehab_stack', 'clinic_hopping', 'referral_carousel', 'checkup_mill', 'nh_drip', 'gaofang',
                'staff_family']
LARGE_OK = {'fabricated_outpatient', 'lockstep_swiping', 'fake_hospitalisation', 'card_collection',
            'drug_reselling', 'checkup_mill'}
CAP = {'pharmacy_cashout': 150, 'clinic_hopping': 60, 'referral_carousel': 80, 'rehab_stack': 100,
       'gaofang': 150, 'nh_drip': 45, 'staff_family': 40}


def km(g, a, b):
    """distance between two objects with lat/lon"""
    dy = (a['lat'] - b['lat']) * 111.0
    dx = (a['lon'] - b['lon']) * 111.0 * math.cos(math.radians(a['lat']))
    return math.hypot(dx, dy)


class Ctx:
    def __init__(self, g):
        self.g = g
        self.r = g.rng
        self.used_sites = set()
        self.used_docs = set()

    # -------------------------------------------------------------- helpers
    def free_sites(self, types, pred=None):
        g = self.g
        out = []
        for s in g.sites:
            if s['type'] in types and s['idx'] not in self.used_sites and (pred is None or pred(s)):
                out.append(s['idx'])
        return out

    def take_site(self, s_i):
        self.used_sites.add(s_i)
        return s_i

    def eligible(self, p, age, ins=None, allow_dead=False, allow_nh=False, allow_special=False):
        g = self.g
        P = g.P[p]
        if P['ring'] is not None:
            return False
        if not allow_dead and P['die'] is not None:
            return False
        if not allow_nh and P.get('nh') is not None:
            return False
        if not allow_special and (p in g.school_of or p in g.work_of):
            return False
        if not (age[0] <= P['age'] <= age[1]):
            return False
        if ins and P['ins'] not in ins:
            return False
        return True

    def recruit(self, n, center, age, radius=8.0, ins=None, couples=0.6, min_km=0.0, noise=2.0,
                pref=None, allow_nh=False, hh_filter=None):
        """recruit n people from households near `center` (dict with lat/lon), in households"""
        g, r = self.g, self.r
        out = []
        for attempt in range(5):
            got = self._recruit(n, center, age, radius * (1.7 ** attempt), ins, couples, min_km, noise, pref,
                                allow_nh, hh_filter if attempt < 2 else None, out)
            if len(out) >= n:
                break
        return out

    def _recruit(self, n, center, age, radius, ins, couples, min_km, noise, pref, allow_nh, hh_filter, out):
        g, r = self.g, self.r
        cands = []
        for h in g.H:
            if hh_filter and not hh_filter(h):
                continue
            d = km(g, h, center)
            if d > radius or d < min_km:
                continue
            cands.append((d + r.uniform(0, noise), h['idx']))
        cands.sort()
        soft_ins = ins
        for pass_ in range(2):
            for _, hi in cands:
                if len(out) >= n:
                    break
                h = g.H[hi]
                el = [m for m in h['members'] if m not in out and self.eligible(m, age, soft_ins, allow_nh=allow_nh)]
                if pref:
                    el.sort(key=lambda m: -pref(m))
                if not el:
                    continue
                if r.random() < 0.35 and pass_ == 0 and not pref:
                    continue   # not every household nearby joins
                take = 2 if (len(el) >= 2 and r.random() < couples) else 1
                for m in el[:take]:
                    if len(out) < n:
                        out.append(m)
            soft_ins = None
            if len(out) >= n:
                break
        return out

    def mark(self, ring, people, role_fn):
        for m in people:
            self.g.P[m]['ring'] = ring['id']
            ring['members'].append(('patient', ('p', m), role_fn(m)))

    def add_site_member(self, ring, s_i, role, kind=None):
        g = self.g
        k = kind or SITE_KIND[g.sites[s_i]['type']]
        ring['members'].append((k, ('s', s_i), role))
        self.used_sites.add(s_i)

    def add_doc_member(self, ring, d_i, role):
        ring['members'].append(('doctor', ('d', d_i), role))
        self.used_docs.add(d_i)

    def window(self, min_len=120):
        r, g = self.r, self.g
        if r.random() < 0.45:
            return 0, g.ndays
        a = r.randint(0, max(0, g.ndays - min_len))
        b = min(g.ndays, a + r.randint(min_len, g.ndays))
        return a, b

    def ring_visit(self, ring, p, s_i, mt, t0, t1, dr, dx, lines, fund_ratio, cert=None):
        g, r = self.g, self.r
        total = sum(l[3] for l in lines)
        P = g.P[p]
        if 21 <= mt <= 28:
            fund = g.fund_pay(p, s_i, mt, total)
        else:
            lo, hi = fund_ratio
            if P['ins'] == '390' and mt == 41:
                lo, hi = lo * 0.5, hi * 0.6
            fund = int(total * r.uniform(lo, hi))
        v = g.add_visit(p, s_i, mt, t0, t1, dr, dx, lines, cert=cert, ring=ring['id'], fund=fund)
        ring['visits'].append(v)
        return v

    def fr(self, p_high=0.65, base=(0.55, 0.75)):
        """fund share range of a ring's records: often high, sometimes ordinary"""
        r = self.r
        if r.random() < p_high:
            lo = r.uniform(0.75, 0.9)
            return (lo, min(1.0, lo + r.uniform(0.05, 0.15)))
        lo = r.uniform(*base)
        return (lo, lo + 0.1)

    def cert(self, p_card):
        r = self.r
        x = r.random()
        if x < p_card:
            return '03' if r.random() < 0.85 else '02'
        return '01'

    def docs_of(self, s_i, n, exclude_ms=True):
        g, r = self.g, self.r
        ds = [d for d in g.sites[s_i]['docs'] if d not in self.used_docs and
              g.staff[d]['prof'] == 'doctor' and (not exclude_ms or not g.staff[d].get('ms'))]
        ds.sort(key=lambda d: -g.sites[s_i]['dw'][d])
        top = ds[:max(n, 1) * 2]
        r.shuffle(top)
        return top[:n]

    def borrow_docs(self, near_s, n, exclude_sites=()):
        """doctors from nearby primary sites who moonlight at ring sites"""
        g = self.g
        S = g.sites[near_s]
        cands = []
        for s in g.sites:
            if s['type'] in ('clinic', 'mzb', 'chc', 'township', 'hosp2', 'chs') and s['idx'] not in exclude_sites \
                    and s['idx'] not in self.used_sites:
                for d in s['docs']:
                    if d not in self.used_docs and not g.staff[d].get('ms') and g.staff[d]['prof'] == 'doctor':
                        cands.append((km(g, s, S) + self.r.uniform(0, 3), d))
        cands.sort()
        return [d for _, d in cands[:n]]

    def reassign_normal(self, s_i, docs, share):
        """make ring doctors also treat ordinary patients at a ring site (camouflage)"""
        g, r = self.g, self.r
        if not docs or share <= 0:
            return
        for v in g.visits:
            if v[1] == s_i and v[11] is None and v[5] >= 0 and r.random() < share:
                t = v[3]
                if g.dow[t // DAY] >= 5:
                    continue
                nd = r.choice(docs)
                old = v[5]
                v[5] = nd
                for l in v[8]:
                    if l[5] == old:
                        l[5] = nd

    def days_rhythm(self, lo, hi, iv, jit):
        r = self.r
        d = lo + r.randint(0, max(0, iv - 1))
        out = []
        while d < hi:
            out.append(d)
            d += iv + (r.randint(-jit, jit) if jit else 0)
        return out

    def days_random(self, lo, hi, per_month):
        r = self.r
        out = []
        n = self.g.poisson(per_month * (hi - lo) / 30.0)
        for k in range(n):
            out.append(r.randint(lo, hi - 1))
        return sorted(set(out))


SITE_KIND = {'hosp3': 'hospital', 'hosp2': 'hospital', 'township': 'hospital', 'chc': 'station',
             'chs': 'station', 'mzb': 'clinic', 'clinic': 'clinic', 'village': 'clinic', 'school': 'clinic',
             'work': 'clinic', 'nh': 'clinic', 'pharm': 'pharmacy'}


# ====================================================================== line builders
def therapy_lines(g, s_i, t, dr, n_svc, cnt_hi, out):
    r = g.rng
    for it in r.sample(g.svc_by_k['rehab'], min(n_svc, len(g.svc_by_k['rehab']))):
        out.append(g.line(it, r.randint(1, cnt_hi), s_i, t, dr))
    if r.random() < 0.5:
        out.append(g.line(g.item_idx['一次性使用针灸针'], r.randint(5, 20), s_i, t, dr))


def checkup_lines(g, s_i, t, dr, n, out):
    r = g.rng
    pool = (g.svc_by_k['lab'] + g.svc_by_k['lab_x'] * 3 + g.svc_by_k['ecg'] + g.svc_by_k['us'] +
            g.svc_by_k['us_x'] + g.svc_by_k['dexa'] + g.svc_by_k['ct'] + g.svc_by_k['img'])
    seen = set()
    for k in range(n * 2):
        it = r.choice(pool)
        if it in seen and it not in g.svc_by_k['lab_x']:
            continue
        seen.add(it)
        out.append(g.line(it, 1, s_i, t + r.randint(300, 5400), dr))
        if len(out) >= n + 1:
            break


def iv_lines(g, s_i, t, dr, bottles, out, drugs):
    r = g.rng
    out.append(g.line(g.svc_by_k['iv'][0], bottles, s_i, t, dr))
    out.append(g.line(g.item_idx['0.9%氯化钠注射液'], bottles, s_i, t, dr, 1))
    for d in drugs:
        out.append(g.line(d, r.randint(1, 2), s_i, t, dr, 1))
    out.append(g.line(g.item_idx['一次性使用输液器'], bottles, s_i, t, dr))
    if r.random() < 0.3:
        out.append(g.line(g.item_idx['一次性使用无菌注射器'], 2, s_i, t, dr))


# ====================================================================== typologies
def fabricated_outpatient(c, ring, n):
    g, r = c.g, c.r
    anchors = c.free_sites(('clinic', 'mzb'), lambda s: s['sub'] in ('general', 'tcm', 'checkup'))
    anchor = r.choice(anchors)
    n_cl = 1 if n < 10 and r.random() < 0.5 else r.randint(2, 3)
    A = g.sites[anchor]
    others = sorted([s for s in anchors if s != anchor],
                    key=lambda s: km(g, g.sites[s], A))[:4]
    r.shuffle(others)
    clinics = [anchor] + others[:n_cl - 1]
    for s in clinics:
        c.take_site(s)
    n_doc = r.randint(2, max(2, min(8, 2 + n // 8)))
    docs = []
    for s in clinics:
        docs += c.docs_of(s, 2)
    docs = list(dict.fromkeys(docs))[:n_doc]
    if len(docs) < n_doc:
        docs += c.borrow_docs(anchor, n_doc - len(docs), clinics)
    for d in docs:
        c.used_docs.add(d)
    # doctors shared between the ring's clinics
    reg = {s: [] for s in clinics}
    for d in docs:
        home = [s for s in clinics if s in g.staff[d]['sites']]
        sites_for = set(home)
        if len(clinics) > 1:
            k = r.randint(2, len(clinics)) if r.random() < 0.8 else 1
            sites_for |= set(r.sample(clinics, k))
        if not sites_for:
            sites_for = {r.choice(clinics)}
        for s in sites_for:
            g.register(d, s)
            reg[s].append(d)
    for s in clinics:
        if not reg[s]:
            d = r.choice(docs)
            g.register(d, s)
            reg[s].append(d)
        c.reassign_normal(s, reg[s], r.uniform(0.1, 0.4))
    members = c.recruit(n, A, (18, 85), radius=r.uniform(5, 12), couples=0.65)
    c.mark(ring, members, lambda m: 'insured person lending identity (age %d)' % g.P[m]['age'])
    for s in clinics:
        c.add_site_member(ring, s, 'clinic used as cover, bills fabricated treatments')
    for d in docs:
        c.add_doc_member(ring, d, 'organised doctor billing fabricated visits, registered at %d ring clinic(s)'
                         % sum(1 for s in clinics if d in reg[s]))
    mode = r.choice(['rhythm', 'random', 'cohort'])
    infl = r.choice([1.0, 1.0, 1.6, 2.2, 3.0, 4.0])
    p_card = r.uniform(0.3, 0.95)
    fr = c.fr(0.6)
    lo, hi = c.window()
    iv = r.randint(7, 30)
    jit = r.randint(0, 3)
    rate = r.uniform(1.0, 4.0)
    cohort_days = sorted(set(r.randint(lo, hi - 1) for _ in range(max(3, (hi - lo) // r.randint(10, 30)))))
    batch = r.random() < 0.5
    home = {m: (r.choice(clinics)) for m in members}
    plan = []
    for m in members:
        if mode == 'rhythm':
            days = c.days_rhythm(lo, hi, iv, jit)
        elif mode == 'random':
            days = c.days_random(lo, hi, rate)
        else:
            days = [d for d in cohort_days if r.random() < 0.8]
        for d in days:
            s = home[m] if r.random() < 0.75 else r.choice(clinics)
            plan.append((d, s, m))
    plan.sort()
    slot = {}
    for d, s, m in plan:
        if batch:
            key = (d, s)
            if key not in slot:
                slot[key] = d * DAY + int(r.uniform(8.5, 16.5) * 3600)
            slot[key] += r.randint(40, 300)
            t = slot[key]
        else:
            t = d * DAY + g.tod('clinic')
        dr = r.choice(reg[s])
        dx = g.dx_for(m, r.choice(['resp', 'msk', 'gi', 'msk', 'neuro']))
        lines = g.acute_lines(m, s, dx, t, dr, 11, infl)
        if r.random() < 0.45:
            therapy_lines(g, s, t + 600, dr, r.randint(1, 3), 1 if infl < 2 else 3, lines)
        c.ring_visit(ring, m, s, 11, t, None, dr, dx, lines, fr, c.cert(p_card))
    ring['shape'] = ('%d clinic(s) sharing %d doctors; %d identity lenders; timing=%s%s; inflation x%.1f; '
                     'card share %.0f%%; active days %d-%d' %
                     (len(clinics), len(docs), len(members), mode,
                      (' every %d±%d d' % (iv, jit)) if mode == 'rhythm' else '', infl, p_card * 100, lo, hi))


def lockstep_swiping(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('mzb', 'chc', 'hosp2'), lambda s: (s['type'] != 'hosp2' or s['sub'] == 'private'))
    cands.sort(key=lambda s: -len(g.sites[s]['docs']))
    pref = [x for x in cands if g.sites[x]['type'] == 'mzb' and len(g.sites[x]['docs']) >= 6]
    if pref and r.random() < 0.5:
        s_i = r.choice(pref)
    elif r.random() < 0.25:
        s_i = r.choice(cands)
    else:
        s_i = r.choice(cands[:4])
    c.take_site(s_i)
    S = g.sites[s_i]
    nd_site = len([d for d in S['docs'] if not g.staff[d].get('ms')])
    k = max(2, min(int(nd_site * r.uniform(0.3, 0.6)), 2 + n // 6))
    docs = c.docs_of(s_i, k)
    if len(docs) < 2:
        docs += c.borrow_docs(s_i, 2 - len(docs), [s_i])
        for d in docs:
            g.register(d, s_i)
    for d in docs:
        c.used_docs.add(d)
    members = c.recruit(n, S, (63, 77), radius=r.uniform(3, 7), couples=0.7)
    n_tout = min(3, max(1, n // 60))
    touts = c.recruit(n_tout, S, (42, 62), radius=6, couples=0.0)
    employees = []
    if n >= 30 and r.random() < 0.75:
        emp_h = [h for h in g.H if h['type'] in ('couple', 'family') and km(g, h, S) < 8 and
                 sum(1 for m in h['members'] if c.eligible(m, (30, 58))) >= 2]
        if emp_h:
            h = r.choice(emp_h)
            employees = [m for m in h['members'] if c.eligible(m, (30, 58))][:2]
    c.mark(ring, members, lambda m: 'recruited elderly card holder (age %d)' % g.P[m]['age'])
    c.mark(ring, touts, lambda m: 'tout on commission, also swiped')
    c.mark(ring, employees, lambda m: 'clinic employee (employee couple with near-daily records)')
    c.add_site_member(ring, s_i, 'owner-run site running the empty-swiping scheme')
    for d in docs:
        c.add_doc_member(ring, d, 'doctor paid per head, signs batches of records')
    iv = r.choice([12, 24, 12, 24, 10, 14, 15, 21])
    jit = r.choice([0, 0, 0, 1])
    csize = r.randint(8, 30)
    everyone = members + touts
    r.shuffle(everyone)
    cohorts = [everyone[i:i + csize] for i in range(0, len(everyone), csize)]
    lo, hi = c.window(150)
    infl = r.choice([1.0, 1.5, 2.0, 3.0])
    p_card = r.uniform(0.55, 0.98)
    fr = c.fr(0.7)
    per_slot = r.randint(10, 22)
    for co in cohorts:
        phase = r.randint(0, iv - 1)
        d = lo + phase
        while d < hi:
            dd = d + (r.randint(-jit, jit) if jit else 0)
            if 0 <= dd < g.ndays:
                t_slot = dd * DAY + int(r.uniform(8.0, 10.5) * 3600)
                r.shuffle(co)
                for i, m in enumerate(co):
                    if r.random() < 0.06:
                        continue
                    di = (i // per_slot) % len(docs)
                    j = i % per_slot
                    dr = docs[(di + (i // (per_slot * len(docs)))) % len(docs)]
                    t = t_slot + (i // (per_slot * len(docs))) * 1800 + int(j * 1800 / per_slot) + r.randint(0, 50)
                    lines = []
                    if r.random() < 0.5:
                        lines.append(g.line(g.svc_by_k['consult'][0], 1, s_i, t, dr))
                    therapy_lines(g, s_i, t + 120, dr, r.randint(2, 4), int(1 + infl), lines)
                    if r.random() < 0.75:
                        doses = r.choice([5, 7, 7])
                        g.herb_lines(s_i, t + 300, dr, lines, r.randint(8, 14), doses, r.randint(9, 15))
                        lines.append(g.line(g.svc_by_k['decoct'][0], doses, s_i, t + 300, dr))
                    dx = g.dx_for(m, r.choice(['msk', 'msk', 'neuro', 'htn']) if g.P[m]['conds'] else 'msk')
                    c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, fr, c.cert(p_card))
            d += iv
    # employee couple: near-daily records over ~6 months
    if employees:
        e0 = r.randint(lo, max(lo, hi - 185))
        for m in employees:
            for d in range(e0, min(g.ndays, e0 + 182)):
                if r.random() < 0.82 and g.dow[d] != 6:
                    t = d * DAY + g.tod('clinic')
                    dr = r.choice(docs)
                    lines = []
                    therapy_lines(g, s_i, t, dr, r.randint(1, 3), 2, lines)
                    dx = g.dx_for(m, 'msk')
                    c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, fr, c.cert(0.5))
    ring['shape'] = ('1 site (%s, %d doctors, %d involved); %d recruited elderly + %d touts in cohorts of %d, '
                     'visits every %d days%s; up to %d records per doctor per 30-min slot; therapy+herbs; '
                     'inflation x%.1f; %s' %
                     (S['type'], len(S['docs']), len(docs), len(members), len(touts), csize, iv,
                      ' (±%d)' % jit if jit else ' exactly', per_slot, infl,
                      'employee couple with near-daily records' if employees else 'no employee couple'))


def fake_hospitalisation(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('hosp2', 'township'), lambda s: s['beds'] > 0 and (s['type'] == 'township' or
                                                                           s['sub'] in ('private', 'general', 'tcm')))
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    # the recruiting base: 1-3 villages/communities near the hospital
    near = sorted(g.comms, key=lambda cm: km(g, cm, S) + r.uniform(0, 4))
    base = near[:r.randint(1, 3)]
    base_ids = set(cm['idx'] for cm in base)
    members = c.recruit(n, base[0], (58, 86), radius=30, ins=['390', '310'], couples=0.8, noise=1.0,
                        hh_filter=lambda h: h['comm'] in base_ids)
    if len(members) < n:
        members += c.recruit(n - len(members), S, (55, 86), radius=20, couples=0.8)
    n_rec = r.randint(1, 3)
    recruiters = c.recruit(n_rec, base[0], (38, 62), radius=15, couples=0.0)
    c.mark(ring, members, lambda m: 'recruited patient paid per stay (age %d, %s)' %
           (g.P[m]['age'], g.comms[g.H[g.P[m]['hh']]['comm']]['name']))
    c.mark(ring, recruiters, lambda m: 'recruiter (中介) paid per head')
    nd = r.randint(2, 6)
    docs = c.docs_of(s_i, nd)
    for d in docs:
        c.used_docs.add(d)
    c.add_site_member(ring, s_i, 'hospital admitting recruited cohorts', kind='hospital')
    for d in docs:
        c.add_doc_member(ring, d, 'doctor forging admission records')
    mode = r.choice(['short', 'fixed15', 'mixed'])
    per_person = r.randint(2, 10)
    csize = r.randint(4, min(20, max(4, len(members))))
    lo, hi = c.window(150)
    ghost = r.random() < 0.4
    infl = r.choice([1.0, 1.0, 1.5, 2.0])
    herbs = S['sub'] == 'tcm' or r.random() < 0.3
    left = {m: per_person + r.randint(-1, 1) for m in members}
    busy = {m: -1 for m in members}
    total_adm = sum(left.values())
    n_cohorts = max(1, int(math.ceil(total_adm / csize)))
    span = max(1, hi - lo - 20)
    stays = {}
    recr_adm = [m for m in recruiters if r.random() < 0.5]
    for k in range(n_cohorts):
        d0 = lo + int(k * span / n_cohorts) + r.randint(0, 3)
        if d0 >= g.ndays - 20:
            break
        avail = [m for m in members if left[m] > 0 and busy[m] < d0 and not g.in_stay(m, d0)
                 and not g.in_stay(m, d0 + 15)]
        r.shuffle(avail)
        cohort = avail[:csize]
        if recr_adm and r.random() < 0.3:
            cohort.append(r.choice(recr_adm))
        t = d0 * DAY + int(r.uniform(7.5, 8.5) * 3600)
        for m in cohort:
            t += r.randint(60, 600)
            if mode == 'short':
                los = r.randint(3, 5)
            elif mode == 'fixed15':
                los = 15
            else:
                los = 15 if r.random() < 0.5 else r.randint(3, 5)
            d1 = d0 + los
            if d1 >= g.ndays - 1:
                continue
            t1 = d1 * DAY + int(r.uniform(8.5, 11) * 3600)
            dr = r.choice(docs)
            dx = g.dx_for(m, r.choice(['ip', 'ip', 'resp_ip', 'msk', 'htn', 'dm', 'chd', 'copd', 'stroke', 'gi']))
            lines = g.inpatient_lines(m, s_i, dx, t, t1, dr, sparse=ghost, infl=infl, herbs=herbs)
            c.ring_visit(ring, m, s_i, 21, t, t1, dr, dx, lines, (0.8, 0.95), cert=r.choice(['02', '03', '03', '01']))
            if m in left:
                left[m] -= 1
                busy[m] = d1 + r.randint(3, 20)
            stays.setdefault(m, []).append((d0, d1))
    # members mostly stay away from other care while "admitted" (their cards are held)
    p_drop = r.uniform(0.3, 0.95)
    for v in g.visits:
        if v[11] is None and v[0] in stays and r.random() < p_drop:
            d = v[3] // DAY
            for a, b in stays[v[0]]:
                if a <= d <= b:
                    v[11] = '__drop__'
                    break
    ring['shape'] = ('%s (%s, %d beds) with %d doctors; %d recruited patients from %s + %d recruiter(s); '
                     'cohorts of ~%d admitted the same morning; stays=%s; ~%d admissions/person; %s; inflation x%.1f' %
                     (S['name'], S['type'], S['beds'], len(docs), len(members), '/'.join(b['name'] for b in base),
                      len(recruiters), csize, mode, per_person, 'sparse charges (ghost beds)' if ghost else
                      'full daily charges', infl))


def card_collection(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('chs', 'village', 'clinic'), lambda s: len(s['docs']) <= 3 and s['sub'] == 'general')
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    mode = r.choice(['far', 'students', 'mixed'])
    members = []
    if mode in ('students', 'mixed'):
        k = n if mode == 'students' else n // 2
        pool = [p['idx'] for p in g.P if c.eligible(p['idx'], (16, 23)) and km(g, g.H[p['hh']], S) > 6]
        r.shuffle(pool)
        members += pool[:k]
    k = n - len(members)
    if k > 0:
        far = [h for h in g.H if km(g, h, S) > 15]
        r.shuffle(far)
        for h in far:
            if len(members) >= n:
                break
            el = [m for m in h['members'] if c.eligible(m, (18, 85)) and m not in members]
            if el:
                members += el[:1 if r.random() < 0.6 else 2]
        members = members[:n]
    dead = []
    if r.random() < 0.4:
        pool = [p['idx'] for p in g.P if p['die'] is not None and p['die'] < g.ndays * 0.6 and p['ring'] is None
                and p.get('nh') is None and km(g, g.H[p['hh']], S) > 3]
        r.shuffle(pool)
        dead = pool[:r.randint(1, 4)]
    c.mark(ring, members, lambda m: ('student billed where he/she never goes' if g.P[m]['age'] <= 23 else
                                     'card held by the station; lives %.0f km away' % km(g, g.H[g.P[m]['hh']], S)))
    c.mark(ring, dead, lambda m: 'deceased card holder, swiping continues after death')
    docs = c.docs_of(s_i, r.randint(1, 2)) or S['docs'][:1]
    c.add_site_member(ring, s_i, 'site holding collected cards', kind='station' if S['type'] == 'chs' else 'clinic')
    for d in docs:
        c.add_doc_member(ring, d, 'doctor of record for the card swipes')
    batch_iv = r.randint(5, 15)
    cyc = r.choice([14, 28, 30, 30, 31])
    p_card = r.uniform(0.85, 1.0)
    fr = c.fr(0.4)
    batch_days = list(range(r.randint(0, batch_iv - 1), g.ndays, batch_iv))
    plan = {}
    for m in members + dead:
        d = r.randint(0, cyc - 1)
        while d < g.ndays:
            bd = min(batch_days, key=lambda x: abs(x - d))
            plan.setdefault(bd, []).append(m)
            d += cyc + r.randint(-2, 2)
    for bd in sorted(plan):
        t = bd * DAY + int(r.uniform(8, 17) * 3600)
        for m in plan[bd]:
            t += r.randint(45, 240)
            dr = r.choice(docs)
            lines = []
            if r.random() < 0.5:
                lines.append(g.line(g.svc_by_k['consult'][0], 1, s_i, t, dr))
            for it in r.sample(g.cheap + g.dx_drugs['gi'], r.randint(1, 2)):
                if g.ok_item(it, m):
                    g.drug_lines(it, r.randint(1, 2), s_i, t, dr, r.randint(3, 7), 0.0, lines)
            if not lines:
                lines.append(g.line(g.svc_by_k['consult'][0], 1, s_i, t, dr))
            dx = g.dx_for(m, r.choice(['resp', 'gi', 'skin']))
            c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, fr, c.cert(p_card))
    ring['shape'] = ('%s (%s) swipes %d collected cards (%s mode%s) every ~%d days per card, in batches every %d days; '
                     'cheap drugs; card-based share %.0f%%' %
                     (S['name'], S['type'], len(members) + len(dead), mode,
                      ', %d deceased' % len(dead) if dead else '', cyc, batch_iv, p_card * 100))


def drug_reselling(c, ring, n):
    g, r = c.g, c.r
    center_h = r.choice([h for h in g.H if h['urban']])
    want = {'310'} if r.random() < 0.7 else None
    members = c.recruit(n, center_h, (57, 80), radius=r.uniform(6, 25), ins=list(want) if want else None,
                        couples=0.5, noise=6, pref=lambda m: len(g.P[m]['conds']))
    n_org = r.randint(1, 3)
    orgs = c.recruit(n_org, center_h, (42, 66), radius=15, couples=0.0)
    # an organiser filling for self and a relative
    rel = []
    for o in orgs:
        h = g.H[g.P[o]['hh']]
        rr = [m for m in h['members'] + sum((g.H[x]['members'] for x in h['linked']), [])
              if m != o and c.eligible(m, (50, 90), allow_nh=False)]
        if rr and r.random() < 0.6:
            rel.append(rr[0])
    c.mark(ring, members, lambda m: 'recruited retiree filling high-value drugs (age %d, scheme %s)' %
           (g.P[m]['age'], g.P[m]['ins']))
    c.mark(ring, orgs, lambda m: 'organiser (chat group), fills for self')
    c.mark(ring, rel, lambda m: 'relative of an organiser, card used for fills')
    fillers = members + orgs + rel
    drugs = r.sample(g.hv, r.randint(1, 3))
    mode = r.choice(['complicit', 'spread'])
    fill_sites = []
    doc = None
    if mode == 'complicit':
        ph = c.free_sites(('pharm',), lambda s: bool(s['pharmacists']))
        ph.sort(key=lambda s: km(g, g.sites[s], center_h) + r.uniform(0, 5))
        p0 = ph[0]
        c.take_site(p0)
        fill_sites = [p0]
        c.add_site_member(ring, p0, 'complicit pharmacy where the ring fills its cards')
        for d in g.sites[p0]['pharmacists']:
            c.add_doc_member(ring, d, 'pharmacist settling the bulk fills')
    else:
        ph = c.free_sites(('pharm',))
        ph.sort(key=lambda s: km(g, g.sites[s], center_h) + r.uniform(0, 4))
        fill_sites = ph[:r.randint(3, 8)]
        hs = [s for s in c.free_sites(('hosp3', 'hosp2'))]
        hs.sort(key=lambda s: km(g, g.sites[s], center_h))
        hosp = hs[0]
        dd = c.docs_of(hosp, 1)
        if dd:
            doc = dd[0]
            c.add_doc_member(ring, doc, 'doctor writing chronic prescriptions for the high-value drugs (%s)' %
                             g.sites[hosp]['name'])
    iv = r.randint(8, 25)
    lo, hi = c.window(150)
    fr = c.fr(0.7)
    boxes_map = {}
    fills = []   # (day, [trace codes], site)
    regimen = {m: r.sample(drugs, min(len(drugs), r.randint(1, 2))) for m in fillers}
    for m in fillers:
        days = c.days_rhythm(lo, hi, iv + r.randint(-2, 2), 2)
        for d in days:
            if mode == 'complicit':
                s_i = fill_sites[0]
            else:
                s_i = r.choice(fill_sites)
            S = g.sites[s_i]
            t = d * DAY + g.tod('pharm')
            lines, tl = [], []
            phc = r.choice(S['pharmacists']) if S['pharmacists'] and (mode == 'complicit' or r.random() < S['ph_code_p']) else -1
            for it in regimen[m]:
                price = g.items[it]['price']
                boxes = max(2, min(10, int(r.uniform(300, 1500) / price)))
                g.drug_lines(it, boxes, s_i, t, phc, 30, r.uniform(0.9, 1.0), lines, tl)
            dx = g.dx_for(m, g.P[m]['conds'][0]) if g.P[m]['conds'] and r.random() < 0.6 else None
            v = c.ring_visit(ring, m, s_i, 41, t, None, phc, dx, lines, fr, c.cert(0.4))
            fills.append((d, tl, s_i))
        # prescriptions at the hospital (spread mode)
        if doc is not None:
            hs = g.staff[doc]['sites'][0]
            for d in c.days_rhythm(lo, hi, r.randint(25, 45), 3):
                t = d * DAY + g.tod('hosp')
                lines, tl = [g.line(g.svc_by_k['consult'][0], 1, hs, t, doc)], []
                for it in regimen[m]:
                    boxes = max(2, min(8, int(r.uniform(300, 1200) / g.items[it]['price'])))
                    g.drug_lines(it, boxes, hs, t + 600, doc, 30, g.sites[hs]['scan'], lines, tl)
                dx = g.dx_for(m, g.P[m]['conds'][0]) if g.P[m]['conds'] else g.dx_for(m, 'htn')
                c.ring_visit(ring, m, hs, 14, t, None, doc, dx, lines, (0.7, 0.85), c.cert(0.3))
                fills.append((d, tl, hs))
    # resale: boxes come back into other pharmacies, sold to other insured people
    f_back = r.uniform(0.06, 0.4)
    fs = set(fill_sites)
    ref = g.sites[fill_sites[0]]
    outlets = [s for s in c.free_sites(('pharm',)) if s not in fs and km(g, g.sites[s], ref) > 6]
    r.shuffle(outlets)
    outlets = outlets[:r.randint(2, 10)]
    fence = None
    if r.random() < 0.5 and outlets:
        fence = outlets[0]
        c.take_site(fence)
        c.add_site_member(ring, fence, 'complicit outlet buying back and reselling returned boxes (回流药)')
    # each outlet sells to its own regular customers
    buyers_of = {}
    for o in outlets:
        O = g.sites[o]
        pool = [p['idx'] for p in g.P if p['age'] >= 35 and p['ring'] is None and p['die'] is None and
                p.get('nh') is None and km(g, g.H[p['hh']], O) < 4]
        r.shuffle(pool)
        buyers_of[o] = pool[:r.randint(15, 60)] or [p['idx'] for p in g.P if p['ring'] is None][:20]
    resale = []
    for d, tl, s_i in fills:
        for tc in tl:
            if r.random() < f_back:
                d2 = d + r.randint(3, 60)
                if d2 >= g.ndays:
                    continue
                out = fence if (fence is not None and r.random() < 0.7) else r.choice(outlets)
                resale.append((d2, out, tc))
    resale.sort()
    # group into purchases of 1-3 boxes
    i = 0
    ring['resale_visits'] = []
    code2item = {}
    while i < len(resale):
        d2, out, tc = resale[i]
        grp = [resale[i]]
        j = i + 1
        kmax = r.randint(1, 4)
        while j < len(resale) and len(grp) < kmax and resale[j][0] == d2 and resale[j][1] == out:
            grp.append(resale[j])
            j += 1
        i = j
        b = r.choice(buyers_of[out])
        if not g.alive(b, d2):
            continue
        S = g.sites[out]
        t = d2 * DAY + g.tod('pharm')
        lines = []
        for _, _, code in grp:
            it = g.trace_item[code]
            lines.append(g.line(it, 1, out, t, -1, 30, code))
        v = g.pharm_purchase(b, out, t, items=lines, ring=ring['id'])
        ring['resale_visits'].append(v)
    ring['shape'] = ('%d recruited retirees + %d organisers (+%d relatives) fill %s every ~%d days (%s%s); '
                     '%.0f%% of boxes resurface%s in %d other pharmacies, sold to other insured people (%d resale records)' %
                     (len(members), len(orgs), len(rel), '/'.join(g.items[d]['name'] for d in drugs), iv,
                      'one complicit pharmacy' if mode == 'complicit' else '%d ordinary pharmacies' % len(fill_sites),
                      ' + prescribing doctor' if doc is not None else '', f_back * 100,
                      ' (mostly via one complicit outlet)' if fence is not None else '', len(outlets),
                      len(ring['resale_visits'])))


def pharmacy_cashout(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('pharm',), lambda s: bool(s['pharmacists']))
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    members = c.recruit(n, S, (24, 78), radius=r.uniform(2, 6), ins=['310'], couples=0.4)
    c.mark(ring, members, lambda m: 'customer cashing out insurance for daily goods (scheme %s)' % g.P[m]['ins'])
    c.add_site_member(ring, s_i, 'pharmacy settling daily goods as cheap drugs')
    phs = S['pharmacists']
    for d in phs:
        c.add_doc_member(ring, d, 'pharmacist (HY code) settling the swaps')
    main = r.choice(g.cheap)
    alt = r.sample([x for x in g.cheap if x != main], r.randint(0, 2))
    rate = r.uniform(1.0, 5.0)
    lo, hi = c.window(120)
    qty = r.choice([[10, 20, 30, 50], [5, 10, 20], [20, 50, 100], [10, 20, 50, 100]])
    fr = (0.95, 1.0) if r.random() < 0.7 else (0.6, 0.8)
    for m in members:
        for d in c.days_random(lo, hi, rate * r.uniform(0.5, 1.5)):
            t = d * DAY + g.tod('pharm')
            it = main if r.random() < 0.8 or not alt else r.choice(alt)
            q = r.choice(qty)
            phc = r.choice(phs) if r.random() < 0.8 else -1
            lines = [g.line(it, q, s_i, t, phc, r.choice([7, 7, None]))]
            c.ring_visit(ring, m, s_i, 41, t, None, phc, None, lines, fr, c.cert(0.35))
    ring['shape'] = ('%s: %d customers, ~%.1f purchases/month each, of %s in round quantities %s, no trace codes' %
                     (S['name'], len(members), rate, g.items[main]['name'], qty))


def borrowed_qualification(c, ring, n_docs):
    g, r = c.g, c.r
    homes = c.free_sites(('hosp3', 'hosp2'))
    docs = []
    for k in range(n_docs):
        h = r.choice(homes)
        ds = c.docs_of(h, 1)
        if ds:
            docs.append(ds[0])
            c.used_docs.add(ds[0])
    lo, hi = c.window(150)
    q = r.uniform(0.3, 0.9)
    chain = r.random() < 0.4
    all_borrow = []
    shared = {}
    for d in docs:
        home = g.sites[g.staff[d]['sites'][0]]
        far = c.free_sites(('clinic', 'mzb', 'village'), lambda s: km(g, s, home) > 15 and s['sub'] != 'dental')
        r.shuffle(far)
        if chain and all_borrow:
            bs = all_borrow[:]          # the same chain borrows several codes
        else:
            bs = far[:r.randint(1, 3)]
            all_borrow += bs
        shared[d] = bs
        for b in bs:
            g.register(d, b)
            c.take_site(b)
        c.add_doc_member(ring, d, 'doctor at %s whose code bills at %d distant site(s) (挂证)' % (home['name'], len(bs)))
    for b in dict.fromkeys(all_borrow):
        c.add_site_member(ring, b, 'site billing under borrowed doctor code(s)')
    by_site = {}
    for d, bs in shared.items():
        for b in bs:
            by_site.setdefault(b, []).append(d)
    for v in g.visits:
        if v[1] in by_site and v[11] is None and lo <= v[3] // DAY < hi and r.random() < q:
            old = v[5]
            nd = r.choice(by_site[v[1]])
            v[5] = nd
            for l in v[8]:
                if l[5] == old or l[5] < 0:
                    l[5] = nd
            v[11] = ring['id']
    ring['visits'] = [i for i, v in enumerate(g.visits) if v[11] == ring['id']]
    ring['shape'] = ('%d doctor code(s) from hospitals billing at %d distant clinic(s) >15 km away, %.0f%% of those '
                     'sites\' visits during days %d-%d (care given by unqualified staff); %s' %
                     (len(docs), len(set(all_borrow)), q * 100, lo, hi, 'one chain borrowing all codes' if chain
                      else 'separate borrowing sites'))


# ----------------------------------------------------------------- unclassified shapes
def rehab_stack(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('clinic', 'mzb'), lambda s: s['sub'] in ('rehab', 'tcm'))
    if not cands:
        cands = c.free_sites(('clinic', 'mzb'))
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    nd = r.randint(2, 4)
    docs = c.docs_of(s_i, nd)
    if len(docs) < nd:
        extra = c.borrow_docs(s_i, nd - len(docs), [s_i])
        for d in extra:
            g.register(d, s_i)
        docs += extra
    for d in docs:
        c.used_docs.add(d)
    c.reassign_normal(s_i, docs, 0.3)
    members = c.recruit(n, S, (45, 82), radius=r.uniform(4, 10), couples=0.6)
    c.mark(ring, members, lambda m: 'recruited "rehab course" participant (age %d)' % g.P[m]['age'])
    c.add_site_member(ring, s_i, 'rehabilitation site billing stacked therapy courses')
    for d in docs:
        c.add_doc_member(ring, d, 'therapist/doctor signing stacked sessions')
    lo, hi = c.window(150)
    n_lines = (r.randint(4, 6), r.randint(7, 9))
    gap = r.choice([1, 1, 2, 3])
    sess = (r.randint(8, 12), r.randint(14, 20))
    # courses start in small cohorts
    cohorts = [members[i:i + r.randint(3, 8)] for i in range(0, len(members), 5)]
    fr = c.fr(0.6)
    for co in cohorts:
        n_courses = r.randint(1, 4)
        for k in range(n_courses):
            d = r.randint(lo, max(lo, hi - 45))
            ns = r.randint(*sess)
            for j in range(ns):
                if d >= hi or d >= g.ndays:
                    break
                for m in co:
                    if r.random() < 0.08:
                        continue
                    t = d * DAY + g.tod('clinic')
                    dr = r.choice(docs)
                    lines = []
                    if j == 0:
                        lines.append(g.line(g.svc_by_k['rehab_eval'][0], 1, s_i, t, dr))
                    therapy_lines(g, s_i, t + 60, dr, r.randint(*n_lines), 3, lines)
                    if r.random() < 0.2:
                        iv_lines(g, s_i, t + 600, dr, 1, lines, [g.item_idx['注射用七叶皂苷钠']])
                    dx = g.dx_for(m, r.choice(['msk', 'msk', 'stroke' if g.P[m]['age'] >= 45 else 'msk']))
                    c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, fr, c.cert(0.5))
                d += gap + (1 if g.dow[min(d + gap, g.ndays - 1)] == 6 else 0)
    ring['shape'] = ('rehab/therapy site %s: %d recruited people in cohorts doing 1-4 "courses" of %d-%d sessions '
                     'every %d day(s), each session stacking %d-%d therapy lines with multiplied units' %
                     (S['name'], len(members), sess[0], sess[1], gap, n_lines[0], n_lines[1]))


def clinic_hopping(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('clinic', 'mzb', 'chs', 'village'), lambda s: s['sub'] in ('general', 'tcm'))
    a = g.sites[r.choice(cands)]
    near = sorted(cands, key=lambda s: km(g, g.sites[s], a))[:12]
    r.shuffle(near)
    k = r.randint(4, 8)
    clinics = near[:k]
    for s in clinics:
        c.take_site(s)
    members = c.recruit(n, a, (20, 80), radius=15, couples=0.5, noise=5)
    tout = c.recruit(1, a, (30, 60), radius=15, couples=0.0)
    c.mark(ring, members, lambda m: 'member of the roaming group (age %d)' % g.P[m]['age'])
    c.mark(ring, tout, lambda m: 'tout who moves the group from clinic to clinic')
    docs = {}
    for s in clinics:
        ds = c.docs_of(s, 1) or g.sites[s]['docs'][:1]
        docs[s] = ds
        c.add_site_member(ring, s, 'complicit site hosting the group for a month')
        for d in ds:
            c.add_doc_member(ring, d, 'doctor at %s billing the group' % g.sites[s]['name'])
    order = clinics[:]
    r.shuffle(order)
    lo, hi = c.window(150)
    infl = r.choice([1.0, 1.5, 2.0, 3.0])
    fr = c.fr(0.5)
    group = members + tout
    m0 = lo // 30
    month = 0
    d = lo
    while d < hi:
        s = order[month % len(order)]
        end = min(hi, d + 30)
        n_days = r.randint(1, 3)
        gdays = sorted(r.sample(range(d, end), min(n_days, end - d)))
        for gd in gdays:
            t = gd * DAY + int(r.uniform(8.2, 15.5) * 3600)
            for m in group:
                if r.random() < 0.15:
                    continue
                t += r.randint(60, 400)
                dr = r.choice(docs[s])
                dx = g.dx_for(m, r.choice(['resp', 'gi', 'msk']))
                lines = g.acute_lines(m, s, dx, t, dr, 11, infl)
                c.ring_visit(ring, m, s, 11, t, None, dr, dx, lines, fr, c.cert(0.5))
        d = end
        month += 1
    ring['shape'] = ('roaming group of %d people + tout moving month by month through %d clinics/stations '
                     '(1-3 group days per month at the current clinic), inflation x%.1f' % (len(members), k, infl))


def referral_carousel(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('hosp2', 'township'), lambda s: s['beds'] > 0)
    A = r.choice(cands)
    others = sorted([s for s in cands if s != A], key=lambda s: km(g, g.sites[s], g.sites[A]))
    B = others[0] if r.random() < 0.7 else r.choice(others[:4])
    for s in (A, B):
        c.take_site(s)
    da = c.docs_of(A, r.randint(2, 3))
    db = c.docs_of(B, r.randint(2, 3))
    shared = None
    if da and r.random() < 0.6:
        shared = da[0]
        g.register(shared, B)
        db.append(shared)
    for d in set(da + db):
        c.used_docs.add(d)
    members = c.recruit(n, g.sites[A], (55, 88), radius=25, couples=0.5, noise=4)
    c.mark(ring, members, lambda m: 'patient shuttled between the two hospitals (age %d)' % g.P[m]['age'])
    c.add_site_member(ring, A, 'hospital A of the referral carousel', kind='hospital')
    c.add_site_member(ring, B, 'hospital B of the referral carousel', kind='hospital')
    for d in dict.fromkeys(da + db):
        c.add_doc_member(ring, d, 'doctor in the referring team' + (' (registered at both hospitals)' if d == shared else ''))
    lo, hi = c.window(200)
    infl = r.choice([1.0, 1.3, 1.8])
    for m in members:
        d = r.randint(lo, lo + 40)
        cycles = r.randint(2, 5)
        for k in range(cycles):
            seq = [A, B] if r.random() < 0.7 else [A, B, A]
            for j, s in enumerate(seq):
                los = r.randint(5, 9)
                if d + los >= min(hi, g.ndays - 2):
                    break
                t0 = d * DAY + int(r.uniform(8, 15) * 3600)
                t1 = (d + los) * DAY + int(r.uniform(8.5, 11) * 3600)
                dr = r.choice(da if s == A else db)
                dx = g.dx_for(m, r.choice(['ip', 'resp_ip', 'stroke', 'chd', 'copd', 'msk']))
                lines = g.inpatient_lines(m, s, dx, t0, t1, dr, infl=infl)
                mt = 21 if j == 0 else r.choice([21, 23])
                c.ring_visit(ring, m, s, mt, t0, t1, dr, dx, lines, (0.8, 0.9), cert=r.choice(['01', '03']))
                d = d + los + r.randint(0, 2)
            d += r.randint(20, 70)
    ring['shape'] = ('doctor teams at %s and %s shuttle %d elderly patients: stay at A, transfer to B within 0-2 days, '
                     'sometimes back; 2-5 cycles a year; %s' %
                     (g.sites[A]['name'], g.sites[B]['name'], len(members),
                      'one doctor registered at both' if shared is not None else 'separate teams'))


def checkup_mill(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('mzb',), lambda s: s['sub'] in ('checkup', 'general'))
    if not cands:
        cands = c.free_sites(('mzb', 'clinic'))
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    docs = c.docs_of(s_i, r.randint(2, 4))
    if len(docs) < 2:
        extra = c.borrow_docs(s_i, 2, [s_i])
        for d in extra:
            g.register(d, s_i)
        docs += extra
    for d in docs:
        c.used_docs.add(d)
    # bused in from a few communities
    comms = r.sample(g.comms, 3)
    members = []
    for cm in comms:
        members += c.recruit(max(1, n // 3), cm, (60, 82), radius=3, couples=0.8, noise=0.5)
    members = members[:n]
    if len(members) < n:
        members += c.recruit(n - len(members), S, (60, 82), radius=12, couples=0.8)
    recr = c.recruit(r.randint(1, 2), comms[0], (40, 65), radius=8, couples=0.0)
    c.mark(ring, members, lambda m: 'elderly bused in for "free check-ups" (age %d)' % g.P[m]['age'])
    c.mark(ring, recr, lambda m: 'recruiter organising the buses')
    c.add_site_member(ring, s_i, 'outpatient department billing batteries of tests')
    for d in docs:
        c.add_doc_member(ring, d, 'doctor ordering the test batteries')
    lo, hi = c.window(150)
    per = r.randint(2, 4)
    csize = r.randint(10, 30)
    fr = c.fr(0.5, (0.5, 0.7))
    n_trips = max(per, int(math.ceil(len(members) * per / csize)))
    nlines = (r.randint(5, 8), r.randint(9, 14))
    order = members[:]
    r.shuffle(order)
    pos = 0
    for k in range(n_trips):
        d = lo + int(k * (hi - lo - 1) / n_trips) + r.randint(0, 2)
        d = min(d, g.ndays - 1)
        if g.dow[d] == 6:
            d = max(lo, d - 1)
        grp = []
        while len(grp) < min(csize, len(order)):
            m = order[pos % len(order)]
            pos += 1
            if m not in grp:
                grp.append(m)
        t = d * DAY + int(r.uniform(7.5, 9) * 3600)
        for m in grp:
            t += r.randint(60, 300)
            dr = r.choice(docs)
            lines = [g.line(g.svc_by_k['consult'][0], 1, s_i, t, dr)]
            checkup_lines(g, s_i, t, dr, r.randint(*nlines), lines)
            dx = g.dx_for(m, r.choice(g.P[m]['conds'] or ['neuro', 'msk', 'gi']))
            c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, fr, c.cert(0.5))
    ring['shape'] = ('%s: %d elderly from %s bused in, cohorts of ~%d the same morning, %d trips, %d-%d test lines per '
                     'visit, each person %d times' %
                     (S['name'], len(members), '/'.join(cm['name'] for cm in comms), csize, n_trips, nlines[0],
                      nlines[1], per))


def nh_drip(c, ring, n):
    g, r = c.g, c.r
    cands = [s for s in c.free_sites(('nh',)) if len(g.nh_res.get(s, [])) >= 12]
    if not cands:
        return False
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    res = [m for m in g.nh_res[s_i] if g.P[m]['die'] is None and g.P[m]['ring'] is None]
    r.shuffle(res)
    members = res[:min(n, len(res))]
    c.mark(ring, members, lambda m: 'nursing-home resident billed for infusions never given (age %d)' % g.P[m]['age'])
    docs = S['docs'][:2]
    c.add_site_member(ring, s_i, 'nursing-home clinic billing phantom infusions')
    for d in docs:
        c.used_docs.add(d)
        c.add_doc_member(ring, d, 'clinic doctor signing the infusion records')
    lo, hi = c.window(150)
    drugset = r.sample([g.item_idx[x] for x in ('注射用血栓通(冻干)', '丹参注射液', '注射用七叶皂苷钠')], 2)
    for m in members:
        for b in range(r.randint(2, 6)):
            d0 = r.randint(lo, max(lo, hi - 30))
            weeks = r.randint(2, 6)
            per_week = r.randint(3, 6)
            for w in range(weeks):
                for dd in sorted(r.sample(range(7), per_week)):
                    d = d0 + w * 7 + dd
                    if d >= hi or d >= g.ndays:
                        continue
                    t = d * DAY + int(r.uniform(8.5, 10.5) * 3600) + r.randint(0, 1800)
                    dr = r.choice(docs)
                    lines = []
                    iv_lines(g, s_i, t, dr, r.randint(1, 2), lines, drugset)
                    dx = g.dx_for(m, r.choice(g.P[m]['conds'] or ['stroke']))
                    c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, (0.7, 0.9), c.cert(0.7))
    ring['shape'] = ('%s: %d of its residents billed in bursts of 3-6 infusions a week (%s), hidden inside a '
                     'nursing-home clinic where many residents legitimately share one doctor' %
                     (S['name'], len(members), '+'.join(g.items[x]['name'] for x in drugset)))
    return True


def gaofang(c, ring, n):
    g, r = c.g, c.r
    cands = c.free_sites(('clinic', 'mzb'), lambda s: s['sub'] == 'tcm')
    if not cands:
        cands = c.free_sites(('clinic', 'mzb'))
    s_i = r.choice(cands)
    c.take_site(s_i)
    S = g.sites[s_i]
    docs = c.docs_of(s_i, r.randint(1, 3)) or S['docs'][:1]
    for d in docs:
        c.used_docs.add(d)
    members = c.recruit(n, S, (45, 82), radius=r.uniform(5, 15), couples=0.7, noise=3)
    c.mark(ring, members, lambda m: 'recruited "health tour" participant (age %d)' % g.P[m]['age'])
    c.add_site_member(ring, s_i, 'TCM site billing herbal pastes and decoctions to a recruited group')
    for d in docs:
        c.add_doc_member(ring, d, 'TCM doctor prescribing the pastes')
    winter = [d for d in range(g.ndays) if g.dates[d].month in (11, 12, 1, 2)]
    tours = sorted(r.sample(winter, min(len(winter), r.randint(4, 12))))
    csize = r.randint(6, 25)
    for td in tours:
        grp = r.sample(members, min(csize, len(members)))
        t = td * DAY + int(r.uniform(8.5, 14) * 3600)
        for m in grp:
            t += r.randint(120, 600)
            dr = r.choice(docs)
            lines = [g.line(g.svc_by_k['consult'][0], 1, s_i, t, dr)]
            g.herb_lines(s_i, t + 300, dr, lines, r.randint(16, 26), 1, r.randint(150, 400), expensive=False)
            for nm, gr in (('阿胶', r.choice([250, 250, 500])), ('红参', r.choice([60, 100, 150])),
                           ('鹿角胶', r.choice([0, 100, 150]))):
                if gr:
                    lines.append(g.line(g.item_idx[nm], gr, s_i, t + 300, dr, 30))
            lines.append(g.line(g.svc_by_k['paste'][0], 1, s_i, t + 400, dr))
            dx = g.dx_for(m, r.choice(['neuro', 'msk', 'gi'] + g.P[m]['conds']))
            c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, (0.6, 0.9), c.cert(0.4))
    # monthly decoctions for part of the group
    sub = members[:len(members) // 2]
    lo, hi = c.window(120)
    for m in sub:
        for d in c.days_rhythm(lo, hi, r.randint(20, 35), 4):
            t = d * DAY + g.tod('clinic')
            dr = r.choice(docs)
            lines = []
            doses = 14
            g.herb_lines(s_i, t, dr, lines, r.randint(10, 16), doses, r.randint(10, 20))
            lines.append(g.line(g.svc_by_k['decoct'][0], doses, s_i, t, dr))
            dx = g.dx_for(m, r.choice(['neuro', 'msk', 'gi']))
            c.ring_visit(ring, m, s_i, 11, t, None, dr, dx, lines, (0.6, 0.9), c.cert(0.4))
    ring['shape'] = ('%s: %d recruited people on %d winter "tour" days (groups of ~%d) billed herbal pastes of '
                     '1.5-6k yuan, half of them also monthly 14-dose decoctions' %
                     (S['name'], len(members), len(tours), csize))
    return True


def staff_family(c, ring, n):
    """mixed roles: doctors of two nearby clinics, themselves insured, bill each other's families"""
    g, r = c.g, c.r
    cands = c.free_sites(('clinic', 'mzb', 'chs'), lambda s: s['sub'] in ('general', 'tcm') and len(s['docs']) >= 1)
    A = r.choice(cands)
    near = sorted([s for s in cands if s != A], key=lambda s: km(g, g.sites[s], g.sites[A]))[:5]
    B = r.choice(near)
    for s in (A, B):
        c.take_site(s)
    docs = {A: c.docs_of(A, r.randint(1, 2)) or g.sites[A]['docs'][:1],
            B: c.docs_of(B, r.randint(1, 2)) or g.sites[B]['docs'][:1]}
    doc_person = {}
    fam = []
    for s, ds in docs.items():
        for d in ds:
            c.used_docs.add(d)
            pp = c.recruit(1, g.sites[s], (28, 60), radius=6, couples=0.0)
            if not pp:
                continue
            p = pp[0]
            doc_person[d] = p
            g.staff[d]['name'] = g.P[p]['name']          # the doctor and the insured person are one human
            g.staff[d]['g'] = g.P[p]['g']
            h = g.H[g.P[p]['hh']]
            rel = [m for m in h['members'] + sum((g.H[x]['members'] for x in h['linked']), [])
                   if m != p and c.eligible(m, (0, 95))]
            fam.append((s, d, p, rel))
    people = []
    for s, d, p, rel in fam:
        people.append(p)
        people += rel
    people = list(dict.fromkeys(people))
    if len(people) < n:
        # friends and neighbours of the first doctor
        extra = c.recruit(n - len(people), g.sites[A], (18, 85), radius=5, couples=0.7)
        extra = [m for m in extra if m not in people]
        people += extra
    people = people[:max(n, len(doc_person))]
    for d, p in doc_person.items():
        g.P[p]['ring'] = ring['id']
        ring['members'].append(('patient', ('p', p), 'is doctor %s as an insured person' % g.staff[d]['code']))
    rest = [m for m in people if m not in doc_person.values()]
    c.mark(ring, rest, lambda m: 'relative or friend of the clinic doctors (age %d)' % g.P[m]['age'])
    for s in (A, B):
        c.add_site_member(ring, s, 'clinic where the doctors bill each other\'s families')
        for d in docs[s]:
            c.add_doc_member(ring, d, 'doctor and patient at once: bills the other clinic\'s families')
    lo, hi = c.window(150)
    infl = r.choice([1.3, 2.0, 2.5])
    fr = c.fr(0.5)
    home_site = {}
    for s, d, p, rel in fam:
        for m in [p] + rel:
            home_site.setdefault(m, s)
    allp = list(doc_person.values()) + rest
    for m in allp:
        own = home_site.get(m, A)
        other = B if own == A else A
        for d in c.days_random(lo, hi, r.uniform(1.0, 4.0)):
            s = other if r.random() < 0.8 else own
            t = d * DAY + g.tod('clinic')
            dr = r.choice(docs[s])
            dx = g.dx_for(m, r.choice(['resp', 'msk', 'gi', 'skin']))
            lines = g.acute_lines(m, s, dx, t, dr, 11, infl)
            c.ring_visit(ring, m, s, 11, t, None, dr, dx, lines, fr, c.cert(0.3))
    ring['shape'] = ('doctors of %s and %s (%d doctors, %d of them also insured persons in the data, same names) '
                     'bill each other\'s relatives/friends (%d people) ~1-4 times a month, inflation x%.1f' %
                     (g.sites[A]['name'], g.sites[B]['name'], len(docs[A]) + len(docs[B]), len(doc_person),
                      len(allp), infl))


FUNCS = {'staff_family': staff_family, 'fabricated_outpatient': fabricated_outpatient, 'lockstep_swiping': lockstep_swiping,
         'fake_hospitalisation': fake_hospitalisation, 'card_collection': card_collection,
         'drug_reselling': drug_reselling, 'pharmacy_cashout': pharmacy_cashout,
         'borrowed_qualification': borrowed_qualification, 'rehab_stack': rehab_stack,
         'clinic_hopping': clinic_hopping, 'referral_carousel': referral_carousel, 'checkup_mill': checkup_mill,
         'nh_drip': nh_drip, 'gaofang': gaofang}


def plant_rings(g):
    r = g.rng
    c = Ctx(g)
    # keep rings off the special (hard-negative) institutions, except the nursing-home shape
    n = r.randint(4, 9)
    no_doc = 'atddr_no' in g.dropped and 'bilg_dr_codg' in g.dropped
    pool = [t for t in TYPOLOGIES if not (no_doc and t == 'borrowed_qualification')]
    r.shuffle(pool)
    n_unc = 1 if n < 7 else r.choice([1, 2])
    kinds = pool[:n - n_unc]
    while len(kinds) < n - n_unc:
        kinds.append(r.choice(pool))
    unc = r.sample(UNCLASSIFIED, n_unc)
    kinds += unc
    r.shuffle(kinds)
    # sizes
    cats = ['small'] * len(kinds)
    idx = list(range(len(kinds)))
    r.shuffle(idx)
    n_large = (1 if r.random() < 0.6 else 0) + (1 if r.random() < 0.12 else 0)
    n_med = max(1, int(round(len(kinds) * r.uniform(0.2, 0.4))))
    for i in idx:
        k = kinds[i]
        if n_large and k in LARGE_OK:
            cats[i] = 'large'
            n_large -= 1
        elif n_med and k != 'borrowed_qualification':
            cats[i] = 'medium'
            n_med -= 1
    g.rings = []
    for i, k in enumerate(kinds):
        cat = cats[i]
        size = {'small': r.randint(5, 25), 'medium': r.randint(26, 100), 'large': r.randint(101, 400)}[cat]
        if k in CAP:
            size = min(size, CAP[k])
        if k == 'borrowed_qualification':
            size = r.randint(1, 4)
        ring = {'id': 'ring-%03d' % (i + 1), 'typology': k if k in TYPOLOGIES else 'unclassified', 'shape_name': k,
                'members': [], 'visits': [], 'size_cat': cat}
        ok = FUNCS[k](c, ring, size)
        if ok is False:
            k2 = 'rehab_stack' if k != 'rehab_stack' else 'gaofang'
            ring['shape_name'] = k2
            FUNCS[k2](c, ring, min(size, CAP.get(k2, size)))
        g.rings.append(ring)
    g.ring_sites = set(c.used_sites)
    g.ring_docs = set(c.used_docs)
