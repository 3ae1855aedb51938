# An independent implementation of SPEC 6 straight from the registration CSVs,
# compared cell by cell with `pnpm pathways report ... --format json --unsuppressed`.
# Usage (from the repository root, after importing DIR into DB):
#   python3 packages/indicators/crosscheck/crosscheck.py DIR DB [extra report flags, e.g. --as-known-on 2021-06-01]
# Covers advice-position (also by pupil weight), outcome, streams, distribution,
# onderbouwsnelheid and bovenbouwsucces of advice cohort
# 2011-2012 under both rule sets, and early-leavers over everyone.
import csv, json, subprocess, sys
from collections import defaultdict, Counter
D = sys.argv[1]; DB = sys.argv[2]
BASE = {'pro':0,'vmbo-b':1,'vmbo-k':2,'vmbo-g':3,'vmbo-t':3,'havo':4,'vwo':5,'mavo':3,'vmbo-tl':3,'atheneum':5,'gymnasium':5,'vmbo-gt':3}
SUF = {'b':1,'k':2,'g':3,'t':3}
def span(code):
    code = code.strip().lower()
    if code in ('vso','unknown',''): return None
    rs = []
    for part in code.split('/'):
        if part in BASE: rs.append(BASE[part])
        elif part in SUF: rs.append(SUF[part])
        else: return None
    return (min(rs), max(rs))
def cmp(f, t):
    if f == t: return 'gelijk'
    if t[0] > f[1]: return 'opstroom'
    if t[1] < f[0]: return 'afstroom'
    a, b = t[0]+t[1], f[0]+f[1]
    return 'half-opstroom' if a > b else 'half-afstroom' if a < b else 'gelijk'
def classify(rules, f, t):
    if f is None or t is None: return 'not-comparable'
    if rules == 'inspectie': f, t = (f[0], f[0]), (t[0], t[0])
    return cmp(f, t)
rows = defaultdict(list); adv = defaultdict(list); dip = defaultdict(list); lrn = {}
for r in csv.DictReader(open(f'{D}/enrollments.csv')): rows[r['learner_id']].append(r)
for r in csv.DictReader(open(f'{D}/advice.csv')): adv[r['learner_id']].append(r)
for r in csv.DictReader(open(f'{D}/diplomas.csv')): dip[r['learner_id']].append(r)
bgs = defaultdict(list)
for r in csv.DictReader(open(f'{D}/learners.csv')):
    bgs[r['learner_id']].append(r)
    if r['learner_id'] not in lrn or r['valid_from'] < lrn[r['learner_id']]['valid_from']: lrn[r['learner_id']] = r
def weight_at(l, date):
    v = [r for r in sorted(bgs[l], key=lambda r: r['valid_from']) if r['valid_from'] <= date]
    return (v[-1]['pupil_weight'] or 'unknown') if v else 'unknown'
covered = sorted({r['reference_date'] for rs in rows.values() for r in rs})
KORD = {'provisional':0,'final':1,'revised':2}
def ref_advice(l, rules):
    a = sorted(adv[l], key=lambda r: (r['issued_on'], KORD[r['kind']]))
    if rules == 'inspectie':
        f = [r for r in a if r['kind'] == 'final']; return f[0] if f else None
    f = [r for r in a if r['kind'] in ('final','revised')]; return f[-1] if f else None
VOD = {'vmbo-b':1,'vmbo-k':2,'vmbo-g':3,'vmbo-t':3,'havo':4,'vwo':5}
NORM = {'atheneum':'vwo','gymnasium':'vwo','mavo':'vmbo-t','mavo/havo':'vmbo-t/havo','vmbo-tl':'vmbo-t'}
SK = {'havo','vwo','mbo-2','mbo-3','mbo-4'}
def sy(d): y=int(d[:4]); return y if d[5:] >= '08-01' else y-1
def report(args):
    out = subprocess.run(['pnpm','-s','pathways','report',*args,*(sys.argv[3:]),'--db',DB,'--format','json','--unsuppressed'], capture_output=True, text=True, cwd='/work/main')
    return {(json.dumps(r['group'],sort_keys=True), r['offset'], r['schoolYear'], r['category']): (r['count'], r['denominator']) for r in json.loads(out.stdout)['rows']}
problems = 0
def compare(name, mine, theirs):
    global problems
    keys = set(mine) | set(theirs)
    bad = [(k, mine.get(k), theirs.get(k)) for k in sorted(keys, key=str) if (mine.get(k) or (0, None))[0] != (theirs.get(k) or (0, None))[0] or (mine.get(k) and theirs.get(k) and mine[k][1] != theirs[k][1])]
    bad = [b for b in bad if not (b[1] is None and b[2][0] == 0) and not (b[2] is None and b[1][0] == 0)]
    print(f'{name}: {len(keys)} cells, {len(bad)} differ'); problems += len(bad)
    for b in bad[:8]: print('   ', b)
G = json.dumps({})
for rules in ('monitor','inspectie'):
    cohort = [l for l in set(rows)|set(adv) if ref_advice(l, rules) and ref_advice(l, rules)['school_year'] == '2011-2012']
    # advice-position
    c = Counter(); n = 0
    for l in cohort:
        y3 = sorted([r for r in rows[l] if r['sector']=='vo' and r['grade']=='3'], key=lambda r: r['reference_date'])
        if not y3: continue
        n += 1; c[classify(rules, span(ref_advice(l, rules)['level']), span(y3[0]['level']))] += 1
    compare(f'advice-position {rules}', report(['advice-position','--cohort','2011-2012','--rules',rules]), {(G,None,None,k):(v,n) for k,v in c.items()})
    # advice-position by pupil weight valid at the cohort's start (1 August 2011)
    c = Counter(); den = Counter()
    for l in cohort:
        y3 = sorted([r for r in rows[l] if r['sector']=='vo' and r['grade']=='3'], key=lambda r: r['reference_date'])
        if not y3: continue
        w = weight_at(l, '2011-08-01'); den[w] += 1
        c[(w, classify(rules, span(ref_advice(l, rules)['level']), span(y3[0]['level'])))] += 1
    compare(f'advice-position by pupil_weight {rules}', report(['advice-position','--cohort','2011-2012','--rules',rules,'--by','pupil_weight']),
            {(json.dumps({'pupil_weight': k[0]}),None,None,k[1]):(v,den[k[0]]) for k,v in c.items()})
    # onderbouwsnelheid and bovenbouwsucces
    ob = Counter(); obd = Counter(); bb = Counter(); bbd = Counter(); cov = {sy(d) for d in covered}
    for l in cohort:
        vo = {sy(r['reference_date']): r for r in rows[l] if r['sector']=='vo'}
        for t, r in vo.items():
            g = int(r['grade']); nxt = vo.get(t+1)
            if g in (1, 2) and nxt:
                obd[t] += 1
                if int(nxt['grade']) > g: ob[t] += 1
            sp = span(r['level'])
            if sp is None or sp[1] == 0 or t+1 not in cov: continue
            upper = (3 <= g <= 4) if sp[1] <= 3 else (4 <= g <= 5) if sp[1] == 4 else (4 <= g <= 6)
            if not upper: continue
            bbd[t] += 1
            if (nxt and int(nxt['grade']) > g) or any(d['level'] in VOD and d['school_year'] == f'{t}-{t+1}' for d in dip[l]): bb[t] += 1
    compare(f'onderbouwsnelheid {rules}', report(['onderbouwsnelheid','--cohort','2011-2012','--rules',rules]), {(G,None,f'{t}-{t+1}','promoted'):(ob[t],obd[t]) for t in obd})
    compare(f'bovenbouwsucces {rules}', report(['bovenbouwsucces','--cohort','2011-2012','--rules',rules]), {(G,None,f'{t}-{t+1}','success'):(bb[t],bbd[t]) for t in bbd})
    # outcome
    c = Counter()
    for l in cohort:
        vd = [d for d in dip[l] if d['level'] in VOD]
        if not vd: c['no-vo-diploma'] += 1; continue
        best = max(vd, key=lambda d: VOD[d['level']])
        c[classify(rules, span(ref_advice(l, rules)['level']), span(best['level']))] += 1
    compare(f'outcome {rules}', report(['outcome','--cohort','2011-2012','--rules',rules]), {(G,None,None,k):(v,len(cohort)) for k,v in c.items()})
    # streams (class family + repeated + switched)
    c = Counter(); den = Counter()
    for l in cohort:
        vo = sorted([r for r in rows[l] if r['sector']=='vo'], key=lambda r: r['reference_date'])
        for a, b in zip(vo, vo[1:]):
            if sy(b['reference_date']) - sy(a['reference_date']) != 1: continue
            k = sy(a['reference_date']) - 2011; den[k] += 1
            if any(d['level'] in VOD and d['school_year'] == a['school_year'] for d in dip[l]): c[(k,'stacked')] += 1; continue
            c[(k, classify(rules, span(a['level']), span(b['level'])))] += 1
            if int(b['grade']) <= int(a['grade']): c[(k,'repeated')] += 1
            if a['institution'] != b['institution']: c[(k,'switched-school')] += 1
    compare(f'streams {rules}', report(['streams','--cohort','2011-2012','--rules',rules]), {(G,k[0],None,k[1]):(v,den[k[0]]) for k,v in c.items()})
    # distribution
    newest = covered[-1]; K = sy(newest) - 2011; c = Counter()
    for l in cohort:
        rs = sorted(rows[l], key=lambda r: r['reference_date'])
        for k in range(0, K+1):
            date = f'{2011+k}-10-01'
            row = [r for r in rs if sy(r['reference_date']) == 2011+k]
            if row:
                r = row[0]; s = {'vo': 'vo:'+NORM.get(r['level'], r['level']), 'mbo': r['level'], 'hbo':'hbo','wo':'wo','po':'po'}[r['sector']]
            elif date > newest: s = 'unknown'
            elif not rs or rs[0]['reference_date'] > date: s = 'po'
            else: s = 'left-with-startkwalificatie' if any(d['awarded_on'] < date and d['level'] in SK for d in dip[l]) else 'left-without-startkwalificatie'
            c[(k, s)] += 1
    compare(f'distribution {rules} (raw codes)', report(['distribution','--cohort','2011-2012','--rules',rules]), {(G,k[0],None,k[1]):(v,len(cohort)) for k,v in c.items()})
# early-leavers over everyone
c = Counter(); den = Counter(); cov = {sy(d) for d in covered}
for l, rs in rows.items():
    bm = lrn.get(l, {}).get('birth_month')
    for r in rs:
        if r['sector'] not in ('vo','mbo'): continue
        t = sy(r['reference_date'])
        if t+1 not in cov: continue
        if bm:
            age = int(r['reference_date'][:4]) - int(bm[:4]) - (1 if int(r['reference_date'][5:7]) < int(bm[5:7]) else 0)
            if age >= 23: continue
        key = (f'{t}-{t+1}', r['sector']); den[key] += 1
        nxt = [x for x in rs if sy(x['reference_date']) == t+1]
        if not nxt and not any(d['awarded_on'] < f'{t+1}-10-01' and d['level'] in SK for d in dip[l]): c[key] += 1
compare('early-leavers', report(['early-leavers']), {(json.dumps({'sector':k[1]}),None,k[0],'early-leaver'):(c[k],den[k]) for k in den})
print('problems', problems)
