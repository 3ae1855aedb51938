#!/usr/bin/env python3
"""An independent implementation of the indicators of SPEC section 6, straight
from the registration CSVs (SPEC 7), compared cell by cell with

    node --import tsx services/cli/src/main.ts report <indicator> ... --format json --unsuppressed --db DB

Python standard library only. The rules below are written from the SPEC text
(../shared/domain/SPEC.md, sections 2, 3, 5, 6 and 7), not from the TypeScript;
where the SPEC is silent, the choice is the one packages/indicators/README.md
documents (marked "choice" below). Row keys and family names follow the
report's output shape.

One command generates a seeded population with a corrected re-delivery,
imports both (the first with an earlier --known-at), and runs the matrix:

    python3 packages/indicators/crosscheck/crosscheck.py --generate 2000 --seed 5

  every indicator x both rule sets (monitor, inspectie)
  x cohort types advice, intake, leerjaar3 (per-year indicators: also over everyone)
  x no breakdown, gender, parental_education, area:1
  x the current edition and --as-known-on a date before the re-delivery
    (the Python side then reads the first delivery only).

--quick runs a smaller, rotated matrix that still covers every indicator, scope,
rule set, breakdown and both editions (the vitest test uses it).

To the generated learners it adds about thirty hand-made ones, each on a
boundary of a definition that a generated population rarely reaches (ages 12
and 23, pro, vso and unknown levels, a move down in bovenbouw, stacking on
1 October or after a gap year, revisions both ways, background changing on a
cohort's start, corrections in the re-delivery); --no-edge-cases leaves them out.

It prints, per indicator: reports run, cells compared, cells differing, and
exits 1 when any cell differs (0 otherwise). The reports run in one process
(reports.ts, the CLI's own report command); a sample also runs through the CLI
as a user runs it, and must print the same bytes.

Where the engine reads the SPEC otherwise (DISAGREEMENTS below), the rule is
written both ways: the matrix is compared under the engine's reading, and the
cells the SPEC's reading would move are printed as a disagreement (--spec
compares under the SPEC's reading throughout, so that they count as differing).
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
CLI = ['node', '--import', 'tsx', os.path.join(ROOT, 'services', 'cli', 'src', 'main.ts')]
BATCH = ['node', '--import', 'tsx', os.path.join(HERE, 'reports.ts')]

# ---------------------------------------------------------------------------
# SPEC 3: levels
# ---------------------------------------------------------------------------

RANK = {'pro': 0, 'vmbo-b': 1, 'vmbo-k': 2, 'vmbo-g': 3, 'vmbo-t': 3, 'vmbo-gt': 3, 'havo': 4, 'vwo': 5}
ALIAS = {'mavo': 'vmbo-t', 'vmbo-tl': 'vmbo-t', 'vmbo-g/t': 'vmbo-gt', 'atheneum': 'vwo', 'gymnasium': 'vwo',
         'vmbo-basis': 'vmbo-b', 'vmbo-kader': 'vmbo-k'}
LETTER = {'b': 'vmbo-b', 'k': 'vmbo-k', 'g': 'vmbo-g', 't': 'vmbo-t'}
VO_DIPLOMA_RANK = {'vmbo-b': 1, 'vmbo-k': 2, 'vmbo-g': 3, 'vmbo-t': 3, 'havo': 4, 'vwo': 5}
VMBO_DIPLOMAS = {'vmbo-b', 'vmbo-k', 'vmbo-g', 'vmbo-t'}
# Startkwalificatie: a havo or vwo diploma, or an mbo diploma at level 2 or higher.
STARTKWALIFICATIE = {'havo', 'vwo', 'mbo-2', 'mbo-3', 'mbo-4'}
HBO_CREDENTIALS = {'hbo-p', 'hbo-ad', 'hbo-ba'}
AFDELING = {1: 'vmbo-b', 2: 'vmbo-k', 3: 'vmbo-gt', 4: 'havo', 5: 'vwo'}
CLASSES = ['opstroom', 'half-opstroom', 'gelijk', 'half-afstroom', 'afstroom']

# Where the engine reads the SPEC differently. Each entry is a rule written both ways: the matrix is
# compared under the engine's reading (so that every other cell must agree to the count), and each
# entry is then run under the SPEC's reading to count the cells it moves, printed as a disagreement.
# When the engine changes to the SPEC's reading, the matrix differs and the entry must go.
DISAGREEMENTS = {
    'stacked-routes: success at a higher level': {
        'indicators': ['stacked-routes'],
        'spec': 'SPEC 6 stacked-routes: success is "a diploma at the stacked level" -- mbo-2 > mbo-3 ending '
                'in an mbo-4 diploma and no mbo-3 one is no success of that attempt',
        'engine': 'success is a diploma at or above the stacked level (README: "VO: rank >= the row\'s '
                  'lowest rank; mbo: level >= m")',
    },
}
READING = {name: 'engine' for name in DISAGREEMENTS}


def spec_reading(name):
    return READING[name] == 'spec'


# The bands of the end-of-primary test (data, not a rule: the 501-550 eindtoets scale
# of docs/file-formats.md; the SPEC only says "the level the test indicates").
EINDTOETS_BANDS = [(501, 518, 'vmbo-b'), (519, 525, 'vmbo-b/k'), (526, 528, 'vmbo-k'), (529, 532, 'vmbo-t'),
                   (533, 536, 'vmbo-t/havo'), (537, 539, 'havo'), (540, 544, 'havo/vwo'), (545, 550, 'vwo')]


def squash(code):
    return ''.join((code or '').split()).lower()


class VoLevel:
    """A VO level as registered: its normalised code, its span [low, high] (None when unranked)
    and the code of its lower level (what inspectie collapses it to)."""
    __slots__ = ('code', 'span', 'lower')

    def __init__(self, raw):
        c = squash(raw)
        c = ALIAS.get(c, c)
        if c in ('', 'vso', 'unknown'):
            self.code, self.span, self.lower = (c or 'unknown'), None, (c or 'unknown')
            return
        shown, full = [], []
        for part in c.split('/'):
            part = ALIAS.get(part, part)
            if part in RANK:
                shown.append(part)
                full.append(part)
            elif part in LETTER and full and full[-1].startswith('vmbo'):
                shown.append(part)
                full.append(LETTER[part])
            else:
                self.code, self.span, self.lower = c, None, c
                return
        ranks = [RANK[p] for p in full]
        self.code = '/'.join(shown)
        self.span = (min(ranks), max(ranks))
        self.lower = full[ranks.index(min(ranks))]


def compare_spans(f, t):
    """SPEC 5: comparing two spans F (from, or advice) and T (to, or position)."""
    if f == t:
        return 'gelijk'
    if t[0] > f[1]:
        return 'opstroom'
    if t[1] < f[0]:
        return 'afstroom'
    a, b = t[0] + t[1], f[0] + f[1]
    return 'half-opstroom' if a > b else 'half-afstroom' if a < b else 'gelijk'


def classify(rules, f, t):
    """Five classes under a rule set; unranked -> not-comparable. inspectie collapses spans to the lower level."""
    if f is None or t is None:
        return 'not-comparable'
    if rules == 'inspectie':
        f, t = (f[0], f[0]), (t[0], t[0])
    return compare_spans(f, t)


def shown_code(rules, level):
    """A VO level's code as reported under a rule set (inspectie: the lower level)."""
    return level.lower if rules == 'inspectie' else level.code


def test_level(score):
    try:
        s = int(score)
    except (TypeError, ValueError):
        return None
    for lo, hi, code in EINDTOETS_BANDS:
        if lo <= s <= hi:
            return VoLevel(code)
    return None


def mbo_level(code):
    c = squash(code)
    return 'mbo-1' if c == 'entree' else c


# ---------------------------------------------------------------------------
# SPEC 2: time
# ---------------------------------------------------------------------------

def school_year_start(date):
    """The start year of the school year (1 August - 31 July) a date falls in."""
    y, m = int(date[:4]), int(date[5:7])
    return y if m >= 8 else y - 1


def sy_name(t):
    return f'{t}-{t + 1}'


def first_reference_date_after(date):
    """The year of the first 1 October strictly after a date (a date on 1 October itself: the next year's)."""
    y = int(date[:4])
    return y if date[5:] < '10-01' else y + 1


# ---------------------------------------------------------------------------
# SPEC 7: the registration files, with corrections
# ---------------------------------------------------------------------------

def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline='', encoding='utf-8-sig') as f:
        return [{(k or '').strip().lower(): (v or '').strip() for k, v in r.items()} for r in csv.DictReader(f)]


class Row:
    __slots__ = ('year', 'date', 'sector', 'inst', 'level', 'mbo', 'grade')

    def __init__(self, r):
        self.date = r['reference_date']
        self.year = school_year_start(self.date)
        self.sector = squash(r['sector'])
        self.inst = r['institution']
        self.level = VoLevel(r['level']) if self.sector == 'vo' else None
        self.mbo = mbo_level(r['level']) if self.sector == 'mbo' else None
        self.grade = int(r['grade']) if r.get('grade') else None

    def state(self):
        """A row as a distribution state: vo:<code>, mbo-n, hbo, wo (po for a primary-school row)."""
        if self.sector == 'vo':
            return 'vo:' + self.level.code
        if self.sector == 'mbo':
            return self.mbo
        return self.sector

    def enrolment(self):
        """A row as the level of an enrolment: VO code, mbo-n, hbo, wo."""
        return self.level.code if self.sector == 'vo' else self.mbo if self.sector == 'mbo' else self.sector


class Advice:
    __slots__ = ('issued', 'kind', 'level', 'year', 'score', 'seq')

    def __init__(self, r, seq):
        self.issued = r['issued_on']
        self.kind = squash(r['kind'])
        self.level = VoLevel(r['level'])
        self.year = int(r['school_year'][:4])
        self.score = r.get('test_score', '')
        self.seq = seq


class Diploma:
    __slots__ = ('date', 'level', 'year', 'inst', 'seq')

    def __init__(self, r, seq):
        self.date = r['awarded_on']
        c = squash(r['level'])
        self.level = ALIAS.get(c, mbo_level(c))
        self.year = school_year_start(self.date)
        self.inst = r['institution']
        self.seq = seq


class Learner:
    def __init__(self, lid):
        self.id = lid
        self.rows = {}          # school year start -> Row
        self.advices = []       # valid-time order
        self.diplomas = []      # valid-time order
        self.bg = []            # background records by valid_from
        self.gender = 'unknown'
        self.birth = None       # (year, month)
        self._ref = {}

    def finish(self):
        self.advices.sort(key=lambda a: (a.issued, a.seq))
        self.diplomas.sort(key=lambda d: (d.date, d.seq))
        self.bg.sort(key=lambda b: b['valid_from'])
        self.years = sorted(self.rows)
        self.vo_years = [t for t in self.years if self.rows[t].sector == 'vo']
        self.first_vo = self.rows[self.vo_years[0]] if self.vo_years else None
        g3 = [t for t in self.vo_years if self.rows[t].grade == 3]
        self.year3 = self.rows[g3[0]] if g3 else None          # the year-3 position
        g1 = [t for t in self.vo_years if self.rows[t].grade == 1]
        self.lj1 = self.rows[g1[0]] if g1 else None
        self.vo_diplomas = [d for d in self.diplomas if d.level in VO_DIPLOMA_RANK]
        best = None
        for d in self.vo_diplomas:  # highest by rank; on a tie the earlier
            if best is None or VO_DIPLOMA_RANK[d.level] > VO_DIPLOMA_RANK[best.level]:
                best = d
        self.best_vo_diploma = best

    def reference_advice(self, rules):
        """SPEC 5. inspectie: the first final advice, before any revision; monitor: the latest advice after
        revision (the latest final or revised one). A provisional advice is never one (choice)."""
        if rules not in self._ref:
            if rules == 'inspectie':
                finals = [a for a in self.advices if a.kind == 'final']
                self._ref[rules] = finals[0] if finals else None
            else:
                later = [a for a in self.advices if a.kind in ('final', 'revised')]
                self._ref[rules] = later[-1] if later else None
        return self._ref[rules]

    def background(self, date):
        """The background record valid on a date: the newest with valid_from on or before it."""
        cur = None
        for b in self.bg:
            if b['valid_from'] <= date:
                cur = b
        return cur

    def has_startkwalificatie_before(self, date):
        return any(d.level in STARTKWALIFICATIE and d.date < date for d in self.diplomas)

    def age_on(self, date):
        """Age on a date from the birth month, born on its first day."""
        by, bm = self.birth
        y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
        return y - by - (1 if (m, d) < (bm, 1) else 0)


class Data:
    """The registrations as delivered, corrections applied in delivery order (SPEC 7): a delivery that
    contains reference date D is the complete count for D; advice, diploma and learner rows are upserts
    by natural key."""

    def __init__(self, dirs):
        enr, adv, dip, lrn, areas, insts = {}, {}, {}, {}, {}, {}
        covered = set()
        seq = 0
        for d in dirs:
            rows = read_csv(os.path.join(d, 'enrollments.csv'))
            dates = {r['reference_date'] for r in rows}
            covered |= dates
            for k in [k for k in enr if k[1] in dates]:
                del enr[k]
            for r in rows:
                enr[(r['learner_id'], r['reference_date'])] = r
            for r in read_csv(os.path.join(d, 'advice.csv')):
                seq += 1
                key = (r['learner_id'], r['school_year'], squash(r['kind']), r['issued_on'])
                adv[key] = (r, adv[key][1] if key in adv else seq)
            for r in read_csv(os.path.join(d, 'diplomas.csv')):
                seq += 1
                key = (r['learner_id'], r['school_year'], r['institution'], r['awarded_on'])
                dip[key] = (r, dip[key][1] if key in dip else seq)
            for r in read_csv(os.path.join(d, 'learners.csv')):
                lrn[(r['learner_id'], r['valid_from'])] = r
            for r in read_csv(os.path.join(d, 'areas.csv')):
                areas[r['area']] = r.get('parent_area', '')
            for r in read_csv(os.path.join(d, 'institutions.csv')):
                insts[r['institution']] = r
        self.learners = {}

        def learner(lid):
            if lid not in self.learners:
                self.learners[lid] = Learner(lid)
            return self.learners[lid]

        for (lid, _), r in enr.items():
            row = Row(r)
            learner(lid).rows[row.year] = row
        for (lid, *_), (r, s) in adv.items():
            learner(lid).advices.append(Advice(r, s))
        for (lid, *_), (r, s) in dip.items():
            learner(lid).diplomas.append(Diploma(r, s))
        for (lid, _), r in sorted(lrn.items(), key=lambda kv: kv[0]):
            L = learner(lid)
            L.bg.append(r)
        for L in self.learners.values():
            L.finish()
            if L.bg:
                first = L.bg[0]  # LearnerRegistered: from the first record
                g = first['gender'].lower()
                L.gender = {'m': 'm', 'male': 'm', 'man': 'm', 'f': 'f', 'v': 'f', 'female': 'f', 'vrouw': 'f',
                            'x': 'x'}.get(g, 'unknown')
                if first['birth_month']:
                    L.birth = (int(first['birth_month'][:4]), int(first['birth_month'][5:7]))
        self.covered = {school_year_start(d) for d in covered}
        self.covered_date = {school_year_start(d): d for d in covered}
        self.newest = max(self.covered)
        self.parent = areas
        self.insts = insts

    def reference_date(self, t):
        return self.covered_date.get(t, f'{t}-10-01')

    def area_path(self, area):
        path, seen = [area], {area}
        while self.parent.get(path[-1]):
            p = self.parent[path[-1]]
            if p in seen:
                break
            seen.add(p)
            path.append(p)
        return list(reversed(path))  # root first

    # -- cohorts (SPEC 6) --------------------------------------------------
    def cohort(self, ctype, year, rules):
        out = []
        for L in self.learners.values():
            if ctype == 'advice':
                a = L.reference_advice(rules)
                ok = a is not None and a.year == year
            elif ctype == 'intake':
                ok = L.first_vo is not None and L.first_vo.year == year and L.first_vo.grade == 1
            else:  # leerjaar3
                ok = L.year3 is not None and L.year3.year == year
            if ok:
                out.append(L)
        return out


# ---------------------------------------------------------------------------
# Breakdown dimensions (SPEC 6): the value valid at the cohort's start
# (1 August of its school year: choice), or for per-year indicators without a cohort at 1 August of t.
# ---------------------------------------------------------------------------

def dim_value(data, L, dim, date):
    if dim == 'gender':
        return L.gender
    b = L.background(date)
    if dim in ('pupil_weight', 'parental_education', 'migration_background'):
        return (b[dim] if b else '') or 'unknown'
    if dim == 'area' or dim.startswith('area:'):
        own = b['area'] if b else ''
        if not own:
            return 'unknown'
        if dim == 'area':
            return own
        n = int(dim.split(':')[1])
        path = data.area_path(own)
        return path[n] if n < len(path) else 'unknown'
    raise ValueError(f'dimension {dim} is not in the cross-check')


def group(data, L, by, date, **fixed):
    g = {d: dim_value(data, L, d, date) for d in by}
    g.update(fixed)
    return json.dumps(g, sort_keys=True)


# ---------------------------------------------------------------------------
# Cells: (group, offset, schoolYear, family, category, from, to) -> count, with a denominator per
# (group, offset, schoolYear, family).
# ---------------------------------------------------------------------------

class Cells:
    def __init__(self, fixed=None):
        self.count = Counter()
        self.den = Counter()
        self.fixed = fixed or {}

    def unit(self, g, off, sy, fam, cat, frm=None, to=None, n=1):
        self.count[(g, off, sy, fam, cat, frm, to)] += n

    def denom(self, g, off, sy, fam, n=1):
        self.den[(g, off, sy, fam)] += n

    def result(self):
        out = {}
        for (g, off, sy, fam), n in self.den.items():
            for cat in self.fixed.get(fam, []):
                out[(g, off, sy, fam, cat, None, None)] = {'count': 0, 'denominator': n}
        for k, c in self.count.items():
            out[k] = {'count': c, 'denominator': self.den[k[:4]]}
        return out


# ---------------------------------------------------------------------------
# The indicators (SPEC 6)
# ---------------------------------------------------------------------------

def steps(L):
    """Streams' steps: pairs of VO rows on consecutive reference dates, one school year apart."""
    for t in L.vo_years:
        nxt = L.rows.get(t + 1)
        if nxt is not None and nxt.sector == 'vo':
            yield L.rows[t], nxt


def step_categories(L, rules, a, b):
    """A step after a VO diploma awarded in the earlier school year is `stacked` (and nothing else);
    any other is classified by its spans, is also `repeated` when the later grade is not higher and the
    class is `gelijk`, and `switched-school` when the institution differs."""
    if any(d.year == a.year for d in L.vo_diplomas):
        return [('class', 'stacked')]
    cls = classify(rules, a.level.span, b.level.span)
    out = [('class', cls)]
    if a.grade is not None and b.grade is not None and b.grade <= a.grade and cls == 'gelijk':
        out.append(('repeated', 'repeated'))
    if a.inst != b.inst:
        out.append(('switched-school', 'switched-school'))
    return out


STEP_FIXED = {'class': CLASSES + ['not-comparable', 'stacked'], 'repeated': ['repeated'],
              'switched-school': ['switched-school']}


def advice_position(data, rules, cohort, start, by):
    c = Cells({'advice-position': CLASSES + ['not-comparable', 'no-advice']})
    for L in cohort:
        if L.year3 is None:
            continue
        g = group(data, L, by, start)
        a = L.reference_advice(rules)
        cat = 'no-advice' if a is None else classify(rules, a.level.span, L.year3.level.span)
        c.denom(g, None, None, 'advice-position')
        c.unit(g, None, None, 'advice-position', cat)
    return c.result()


def outcome(data, rules, cohort, start, by):
    c = Cells({'outcome': CLASSES + ['not-comparable', 'no-vo-diploma']})
    for L in cohort:
        g = group(data, L, by, start)
        a = L.reference_advice(rules)
        d = L.best_vo_diploma
        if d is None:
            cat = 'no-vo-diploma'
        elif a is None:
            cat = 'not-comparable'
        else:
            cat = classify(rules, a.level.span, VoLevel(d.level).span)
        c.denom(g, None, None, 'outcome')
        c.unit(g, None, None, 'outcome', cat)
    return c.result()


def streams(data, rules, cohort, start, by, year0):
    c = Cells(STEP_FIXED)
    for L in cohort:
        g = group(data, L, by, start)
        for a, b in steps(L):
            off = a.year - year0
            for fam in STEP_FIXED:
                c.denom(g, off, None, fam)
            for fam, cat in step_categories(L, rules, a, b):
                c.unit(g, off, None, fam, cat)
    return c.result()


def state_on(data, L, t):
    """Distribution's state on the reference date of school year t."""
    r = L.rows.get(t)
    if r is not None:
        return r.state()
    if t > data.newest:
        return 'unknown'
    if not L.years or L.years[0] > t:
        return 'po'
    ok = L.has_startkwalificatie_before(data.reference_date(t))
    return 'left-with-startkwalificatie' if ok else 'left-without-startkwalificatie'


def distribution(data, rules, cohort, start, by, year0):
    c = Cells()
    for L in cohort:
        g = group(data, L, by, start)
        for k in range(0, data.newest - year0 + 1):
            c.denom(g, k, None, 'state')
            c.unit(g, k, None, 'state', state_on(data, L, year0 + k))
    return c.result()


def transitions(data, rules, cohort, start, by, year0):
    c = Cells()
    for L in cohort:
        g = group(data, L, by, start)
        for k in range(0, data.newest - year0):
            a, b = state_on(data, L, year0 + k), state_on(data, L, year0 + k + 1)
            c.denom(g, k, None, 'transition')
            c.unit(g, k, None, 'transition', f'{a} -> {b}', a, b)
    return c.result()


def flows(data, rules, cohort, start, by):
    """advice -> leerjaar-1 level -> leerjaar-3 level -> highest VO diploma -> first post-VO enrolment."""
    c = Cells()
    stages = ['advice', 'lj1', 'lj3', 'diploma', 'next']
    for L in cohort:
        g = group(data, L, by, start)
        a = L.reference_advice(rules)
        nxt = None
        if L.first_vo is not None:
            later = [L.rows[t] for t in L.years if t > L.first_vo.year and L.rows[t].sector in ('mbo', 'hbo', 'wo')]
            nxt = later[0].enrolment() if later else None
        d = L.best_vo_diploma
        nodes = {
            'advice': shown_code(rules, a.level) if a else None,
            'lj1': shown_code(rules, L.lj1.level) if L.lj1 else None,
            'lj3': shown_code(rules, L.year3.level) if L.year3 else None,
            'diploma': d.level if d else None,
            'next': nxt,
        }
        names = {s: f'{s}:{nodes[s] if nodes[s] is not None else "none"}' for s in stages}
        for i, s in enumerate(stages):
            c.denom(g, None, None, f'node {s}')
            c.unit(g, None, None, f'node {s}', names[s])
            if i + 1 < len(stages):
                fam = f'{s} -> {stages[i + 1]}'
                c.denom(g, None, None, fam)
                c.unit(g, None, None, fam, f'{names[s]} -> {names[stages[i + 1]]}', names[s], names[stages[i + 1]])
    return c.result()


def stacking_attempts(L):
    """SPEC 6 stacked-routes: a diploma followed by enrolment at a higher level. "Followed": the row on the
    first reference date after the award (choice, as README). Higher: a VO diploma then a VO row whose
    lowest rank is higher; mbo-n then mbo-m, m > n; mbo-4 then hbo; an hbo credential then wo.
    Success: a diploma at the stacked level, awarded after that enrolment began (at or above it in the
    engine's reading: see DISAGREEMENTS)."""
    out = []
    for d in L.diplomas:
        r = L.rows.get(first_reference_date_after(d.date))
        if r is None or r.date <= d.date:
            continue
        kind = None
        if d.level in VO_DIPLOMA_RANK and r.sector == 'vo' and r.level.span and r.level.span[0] > VO_DIPLOMA_RANK[d.level]:
            lo, hi = r.level.span
            kind = f'{d.level} > {r.level.code}'
            if spec_reading('stacked-routes: success at a higher level'):
                ok = lambda e, lo=lo, hi=hi: e.level in VO_DIPLOMA_RANK and lo <= VO_DIPLOMA_RANK[e.level] <= hi
            else:
                ok = lambda e, lo=lo: e.level in VO_DIPLOMA_RANK and VO_DIPLOMA_RANK[e.level] >= lo
        elif d.level.startswith('mbo-') and r.sector == 'mbo' and r.mbo > d.level:
            kind = f'{d.level} > {r.mbo}'
            if spec_reading('stacked-routes: success at a higher level'):
                ok = lambda e, m=r.mbo: e.level == m
            else:
                ok = lambda e, m=r.mbo: e.level.startswith('mbo-') and e.level >= m
        elif d.level == 'mbo-4' and r.sector == 'hbo':
            kind = 'mbo-4 > hbo'
            ok = lambda e: e.level in ('hbo-ad', 'hbo-ba', 'hbo-ma')
        elif d.level in HBO_CREDENTIALS and r.sector == 'wo':
            kind = f'{d.level} > wo'
            ok = lambda e: e.level in ('wo-ba', 'wo-ma')
        if kind is None:
            continue
        success = any(ok(e) and e.date > r.date for e in L.diplomas)
        out.append((kind, success))
    return out


def route(L):
    seq = [d.level for d in L.diplomas]
    if L.years and L.diplomas:
        last = L.rows[L.years[-1]]
        if last.date > L.diplomas[-1].date:
            seq.append(last.enrolment())
    return ' > '.join(seq)


def stacked_routes(data, rules, cohort, start, by):
    c = Cells()
    for L in cohort:
        g = group(data, L, by, start)
        att = stacking_attempts(L)
        c.denom(g, None, None, 'attempt')
        c.denom(g, None, None, 'route')
        c.unit(g, None, None, 'route', route(L) if att else 'not-stacked')
        for kind, success in att:
            c.unit(g, None, None, 'attempt', kind)
            c.denom(g, None, None, f'attempt {kind}')
            c.unit(g, None, None, f'attempt {kind}', f'{kind} | success', n=1 if success else 0)
    return c.result()


def advice_test(data, rules, cohort, start, by):
    c = Cells({'advice-test': ['test-higher', 'test-lower', 'same', 'not-comparable', 'no-test', 'no-advice']})
    for L in cohort:
        g = group(data, L, by, start)
        a = L.reference_advice(rules)
        scored = [x for x in L.advices if x.score]
        tl = test_level(scored[-1].score) if scored else None
        if a is None:
            cat = 'no-advice'
        elif tl is None:
            cat = 'no-test'
        else:
            cat = {'opstroom': 'test-higher', 'half-opstroom': 'test-higher', 'afstroom': 'test-lower',
                   'half-afstroom': 'test-lower', 'gelijk': 'same', 'not-comparable': 'not-comparable'}[
                classify(rules, a.level.span, tl.span)]
        c.denom(g, None, None, 'advice-test')
        c.unit(g, None, None, 'advice-test', cat)
    return c.result()


def revisions(L):
    """Each revision with the advice it revises: the latest final or revised advice before it."""
    out = []
    for i, a in enumerate(L.advices):
        if a.kind != 'revised':
            continue
        before = [b for b in L.advices[:i] if b.kind in ('final', 'revised')] or L.advices[:i]
        out.append((before[-1].level if before else None, a.level))
    return out


def advice_revisions(data, rules, cohort, start, by):
    c = Cells({'revised': ['revised'], 'direction': ['up', 'down', 'same', 'not-comparable']})
    for L in cohort:
        g = group(data, L, by, start)
        revs = revisions(L)
        c.denom(g, None, None, 'revised')
        if revs:
            c.unit(g, None, None, 'revised', 'revised')
        for f, t in revs:
            cls = classify(rules, f.span if f else None, t.span)
            direction = {'opstroom': 'up', 'half-opstroom': 'up', 'afstroom': 'down', 'half-afstroom': 'down',
                         'gelijk': 'same', 'not-comparable': 'not-comparable'}[cls]
            c.denom(g, None, None, 'direction')
            c.unit(g, None, None, 'direction', direction)
            fc, tc = (shown_code(rules, f) if f else 'none'), shown_code(rules, t)
            c.denom(g, None, None, 'pair')
            c.unit(g, None, None, 'pair', f'{fc} -> {tc}', fc, tc)
    return c.result()


def time_in_vo(data, rules, cohort, start, by):
    c = Cells({'end': ['vo-diploma', 'left-vo', 'in-vo']})
    for L in cohort:
        if L.first_vo is None:
            continue
        g = group(data, L, by, start)
        p = L.first_vo.year
        if L.vo_diplomas:
            years, end = str(L.vo_diplomas[0].year - p + 1), 'vo-diploma'
        elif L.vo_years[-1] < data.newest:
            years, end = str(L.vo_years[-1] - p + 1), 'left-vo'
        else:
            years, end = 'no-vo-diploma-yet', 'in-vo'
        for fam, cat in (('years', years), ('end', end)):
            c.denom(g, None, None, fam)
            c.unit(g, None, None, fam, cat)
    return c.result()


# -- per school year t ------------------------------------------------------

def when(start, t):
    """The background date of a per-year unit: the cohort's start, else 1 August of t."""
    return start or f'{t}-08-01'


def onderbouwsnelheid(data, rules, scope, start, by):
    c = Cells({'promoted': ['promoted']})
    for L in scope:
        for t in L.vo_years:
            r, n = L.rows[t], L.rows.get(t + 1)
            if r.grade in (1, 2) and n is not None and n.sector == 'vo':
                g = group(data, L, by, when(start, t))
                c.denom(g, None, sy_name(t), 'promoted')
                if n.grade is not None and n.grade > r.grade:
                    c.unit(g, None, sy_name(t), 'promoted', 'promoted')
    return c.result()


def bovenbouwsucces(data, rules, scope, start, by):
    c = Cells({'success': ['success']})
    for L in scope:
        for t in L.vo_years:
            if t + 1 not in data.covered:
                continue
            r = L.rows[t]
            if r.grade is None or r.grade < 3 or r.level.span is None or r.level.span[0] == 0:
                continue
            g = group(data, L, by, when(start, t), afdeling=AFDELING[r.level.span[0]])
            c.denom(g, None, sy_name(t), 'success')
            n = L.rows.get(t + 1)
            up = (n is not None and n.sector == 'vo' and n.level.span is not None and n.grade is not None
                  and n.grade > r.grade and n.level.span[0] >= r.level.span[0])
            if up or any(d.year == t for d in L.vo_diplomas):
                c.unit(g, None, sy_name(t), 'success', 'success')
    return c.result()


def early_leavers(data, rules, scope, start, by):
    """vsv: a row on t in mbo, or in VO at a level other than pro and vso, aged 12 to 22 on t's reference
    date, with no row on t+1 and no startkwalificatie from a diploma awarded before t+1's reference date.
    A VO row at an unknown level is "a level other than pro and vso" and counts by the SPEC (see
    DISAGREEMENTS). A learner without a birth month counts (choice)."""
    c = Cells({'early-leaver': ['early-leaver']})
    for L in scope:
        for t in L.years:
            if t + 1 not in data.covered:
                continue
            r = L.rows[t]
            if r.sector == 'mbo':
                pass
            elif r.sector == 'vo':
                if r.level.code == 'vso' or (r.level.span is not None and r.level.span[0] == 0):
                    continue
            else:
                continue
            if L.birth is not None and not (12 <= L.age_on(r.date) < 23):
                continue
            g = group(data, L, by, when(start, t), sector=r.sector)
            c.denom(g, None, sy_name(t), 'early-leaver')
            if (t + 1) not in L.rows and not L.has_startkwalificatie_before(data.reference_date(t + 1)):
                c.unit(g, None, sy_name(t), 'early-leaver', 'early-leaver')
    return c.result()


def after_mbo(data, rules, scope, start, by):
    c = Cells({'state': ['mbo-higher', 'mbo-same', 'mbo-lower', 'hbo', 'wo', 'vo', 'not-enrolled']})
    for L in scope:
        for d in L.diplomas:
            if d.level not in ('mbo-1', 'mbo-2', 'mbo-3', 'mbo-4'):
                continue
            ry = first_reference_date_after(d.date)
            if ry not in data.covered:
                continue
            g = group(data, L, by, when(start, d.year), diploma_level=d.level)
            r = L.rows.get(ry)
            if r is None:
                cat = 'not-enrolled'
            elif r.sector == 'mbo':
                cat = 'mbo-higher' if r.mbo > d.level else 'mbo-same' if r.mbo == d.level else 'mbo-lower'
            else:
                cat = r.sector
            c.denom(g, None, sy_name(d.year), 'state')
            c.unit(g, None, sy_name(d.year), 'state', cat)
    return c.result()


def vmbo_mbo_loss(data, rules, scope, start, by):
    c = Cells({'lost': ['lost']})
    for L in scope:
        for t in sorted({d.year for d in L.diplomas if d.level in VMBO_DIPLOMAS}):
            if t + 1 not in data.covered:
                continue
            g = group(data, L, by, when(start, t))
            c.denom(g, None, sy_name(t), 'lost')
            if (t + 1) not in L.rows:
                c.unit(g, None, sy_name(t), 'lost', 'lost')
    return c.result()


def school_profile(data, rules, scope, start, by):
    """Steps as in streams, per institution of the earlier row and school year; pooled rows (schoolYear
    null) sum the years and carry the spread (min, max, population sd) of the yearly percentages."""
    c = Cells(STEP_FIXED)
    for L in scope:
        for a, b in steps(L):
            g = group(data, L, by, when(start, a.year), vo_school=a.inst)
            sy = sy_name(a.year)
            for fam in STEP_FIXED:
                c.denom(g, None, sy, fam)
            for fam, cat in step_categories(L, rules, a, b):
                c.unit(g, None, sy, fam, cat)
    out = c.result()
    pooled = {}
    yearly = defaultdict(list)
    for (g, off, sy, fam, cat, frm, to), v in out.items():
        k = (g, off, None, fam, cat, frm, to)
        p = pooled.setdefault(k, {'count': 0, 'denominator': 0})
        p['count'] += v['count']
        p['denominator'] += v['denominator']
        if v['denominator'] > 0:
            yearly[k].append(round_half_up(100 * v['count'] / v['denominator']))
    for k, p in pooled.items():
        ps = yearly[k]
        if ps:
            mean = sum(ps) / len(ps)
            sd = math.sqrt(sum((x - mean) ** 2 for x in ps) / len(ps))
            p['spread'] = {'years': len(ps), 'min': min(ps), 'max': max(ps), 'sd': round_half_up(sd)}
        else:
            p['spread'] = {'years': 0, 'min': None, 'max': None, 'sd': None}
    out.update(pooled)
    return out


def round_half_up(x):
    return math.floor(x * 10 + 0.5 + 1e-9) / 10


COHORT_INDICATORS = {
    'advice-position': lambda d, r, co, s, by, y0: advice_position(d, r, co, s, by),
    'outcome': lambda d, r, co, s, by, y0: outcome(d, r, co, s, by),
    'streams': streams,
    'distribution': distribution,
    'transitions': transitions,
    'flows': lambda d, r, co, s, by, y0: flows(d, r, co, s, by),
    'stacked-routes': lambda d, r, co, s, by, y0: stacked_routes(d, r, co, s, by),
    'advice-test': lambda d, r, co, s, by, y0: advice_test(d, r, co, s, by),
    'advice-revisions': lambda d, r, co, s, by, y0: advice_revisions(d, r, co, s, by),
    'time-in-vo': lambda d, r, co, s, by, y0: time_in_vo(d, r, co, s, by),
}
PER_YEAR_INDICATORS = {
    'onderbouwsnelheid': onderbouwsnelheid,
    'bovenbouwsucces': bovenbouwsucces,
    'early-leavers': early_leavers,
    'after-mbo': after_mbo,
    'vmbo-mbo-loss': vmbo_mbo_loss,
    'school-profile': school_profile,
}
INDICATORS = list(COHORT_INDICATORS) + list(PER_YEAR_INDICATORS)


def compute(data, req):
    """My cells for one request: {indicator, rules, ctype, cohort (start year or None), by}."""
    rules, by = req['rules'], req['by']
    if req['cohort'] is None:
        return PER_YEAR_INDICATORS[req['indicator']](data, rules, list(data.learners.values()), None, by)
    year0 = req['cohort']
    members = data.cohort(req['ctype'], year0, rules)
    start = f'{year0}-08-01'
    if req['indicator'] in PER_YEAR_INDICATORS:
        return PER_YEAR_INDICATORS[req['indicator']](data, rules, members, start, by)
    return COHORT_INDICATORS[req['indicator']](data, rules, members, start, by, year0)


# ---------------------------------------------------------------------------
# The engine's side, and the comparison
# ---------------------------------------------------------------------------

def engine_cells(report):
    out = {}
    for r in report['rows']:
        k = (json.dumps(r['group'], sort_keys=True), r['offset'], r['schoolYear'], r['family'], r['category'],
             r.get('from'), r.get('to'))
        v = {'count': r['count'], 'denominator': r['denominator'], 'percent': r['percent']}
        if 'spread' in r:
            v['spread'] = r['spread']
        if k in out:
            raise ValueError(f'the report has two rows for {k}')
        out[k] = v
    return out


def differences(mine, theirs):
    """Cells compared, and the differing ones. A cell on one side only is a difference unless its count
    is 0 (fixed categories are reported as zeros; open lists only when observed)."""
    keys = set(mine) | set(theirs)
    bad = []
    for k in sorted(keys, key=lambda k: json.dumps(k, default=str)):
        m, t = mine.get(k), theirs.get(k)
        if m is None or t is None:
            if (m or t)['count'] != 0:
                bad.append((k, m, t))
            continue
        if m['count'] != t['count'] or m['denominator'] != t['denominator']:
            bad.append((k, m, t))
            continue
        if t['percent'] is not None and t['denominator']:
            exact = 100 * t['count'] / t['denominator']
            if abs(t['percent'] - exact) > 0.05 + 1e-9:
                bad.append((k, m, t))
                continue
        if 'spread' in m or 'spread' in t:
            ms, ts = m.get('spread'), t.get('spread')
            if ms is None or ts is None or ms['years'] != ts['years'] or any(
                    (ms[x] is None) != (ts[x] is None) or (ms[x] is not None and abs(ms[x] - ts[x]) > 0.05 + 1e-9)
                    for x in ('min', 'max', 'sd')):
                bad.append((k, m, t))
    return len(keys), bad


def cli_args(req, db, as_known_on, suppressed=False):
    a = [req['indicator'], '--rules', req['rules'], '--format', 'json', '--min-cell' if suppressed else '--unsuppressed']
    a += (['10'] if suppressed else []) + ['--db', db]
    if req['cohort'] is not None:
        a += ['--cohort-type', req['ctype'], '--cohort', sy_name(req['cohort'])]
    if req['by']:
        a += ['--by', ','.join(req['by'])]
    if as_known_on:
        a += ['--as-known-on', as_known_on]
    return a


def run_batch(argvs):
    p = subprocess.run(BATCH, input=''.join(json.dumps(a) + '\n' for a in argvs), capture_output=True, text=True,
                       cwd=ROOT)
    if p.returncode != 0:
        sys.exit(f'reports.ts failed ({p.returncode}):\n{p.stderr}')
    outs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    if len(outs) != len(argvs):
        sys.exit(f'reports.ts answered {len(outs)} of {len(argvs)} requests:\n{p.stderr}')
    return outs


def run_cli(args):
    p = subprocess.run(CLI + list(args), capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        sys.exit(f'pathways {" ".join(args)} failed ({p.returncode}):\n{p.stderr}')
    return p.stdout




# ---------------------------------------------------------------------------
# Suppression (SPEC 9), checked by its properties, not by the pattern a solver picks: the published
# report (without --unsuppressed) of a request is compared with this file's counts of the same request.
#   - a shown count or denominator equals the count here; a percentage is shown only for a shown count
#     over a shown denominator above the threshold, and equals count / denominator;
#   - no shown count, denominator or binary complement (95 of 100 shows the 5 who were not) is from 1
#     to minCell - 1; each hidden cell says why, `primary` exactly when its own count is that small;
#   - no hidden cell can be recomputed: a reader who knows the shown cells, takes unreported ones for
#     zero, and solves every relation with one unknown (repeatedly) learns no hidden cell. The
#     relations: the categories of an exclusive family add up to its denominator (families counting the
#     same units share it); the groups of a breakdown add up to the report without it; a flows node
#     equals the edges into it and out of it; the transitions out of a state add up to its
#     distribution count and those into it to the next offset's; school-profile's pooled cells are the
#     sum of its years; a revision direction is the sum of its pairs; time-in-vo's no-vo-diploma-yet is
#     in-vo; an attempt kind's count is its success denominator.
# ---------------------------------------------------------------------------

EXCLUSIVE = {'advice-position', 'outcome', 'class', 'state', 'transition', 'route', 'advice-test', 'direction',
             'pair', 'years', 'end'}
BINARY = {'repeated', 'switched-school', 'promoted', 'success', 'early-leaver', 'lost', 'revised'}
SHARED_DENOMINATOR = [{'class', 'repeated', 'switched-school'}, {'years', 'end'}, {'attempt', 'route'},
                      {'direction', 'pair'}]


def is_exclusive(fam):
    return fam in EXCLUSIVE or fam.startswith('node ') or ' -> ' in fam


def is_binary(fam):
    return fam in BINARY or fam.startswith('attempt ')


def den_class(fam):
    """Families whose denominators are one number (they count the same units)."""
    if fam.startswith('node ') or ' -> ' in fam:
        return 'flows'
    for i, shared in enumerate(SHARED_DENOMINATOR):
        if fam in shared:
            return f'shared{i}'
    return fam


def suppression_matrix(first_intake, quick):
    """Published (suppressed) requests, current edition. Full: every indicator x scope x breakdown, the rule
    set alternating with the scope. Quick: per indicator one scope (rotating) without a breakdown and with a
    rotating one; transitions as the distribution (it is suppressed together with it)."""
    cohorts = [('advice', first_intake), ('intake', first_intake + 1), ('leerjaar3', first_intake + 3)]
    out = []
    for n, ind in enumerate(INDICATORS):
        m = INDICATORS.index('distribution') if ind == 'transitions' else n
        scopes = ([('everyone', None)] if ind in PER_YEAR_INDICATORS else []) + cohorts
        for si, (ctype, year) in enumerate(scopes):
            if quick and si != m % len(scopes):
                continue
            for bi, by in enumerate(BREAKDOWNS):
                if quick and bi not in (0, 1 + m % 3):
                    continue
                out.append({'indicator': ind, 'rules': RULES[(si + m) % 2], 'ctype': ctype, 'cohort': year, 'by': by})
    return out


def report_key(req, by=None):
    return (req['indicator'], req['rules'], req['ctype'], req['cohort'], tuple(req['by'] if by is None else by))


class Knowledge:
    """What a reader of published reports knows: the shown counts and denominators; unknowns are hidden ones."""

    def __init__(self):
        self.hidden = set()      # variables not shown
        self.learned = {}        # hidden variable -> the report it was learned in (for messages)
        self.relations = []      # (members, total): sum(members) == total

    def relate(self, members, total):
        members = [m for m in members if m is not None]
        if total is not None and members:
            self.relations.append((members, total))

    def solve(self):
        known = lambda v: v not in self.hidden or v in self.learned
        changed = True
        while changed:
            changed = False
            for members, total in self.relations:
                unknown = [v for v in members + [total] if not known(v)]
                if len(unknown) == 1:
                    self.learned[unknown[0]] = (members, total)
                    changed = True
        return self.learned


def check_suppression(data, reqs, published, min_cell):
    """Per indicator: [reports, hidden cells, violations]; prints the violations."""
    per = {ind: [0, 0, 0] for ind in INDICATORS}
    K = Knowledge()
    var_names = {}
    rows_of = {}
    problems = []

    def problem(req, text):
        per[req['indicator']][2] += 1
        problems.append(f'  {req["indicator"]} [{req["rules"]} {req["ctype"]} {req["cohort"]} by {req["by"]}]: {text}')

    for req, rep in zip(reqs, published):
        per[req['indicator']][0] += 1
        if rep is None:
            problem(req, 'the report failed')
            continue
        mine = compute(data, req)
        rk = report_key(req)
        rows = {}
        dens = {}
        for r in rep['rows']:
            k = (json.dumps(r['group'], sort_keys=True), r['offset'], r['schoolYear'], r['family'], r['category'],
                 r.get('from'), r.get('to'))
            rows[k] = r
            var = ('count', rk, k)
            dk = ('den', rk, k[0], k[1], k[2], den_class(k[3]))
            var_names[var] = k
            m = mine.get(k, {'count': 0, 'denominator': None})
            if r['count'] is None:
                K.hidden.add(var)
                per[req['indicator']][1] += 1
                # primary: the cell itself is small; complementary: hidden for another (a binary count hidden
                # because its unpublished complement is small is large itself: "no chart labels a large
                # hidden cell as small")
                small = 0 < m['count'] < min_cell
                if r['suppression'] not in ('primary', 'complementary'):
                    problem(req, f'{list(k)} is hidden without a reason ({r["suppression"]})')
                elif (r['suppression'] == 'primary') != small:
                    problem(req, f'{list(k)} is hidden as {r["suppression"]}, count {m["count"]} of {m["denominator"]}')
            else:
                if r['count'] != m['count']:
                    problem(req, f'{list(k)} shows {r["count"]}, the count is {m["count"]}')
                if 0 < r['count'] < min_cell:
                    problem(req, f'{list(k)} shows a small count {r["count"]}')
            if r['denominator'] is not None:
                dens.setdefault(dk, r['denominator'])
                if m['denominator'] is not None and r['denominator'] != m['denominator']:
                    problem(req, f'{list(k)} shows denominator {r["denominator"]}, it is {m["denominator"]}')
                if 0 < r['denominator'] < min_cell:
                    problem(req, f'{list(k)} shows a small denominator {r["denominator"]}')
                if is_binary(k[3]) and r['count'] is not None and 0 < r['denominator'] - r['count'] < min_cell:
                    problem(req, f'{list(k)} shows {r["count"]} of {r["denominator"]}: a complement under {min_cell}')
            else:
                dens.setdefault(dk, None)
            if r['percent'] is not None:
                if r['count'] is None or r['denominator'] is None or r['denominator'] <= min_cell:
                    problem(req, f'{list(k)} shows a percentage {r["percent"]} of {r["count"]} / {r["denominator"]}')
                elif abs(r['percent'] - 100 * r['count'] / r['denominator']) > 0.05 + 1e-9:
                    problem(req, f'{list(k)} shows {r["percent"]}% of {r["count"]} / {r["denominator"]}')
        for dk, v in dens.items():
            if v is None:
                K.hidden.add(dk)
        rows_of[rk] = rows

    def count_var(rk, k):
        """A cell's variable; a cell a report does not show is a known zero (None: no unknown)."""
        return ('count', rk, k) if k in rows_of.get(rk, {}) else None

    def den_var(rk, k):
        return ('den', rk, k[0], k[1], k[2], den_class(k[3]))

    for req in reqs:
        rk = report_key(req)
        if rk not in rows_of:
            continue
        rows = rows_of[rk]
        by_family = defaultdict(list)
        for k in rows:
            by_family[(k[0], k[1], k[2], k[3])].append(k)
        for (g, off, sy, fam), ks in by_family.items():
            if is_exclusive(fam):
                K.relate([count_var(rk, k) for k in ks], den_var(rk, ks[0]))
        # groups of the breakdown add up to the report without it
        if req['by']:
            dim = req['by'][0]
            base = report_key(req, [])
            if base in rows_of:
                parts = defaultdict(list)
                dparts = defaultdict(set)
                for k in rows:
                    g = json.loads(k[0])
                    g.pop(dim)
                    g0 = json.dumps(g, sort_keys=True)
                    parts[(g0,) + k[1:]].append(count_var(rk, k))
                    dparts[(g0, k[1], k[2], den_class(k[3]))].add(den_var(rk, k))
                for k0, members in parts.items():
                    total = count_var(base, k0)
                    if total is not None:
                        K.relate(members, total)
                    elif any(m in K.hidden for m in members):
                        # the report without the breakdown does not show the cell: it is zero
                        K.relate(members, ('zero',))
                for (g0, off, sy, dc), members in dparts.items():
                    K.relate(sorted(members), ('den', base, g0, off, sy, dc))
        ind = req['indicator']
        if ind == 'school-profile':
            pooled = defaultdict(list)
            dpooled = defaultdict(set)
            for k in rows:
                if k[2] is not None:
                    pooled[(k[0], k[1], None) + k[3:]].append(count_var(rk, k))
                    dpooled[(k[0], k[1], den_class(k[3]))].add(den_var(rk, k))
            for k0, members in pooled.items():
                K.relate(members, count_var(rk, k0) or ('zero',))
            for (g, off, dc), members in dpooled.items():
                K.relate(sorted(members), ('den', rk, g, off, None, dc))
        if ind == 'flows':
            stages = ['advice', 'lj1', 'lj3', 'diploma', 'next']
            for k in rows:
                if k[3].startswith('node '):
                    i = stages.index(k[3][5:])
                    if i > 0:  # the edges into the node
                        fam = f'{stages[i - 1]} -> {stages[i]}'
                        K.relate([count_var(rk, e) for e in rows if e[3] == fam and e[0] == k[0] and e[6] == k[4]],
                                 count_var(rk, k))
                    if i + 1 < len(stages):  # the edges out of it
                        fam = f'{stages[i]} -> {stages[i + 1]}'
                        K.relate([count_var(rk, e) for e in rows if e[3] == fam and e[0] == k[0] and e[5] == k[4]],
                                 count_var(rk, k))
        if ind == 'transitions':
            dist = report_key(dict(req, indicator='distribution'))
            if dist in rows_of:
                for k in rows_of[dist]:
                    g, off, _, _, state = k[:5]
                    out = [count_var(rk, e) for e in rows if e[0] == g and e[1] == off and e[5] == state]
                    into = [count_var(rk, e) for e in rows if e[0] == g and e[1] == off - 1 and e[6] == state]
                    if out:
                        K.relate(out, count_var(dist, k))
                    if into:
                        K.relate(into, count_var(dist, k))
        if ind == 'advice-revisions':
            for k in rows:
                if k[3] == 'direction':
                    pairs = []
                    for e in rows:
                        if e[3] == 'pair' and e[0] == k[0]:
                            f, t = VoLevel(e[5]), VoLevel(e[6])
                            cls = classify(req['rules'], f.span if e[5] != 'none' else None, t.span)
                            d = {'opstroom': 'up', 'half-opstroom': 'up', 'afstroom': 'down', 'half-afstroom': 'down',
                                 'gelijk': 'same', 'not-comparable': 'not-comparable'}[cls]
                            if d == k[4]:
                                pairs.append(count_var(rk, e))
                    K.relate(pairs, count_var(rk, k))
        if ind == 'time-in-vo':
            for k in rows:
                if k[3] == 'years' and k[4] == 'no-vo-diploma-yet':
                    K.relate([count_var(rk, k)], count_var(rk, (k[0], k[1], k[2], 'end', 'in-vo', None, None)) or ('zero',))
        if ind == 'stacked-routes':
            for k in rows:
                if k[3] == 'attempt':
                    K.relate([count_var(rk, k)], den_var(rk, (k[0], k[1], k[2], f'attempt {k[4]}')))
    learned = K.solve()
    for v in learned:
        req = next(r for r in reqs if report_key(r) == v[1])
        what = f'cell {list(v[2])}' if v[0] == 'count' else f'denominator {list(v[2:])}'
        problem(req, f'the hidden {what} can be recomputed from shown cells')
    return per, problems

# ---------------------------------------------------------------------------
# Edge cases: a few hand-made learners appended to the generated deliveries, each on a boundary of a
# definition the generated population rarely or never reaches (ages 12 and 23, pro, vso and unknown
# levels, a move down in bovenbouw, repeats under each rule set, stacking on 1 October and after a gap,
# revisions both ways, a test score outside the bands, background changes on the cohort's start,
# corrections in the re-delivery). I is the intake year of the intake cohort the matrix asks for: the
# advice cohort is (I-1)-I and the leerjaar3 cohort (I+2)-(I+3).
# ---------------------------------------------------------------------------

def edge_learners(I, area3, area_root):
    """lid -> learner; rows (t, sector, institution, level, grade) on t's reference date t-10-01."""
    V1, V2, M1, H1, W1 = '98XA', '98XB', '98XM', '98XH', '98XW'

    def bg(birth, gender='f', pe='middle', pw='0', area=None, changes=()):
        recs = [(f'{birth}-01', pw, pe, 'none', area or area3)] + list(changes)
        return {'birth': birth, 'gender': gender, 'bg': recs}

    def adv(level, score='', kind='final', issued=None, year=None):
        y = I - 1 if year is None else year
        return (y, issued or f'{y + 1}-03-01', kind, level, score)

    E = {}
    # bovenbouw: vwo 3 -> havo 4 is a higher grade at a lower level: not success; streams: afstroom, no repeat.
    E['XC0001'] = dict(bg(f'{I - 12}-03'), advice=[adv('vwo', '546')], rows=[
        (I - 1, 'po', 'XP01', '', 8), (I, 'vo', V1, 'vwo', 1), (I + 1, 'vo', V1, 'vwo', 2), (I + 2, 'vo', V1, 'vwo', 3),
        (I + 3, 'vo', V1, 'havo', 4), (I + 4, 'vo', V1, 'havo', 5), (I + 5, 'hbo', H1, 'hbo-ba', 1)],
        diplomas=[(f'{I + 5}-06-20', V1, 'havo')])
    # repeats: havo/vwo 1 -> havo 1 is half-afstroom under monitor (no repeat), gelijk under inspectie (a repeat);
    # havo 3 -> havo 3 a repeat under both; a school switch at the same time.
    E['XC0002'] = dict(bg(f'{I - 12}-05', gender='m'), advice=[adv('havo/vwo', '541')], rows=[
        (I, 'vo', V1, 'havo/vwo', 1), (I + 1, 'vo', V2, 'havo', 1), (I + 2, 'vo', V2, 'havo', 2),
        (I + 3, 'vo', V2, 'havo', 3), (I + 4, 'vo', V2, 'havo', 3), (I + 5, 'vo', V2, 'havo', 4),
        (I + 6, 'vo', V2, 'havo', 5)], diplomas=[(f'{I + 7}-06-15', V2, 'havo')])
    # a VO row at an unknown level in year 3, then gone: not-comparable; an early leaver by SPEC ("a level other
    # than pro and vso").
    E['XC0003'] = dict(bg(f'{I - 12}-01', pe='low', pw='1.2'), advice=[adv('vmbo-t', '530')], rows=[
        (I, 'vo', V1, 'vmbo-t', 1), (I + 1, 'vo', V1, 'vmbo-t', 2), (I + 2, 'vo', V1, 'unknown', 3)], diplomas=[])
    # vso throughout, then gone: outside early-leavers and bovenbouwsucces; not-comparable.
    E['XC0004'] = dict(bg(f'{I - 12}-02'), advice=[adv('vmbo-b', '512')], rows=[
        (I, 'vo', V2, 'vso', 1), (I + 1, 'vo', V2, 'vso', 2), (I + 2, 'vo', V2, 'vso', 3)], diplomas=[])
    # pro throughout, then gone: outside early-leavers and bovenbouwsucces.
    E['XC0005'] = dict(bg(f'{I - 12}-04', gender='m'), advice=[adv('pro', '505')], rows=[
        (I, 'vo', V2, 'pro', 1), (I + 1, 'vo', V2, 'pro', 2), (I + 2, 'vo', V2, 'pro', 3), (I + 3, 'vo', V2, 'pro', 4)],
        diplomas=[])
    # ages on t's reference date in mbo: exactly 23 (out), 22 (in).
    E['XC0006'] = dict(bg(f'{I - 18}-10'), advice=[], rows=[(I + 4, 'mbo', M1, 'mbo-2', 1), (I + 5, 'mbo', M1, 'mbo-2', 2)],
                       diplomas=[])
    E['XC0007'] = dict(bg(f'{I - 18}-11'), advice=[], rows=[(I + 4, 'mbo', M1, 'mbo-2', 1), (I + 5, 'mbo', M1, 'mbo-2', 2)],
                       diplomas=[])
    # ages in VO year 1: exactly 12 (in), 11 (out); both leave after year 1.
    E['XC0008'] = dict(bg(f'{I - 12}-10', gender='x'), advice=[adv('havo', '538')], rows=[
        (I - 1, 'po', 'XP01', '', 8), (I, 'vo', V1, 'havo', 1)], diplomas=[])
    E['XC0009'] = dict(bg(f'{I - 12}-11'), advice=[adv('havo', '538')], rows=[
        (I - 1, 'po', 'XP01', '', 8), (I, 'vo', V1, 'havo', 1)], diplomas=[])
    # no learners.csv record: no birth month (counts), gender and background unknown; no advice (no-advice in the
    # intake and leerjaar3 cohorts).
    E['XC0010'] = dict(birth=None, gender=None, bg=[], advice=[], rows=[
        (I, 'vo', V1, 'vmbo-k', 1), (I + 1, 'vo', V1, 'vmbo-k', 2), (I + 2, 'vo', V1, 'vmbo-k', 3)], diplomas=[])
    # stacking inside VO: vmbo-b diploma, then vmbo-k 4 (an attempt, successful); vmbo-b 4 with a diploma in t is
    # bovenbouw success; then mbo.
    E['XC0011'] = dict(bg(f'{I - 12}-06'), advice=[adv('vmbo-b', '515')], rows=[
        (I, 'vo', V2, 'vmbo-b', 1), (I + 1, 'vo', V2, 'vmbo-b', 2), (I + 2, 'vo', V2, 'vmbo-b', 3),
        (I + 3, 'vo', V2, 'vmbo-b', 4), (I + 4, 'vo', V2, 'vmbo-k', 4), (I + 5, 'mbo', M1, 'mbo-2', 1)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-b'), (f'{I + 5}-06-20', V2, 'vmbo-k')])
    # an mbo-2 diploma, a gap year, then mbo-3: the row on the first reference date after the diploma is missing.
    E['XC0012'] = dict(bg(f'{I - 12}-07'), advice=[adv('vmbo-b/k', '520')], rows=[
        (I, 'vo', V2, 'vmbo-b/k', 1), (I + 1, 'vo', V2, 'vmbo-k', 2), (I + 2, 'vo', V2, 'vmbo-k', 3),
        (I + 3, 'vo', V2, 'vmbo-k', 4), (I + 4, 'mbo', M1, 'mbo-2', 1), (I + 6, 'mbo', M1, 'mbo-3', 1),
        (I + 7, 'mbo', M1, 'mbo-3', 2)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-k'), (f'{I + 5}-06-20', M1, 'mbo-2'), (f'{I + 8}-06-20', M1, 'mbo-3')])
    # an mbo-2 diploma awarded on 1 October, the day of an mbo-3 row: the attempt is on the next reference date.
    E['XC0013'] = dict(bg(f'{I - 12}-08'), advice=[adv('vmbo-k', '527')], rows=[
        (I, 'vo', V2, 'vmbo-k', 1), (I + 1, 'vo', V2, 'vmbo-k', 2), (I + 2, 'vo', V2, 'vmbo-k', 3),
        (I + 3, 'vo', V2, 'vmbo-k', 4), (I + 4, 'mbo', M1, 'mbo-2', 1), (I + 5, 'mbo', M1, 'mbo-3', 1),
        (I + 6, 'mbo', M1, 'mbo-3', 2), (I + 7, 'mbo', M1, 'mbo-3', 3)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-k'), (f'{I + 5}-10-01', M1, 'mbo-2'), (f'{I + 8}-06-20', M1, 'mbo-3')])
    # stacking mbo-2 -> mbo-3 that ends with an mbo-4 diploma and no mbo-3 one.
    E['XC0014'] = dict(bg(f'{I - 12}-09'), advice=[adv('vmbo-k', '527')], rows=[
        (I, 'vo', V2, 'vmbo-k', 1), (I + 1, 'vo', V2, 'vmbo-k', 2), (I + 2, 'vo', V2, 'vmbo-k', 3),
        (I + 3, 'vo', V2, 'vmbo-k', 4), (I + 4, 'mbo', M1, 'mbo-2', 1), (I + 5, 'mbo', M1, 'mbo-3', 1),
        (I + 6, 'mbo', M1, 'mbo-4', 2), (I + 7, 'mbo', M1, 'mbo-4', 3)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-k'), (f'{I + 5}-06-20', M1, 'mbo-2'), (f'{I + 8}-06-20', M1, 'mbo-4')])
    # revisions up then down (flagged); the reference advice differs per rule set; test above the final advice.
    E['XC0016'] = dict(bg(f'{I - 12}-02', pe='low'), advice=[
        adv('vmbo-t', kind='provisional', issued=f'{I}-01-10'), adv('vmbo-t', '540', issued=f'{I}-03-01'),
        adv('havo', kind='revised', issued=f'{I}-05-20'), adv('vmbo-t/havo', kind='revised', issued=f'{I}-06-10')],
        rows=[(I, 'vo', V1, 'vmbo-t/havo', 1), (I + 1, 'vo', V1, 'havo', 2), (I + 2, 'vo', V1, 'havo', 3),
              (I + 3, 'vo', V1, 'havo', 4), (I + 4, 'vo', V1, 'havo', 5)], diplomas=[(f'{I + 5}-06-20', V1, 'havo')])
    # a provisional advice only: no reference advice under either rule set.
    E['XC0017'] = dict(bg(f'{I - 12}-03'), advice=[adv('havo', kind='provisional', issued=f'{I}-01-12')], rows=[
        (I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'havo', 2), (I + 2, 'vo', V1, 'havo', 3)], diplomas=[])
    # a test score outside the bands: no-test.
    E['XC0018'] = dict(bg(f'{I - 12}-04'), advice=[adv('havo', '555')], rows=[
        (I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'havo', 2), (I + 2, 'vo', V1, 'havo', 3)], diplomas=[])
    # a vso advice with a test: not-comparable.
    E['XC0019'] = dict(bg(f'{I - 12}-05'), advice=[adv('vso', '510')], rows=[
        (I, 'vo', V2, 'vmbo-b', 1), (I + 1, 'vo', V2, 'vmbo-b', 2), (I + 2, 'vo', V2, 'vmbo-b', 3)], diplomas=[])
    # background changing on 1 August of the intake year (valid at the intake cohort's start) and a day later.
    E['XC0020'] = dict(bg(f'{I - 12}-06', pe='low', changes=[(f'{I}-08-01', '0', 'high', 'none', area3)]),
                       advice=[adv('havo', '538')], rows=[(I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'havo', 2),
                                                          (I + 2, 'vo', V1, 'havo', 3)], diplomas=[])
    E['XC0021'] = dict(bg(f'{I - 12}-06', pe='low', changes=[(f'{I}-08-02', '0', 'high', 'none', area3)]),
                       advice=[adv('havo', '538')], rows=[(I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'havo', 2),
                                                          (I + 2, 'vo', V1, 'havo', 3)], diplomas=[])
    # living in the root area: area:1 unknown.
    E['XC0022'] = dict(bg(f'{I - 12}-07', area=area_root), advice=[adv('vwo', '547')], rows=[
        (I, 'vo', V1, 'vwo', 1), (I + 1, 'vo', V1, 'vwo', 2), (I + 2, 'vo', V1, 'vwo', 3)], diplomas=[])
    # a havo diploma awarded on 1 October: not a startkwalificatie on that day's reference date.
    E['XC0023'] = dict(bg(f'{I - 12}-08'), advice=[adv('havo', '537')], rows=[
        (I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'havo', 2), (I + 2, 'vo', V1, 'havo', 3),
        (I + 3, 'vo', V1, 'havo', 4), (I + 4, 'vo', V1, 'havo', 5)], diplomas=[(f'{I + 5}-10-01', V1, 'havo')])
    # a year out of school and back: no step across the gap, an early leaver in the year before it.
    E['XC0024'] = dict(bg(f'{I - 12}-09'), advice=[adv('havo', '538')], rows=[
        (I, 'vo', V1, 'havo', 1), (I + 2, 'vo', V1, 'havo', 2), (I + 3, 'vo', V1, 'havo', 3)], diplomas=[])
    # two VO diplomas of equal rank (vmbo-g, then vmbo-t): the earlier is the highest; no stacking between them.
    E['XC0025'] = dict(bg(f'{I - 12}-10'), advice=[adv('vmbo-t', '531')], rows=[
        (I, 'vo', V2, 'vmbo-g', 1), (I + 1, 'vo', V2, 'vmbo-g', 2), (I + 2, 'vo', V2, 'vmbo-g', 3),
        (I + 3, 'vo', V2, 'vmbo-g', 4), (I + 4, 'vo', V2, 'vmbo-t', 4), (I + 5, 'mbo', M1, 'mbo-4', 1)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-g'), (f'{I + 5}-06-20', V2, 'vmbo-t')])
    # a move to vso in bovenbouw: not success; streams not-comparable.
    E['XC0026'] = dict(bg(f'{I - 12}-11'), advice=[adv('vmbo-t', '530')], rows=[
        (I, 'vo', V2, 'vmbo-t', 1), (I + 1, 'vo', V2, 'vmbo-t', 2), (I + 2, 'vo', V2, 'vmbo-t', 3),
        (I + 3, 'vo', V2, 'vso', 4)], diplomas=[])
    # after an mbo diploma: a lower mbo level; and VO again.
    E['XC0027'] = dict(bg(f'{I - 12}-12'), advice=[adv('vmbo-k', '527')], rows=[
        (I, 'vo', V2, 'vmbo-k', 1), (I + 1, 'vo', V2, 'vmbo-k', 2), (I + 2, 'vo', V2, 'vmbo-k', 3),
        (I + 3, 'vo', V2, 'vmbo-k', 4), (I + 4, 'mbo', M1, 'mbo-3', 1), (I + 5, 'mbo', M1, 'mbo-2', 1)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-k'), (f'{I + 5}-06-20', M1, 'mbo-3')])
    E['XC0028'] = dict(bg(f'{I - 12}-01'), advice=[adv('vmbo-t', '532')], rows=[
        (I, 'vo', V2, 'vmbo-t', 1), (I + 1, 'vo', V2, 'vmbo-t', 2), (I + 2, 'vo', V2, 'vmbo-t', 3),
        (I + 3, 'vo', V2, 'vmbo-t', 4), (I + 4, 'mbo', M1, 'mbo-4', 1), (I + 5, 'vo', V1, 'havo', 4)],
        diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-t'), (f'{I + 5}-06-20', M1, 'mbo-4')])
    # a lateral entrant: first VO row in grade 3 (leerjaar3 cohort, in no intake cohort).
    E['XC0029'] = dict(bg(f'{I - 14}-02'), advice=[], rows=[
        (I + 2, 'vo', V1, 'havo', 3), (I + 3, 'vo', V1, 'havo', 4), (I + 4, 'vo', V1, 'havo', 5)],
        diplomas=[(f'{I + 5}-06-20', V1, 'havo')])
    # corrected in the re-delivery (see edge_corrections): the final advice, a diploma's level, a background record.
    E['XC0030'] = dict(bg(f'{I - 12}-03'), advice=[adv('havo', '539')], rows=[
        (I, 'vo', V1, 'havo', 1), (I + 1, 'vo', V1, 'vwo', 2), (I + 2, 'vo', V1, 'vwo', 3)], diplomas=[])
    E['XC0031'] = dict(bg(f'{I - 12}-04', pe='low'), advice=[adv('vmbo-k', '527')], rows=[
        (I, 'vo', V2, 'vmbo-k', 1), (I + 1, 'vo', V2, 'vmbo-k', 2), (I + 2, 'vo', V2, 'vmbo-k', 3),
        (I + 3, 'vo', V2, 'vmbo-k', 4), (I + 4, 'mbo', M1, 'mbo-2', 1)], diplomas=[(f'{I + 4}-06-20', V2, 'vmbo-k')])
    return E


def edge_corrections(I):
    """What the re-delivery corrects for the edge learners (upserts by natural key)."""
    return {
        'advice': [('XC0030', I - 1, f'{I}-03-01', 'final', 'vwo', '539')],
        'diplomas': [('XC0031', f'{I + 4}-06-20', '98XB', 'vmbo-t')],
        'learners': [('XC0031', f'{I - 12}-04', 'f', f'{I - 12}-04-01', '0', 'high', 'none')],
    }


def append_rows(path, header, rows):
    new = not os.path.exists(path)
    with open(path, 'a', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        if new:
            w.writerow(header)
        for r in rows:
            w.writerow(r)


ENR_HEADER = ['learner_id', 'school_year', 'reference_date', 'sector', 'institution', 'branch', 'level', 'grade',
              'programme', 'track']
ADV_HEADER = ['learner_id', 'school_year', 'issued_on', 'po_school', 'kind', 'level', 'test_score']
DIP_HEADER = ['learner_id', 'school_year', 'awarded_on', 'institution', 'level', 'programme']
LRN_HEADER = ['learner_id', 'birth_month', 'gender', 'valid_from', 'pupil_weight', 'parental_education',
              'migration_background', 'area']


def add_edge_cases(d1, d2, I):
    """Append the edge learners to delivery 1 (and their rows on the re-delivered reference dates, plus the
    corrections, to delivery 2)."""
    parent = {r['area']: r['parent_area'] for r in read_csv(os.path.join(d1, 'areas.csv'))}

    def depth(a):
        n = 0
        while parent.get(a):
            a, n = parent[a], n + 1
        return n
    area3 = sorted(a for a in parent if depth(a) == 3)[0]
    root = sorted(a for a in parent if depth(a) == 0)[0]
    redelivered = {r['reference_date'] for r in read_csv(os.path.join(d2, 'enrollments.csv'))}
    last = max(r['reference_date'] for r in read_csv(os.path.join(d1, 'enrollments.csv')))
    enr1, enr2, adv, dip, lrn = [], [], [], [], []
    for lid, L in edge_learners(I, area3, root).items():
        for t, sector, inst, level, grade in L['rows']:
            date = f'{t}-10-01'
            if date > last:
                continue
            track = 'bol' if sector == 'mbo' else ''
            row = [lid, sy_name(t), date, sector, inst, '', level, grade, '', track]
            enr1.append(row)
            if date in redelivered:
                enr2.append(row)
        for y, issued, kind, level, score in L['advice']:
            adv.append([lid, sy_name(y), issued, 'XP01', kind, level, score])
        for awarded, inst, level in L['diplomas']:
            dip.append([lid, sy_name(school_year_start(awarded)), awarded, inst, level, ''])
        for vf, pw, pe, mig, area in L['bg']:
            lrn.append([lid, L['birth'], L['gender'], vf, pw, pe, mig, area])
    append_rows(os.path.join(d1, 'enrollments.csv'), ENR_HEADER, enr1)
    append_rows(os.path.join(d1, 'advice.csv'), ADV_HEADER, adv)
    append_rows(os.path.join(d1, 'diplomas.csv'), DIP_HEADER, dip)
    append_rows(os.path.join(d1, 'learners.csv'), LRN_HEADER, lrn)
    append_rows(os.path.join(d2, 'enrollments.csv'), ENR_HEADER, enr2)
    fix = edge_corrections(I)
    append_rows(os.path.join(d2, 'advice.csv'), ADV_HEADER,
                [[lid, sy_name(y), issued, 'XP01', kind, level, score] for lid, y, issued, kind, level, score in fix['advice']])
    append_rows(os.path.join(d2, 'diplomas.csv'), DIP_HEADER,
                [[lid, sy_name(school_year_start(a)), a, inst, level, ''] for lid, a, inst, level in fix['diplomas']])
    append_rows(os.path.join(d2, 'learners.csv'), LRN_HEADER, [list(r) + [area3] for r in fix['learners']])
    return len(edge_learners(I, area3, root))

# ---------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------

BREAKDOWNS = [[], ['gender'], ['parental_education'], ['area:1']]
RULES = ['monitor', 'inspectie']


def matrix(first_intake, quick):
    """Requests as (edition, req). Cohorts: advice A-(A+1), intake A+1, leerjaar3 A+3, with A the first
    intake year of the generated population (each then has cohorts before and after it).

    Full: every indicator x scope (per-year indicators: everyone too) x rule set x breakdown x edition.
    Quick: every indicator x scope once, the rule set alternating and the breakdown rotating with the
    scope (so every indicator runs under both rule sets), and each indicator once more as known on the
    earlier date, under a rotating scope, rule set and breakdown."""
    cohorts = [('advice', first_intake), ('intake', first_intake + 1), ('leerjaar3', first_intake + 3)]
    out = []
    for n, ind in enumerate(INDICATORS):
        scopes = ([('everyone', None)] if ind in PER_YEAR_INDICATORS else []) + cohorts
        for si, (ctype, year) in enumerate(scopes):
            for ri, rules in enumerate(RULES):
                for bi, by in enumerate(BREAKDOWNS):
                    req = {'indicator': ind, 'rules': rules, 'ctype': ctype, 'cohort': year, 'by': by}
                    if not quick:
                        out += [('live', req), ('known-on', req)]
                        continue
                    if ri == (si + n) % 2 and bi == (si + n) % 4:
                        out.append(('live', req))
                    if si == n % len(scopes) and ri == (n + 1) % 2 and bi == (n + 1) % 4:
                        out.append(('known-on', req))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--generate', type=int, metavar='N', help='learners to generate (at most 3000 here)', required=True)
    ap.add_argument('--seed', default='5')
    ap.add_argument('--cohorts', default='2012-2016', help="the generator's intake years A-B (default 2012-2016)")
    ap.add_argument('--quick', action='store_true', help='a rotated matrix: every indicator, scope, rule set, '
                    'breakdown and edition, not every combination')
    ap.add_argument('--work', help='keep the generated data and the database in this directory')
    ap.add_argument('--no-edge-cases', action='store_true', help='only the generated learners, without the '
                    'hand-made ones on the boundaries of the definitions')
    ap.add_argument('--spec', action='store_true', help="compare under the SPEC's reading of every listed "
                    'disagreement too (their cells then count as differing)')
    ap.add_argument('--only', help='comma-separated indicators to check')
    ap.add_argument('--show', type=int, default=6, help='differing cells to print per indicator')
    ap.add_argument('--reuse', action='store_true', help='with --work: reuse its data, database and reports '
                    '(the reports of the same requests), to iterate on this file')
    args = ap.parse_args()
    if args.reuse and not args.work:
        ap.error('--reuse needs --work')

    work = args.work or tempfile.mkdtemp(prefix='crosscheck-')
    os.makedirs(work, exist_ok=True)
    d1, d2, db = os.path.join(work, 'delivery-1'), os.path.join(work, 'delivery-2'), os.path.join(work, 'p.sqlite')
    cache = os.path.join(work, 'reports.json')
    reuse = args.reuse and os.path.exists(db)
    for p in (() if reuse else (d1, d2)):
        shutil.rmtree(p, ignore_errors=True)
    for p in (() if reuse else (db, db + '-wal', db + '-shm', cache)):
        if os.path.exists(p):
            os.remove(p)
    if not reuse:
        shutil.rmtree(os.path.join(work, 'p.views'), ignore_errors=True)
    t0 = time.time()
    try:
        first_intake = int(args.cohorts.split('-')[0])
        if not reuse:
            run_cli(['generate', '--out', d1, '--learners', str(args.generate), '--seed', str(args.seed),
                     '--cohorts', args.cohorts, '--redelivery', d2, '--quiet', '--json'])
            if not args.no_edge_cases:
                add_edge_cases(d1, d2, first_intake + 1)
        with open(os.path.join(d1, 'manifest.json')) as f:
            y = int(json.load(f)['referenceDates']['last'][:4])
        # The first delivery is known after its last reference date; the corrected re-delivery months later;
        # the earlier edition is asked for in between.
        known1, as_known_on, known2 = f'{y}-12-01', f'{y + 1}-02-01', f'{y + 1}-04-01'
        if not reuse:
            for d, k in ((d1, known1), (d2, known2)):
                summary = json.loads(run_cli(['import', d, '--db', db, '--known-at', k, '--quiet', '--json']))
                if summary['import']['rejected']:
                    sys.exit(f'the import of {d} rejected {summary["import"]["rejected"]} row(s): '
                             f'{summary["import"]["rejectsByReason"]} (see {summary["import"]["rejectsFile"]})')
        print(f'generated {args.generate} learners (seed {args.seed}), imported 2 deliveries '
              f'(known at {known1}, {known2}; edition as known on {as_known_on}) in {time.time() - t0:.0f}s')

        editions = {'live': Data([d1, d2]), 'known-on': Data([d1])}
        reqs = matrix(first_intake, args.quick)
        if args.only:
            keep = set(args.only.split(','))
            reqs = [(e, r) for e, r in reqs if r['indicator'] in keep]
        argvs = [cli_args(r, db, as_known_on if e == 'known-on' else None) for e, r in reqs]
        t1 = time.time()
        cached = {}
        if reuse and os.path.exists(cache):
            with open(cache) as f:
                cached = {json.dumps(a): o for a, o in json.load(f)}
        todo = [a for a in argvs if json.dumps(a) not in cached]
        if todo:
            cached.update({json.dumps(a): o for a, o in zip(todo, run_batch(todo))})
        if args.work:
            with open(cache, 'w') as f:
                json.dump([[json.loads(k), o] for k, o in cached.items()], f)
        outs = [cached[json.dumps(a)] for a in argvs]
        print(f'{len(reqs)} reports ({len(todo)} run) in {time.time() - t1:.0f}s')
        t1 = time.time()

        # The batch runs the CLI's report command; a sample, run as a user runs it, must print the same bytes.
        sample = sorted({len(argvs) // 2} if args.quick else {0, len(argvs) // 2, len(argvs) - 1})
        for i in sample:
            if run_cli(['report'] + argvs[i]) != outs[i]['stdout']:
                sys.exit(f'the CLI and reports.ts printed different reports for: {" ".join(argvs[i])}')
        print(f'{len(sample)} of them through the CLI as well, the same bytes ({time.time() - t1:.0f}s)')

        reports = []
        for (edition, req), argv, out in zip(reqs, argvs, outs):
            if out['code'] != 0:
                print(f'  FAILED: pathways report {" ".join(argv)}\n    {out["stderr"].strip()}')
                reports.append(None)
            else:
                reports.append(engine_cells(json.loads(out['stdout'])))

        def check(names, show):
            """Per indicator: [reports, cells compared, cells differing] over the requests of `names`."""
            per = {ind: [0, 0, 0] for ind in INDICATORS}
            shown = Counter()
            for (edition, req), argv, theirs in zip(reqs, argvs, reports):
                if req['indicator'] not in names:
                    continue
                s = per[req['indicator']]
                s[0] += 1
                if theirs is None:
                    s[2] += 1
                    continue
                n, bad = differences(compute(editions[edition], req), theirs)
                s[1] += n
                s[2] += len(bad)
                for k, m, t in bad[:max(0, show - shown[req['indicator']])]:
                    shown[req['indicator']] += 1
                    print(f'  {req["indicator"]} [{" ".join(argv[1:3] + argv[8:])}]\n'
                          f'     cell {list(k)}\n     python {m}\n     engine {t}')
            return per

        if args.spec:
            for name in READING:
                READING[name] = 'spec'
        per = check(set(INDICATORS), args.show)
        print(f'\n{"indicator":<20}{"reports":>8}{"cells":>10}{"differ":>8}')
        for ind in INDICATORS:
            r, n, b = per[ind]
            if r:
                print(f'{ind:<20}{r:>8}{n:>10}{b:>8}')
        total = [sum(v[i] for v in per.values()) for i in range(3)]
        print(f'{"total":<20}{total[0]:>8}{total[1]:>10}{total[2]:>8}')

        # Suppression (SPEC 9): the published reports, by their properties.
        sreqs = suppression_matrix(first_intake, args.quick)
        if args.only:
            sreqs = [r for r in sreqs if r['indicator'] in keep]
        sargv = [cli_args(r, db, None, suppressed=True) for r in sreqs]
        t2 = time.time()
        todo = [a for a in sargv if json.dumps(a) not in cached]
        if todo:
            cached.update({json.dumps(a): o for a, o in zip(todo, run_batch(todo))})
        if args.work:
            with open(cache, 'w') as f:
                json.dump([[json.loads(k), o] for k, o in cached.items()], f)
        published = [json.loads(cached[json.dumps(a)]['stdout']) if cached[json.dumps(a)]['code'] == 0 else None
                     for a in sargv]
        sper, sproblems = check_suppression(editions['live'], sreqs, published, 10)
        for line in sproblems[:args.show * 4]:
            print(line)
        print(f'\nsuppression (SPEC 9, minCell 10), {len(sreqs)} published reports ({len(todo)} run) in '
              f'{time.time() - t2:.0f}s\n{"indicator":<20}{"reports":>8}{"hidden":>10}{"wrong":>8}')
        for ind in INDICATORS:
            r, n, b = sper[ind]
            if r:
                print(f'{ind:<20}{r:>8}{n:>10}{b:>8}')
        stotal = [sum(v[i] for v in sper.values()) for i in range(3)]
        print(f'{"total":<20}{stotal[0]:>8}{stotal[1]:>10}{stotal[2]:>8}')

        if not args.spec:
            print('\ndisagreements with the SPEC (compared above in the engine\'s reading; here the cells the '
                  'SPEC\'s reading moves):')
            for name, d in DISAGREEMENTS.items():
                READING[name] = 'spec'
                moved = check(set(d['indicators']), 0)
                READING[name] = 'engine'
                cells = sum(moved[i][2] for i in d['indicators'])
                print(f'  {name}: {cells} cell(s) differ under the SPEC\'s reading'
                      f'{"" if cells else " (not reached by this population)"}\n'
                      f'    SPEC:   {d["spec"]}\n    engine: {d["engine"]}')
        print(f'done in {time.time() - t0:.0f}s')
        return 1 if total[2] or stotal[2] else 0
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
