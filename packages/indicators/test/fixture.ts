/**
 * A small cohort whose indicator values are computed by hand from SPEC 6 in
 * the tests' comments. Advice cohort 2011-2012 (final advice 2012-02-01),
 * intake cohort 2012-2013. Every learner's background is valid from
 * 2011-08-01; L1's changes on 2012-01-01 (after the advice cohort's start,
 * before the intake cohort's).
 *
 *  L1  havo, steady: havo 1-5 (VO1), havo diploma 2017, hbo 2017-2018
 *  L2  vmbo-k, repeater: k1, k2, k2, k3, k4 (VO2), vmbo-k diploma 2017, mbo-3 2017-2018
 *  L3  vmbo-t, stacker: t1-t4 (VO2), vmbo-t diploma 2016, havo 4-5 (VO1), havo diploma 2018, hbo 2018
 *  L4  vwo, down two levels while switching school: vwo 1 (VO1) -> vmbo-t 2 (VO2), t3, t4,
 *      vmbo-t diploma 2016, mbo-4 2016-2017, mbo-4 diploma 2018, hbo 2018 (vmbo -> mbo-4 -> hbo)
 *  L5  dual advice vmbo-t/havo revised to havo: vmbo-t/havo 1, havo 2-5, havo 5 again, havo diploma 2018, no row 2018
 *  L6  vmbo-b, early leaver who re-enters: b1-b3 (VO3), no row 2015, mbo-1 2016, mbo-2 2017, no row 2018
 *  L7  dual advice havo/vwo: havo/vwo 1, vwo 2-6 (VO1), vwo diploma 2018, wo 2018
 *  L8  no advice (intake cohort only): vmbo-b/k 1, b2-b4 (VO3), vmbo-b diploma 2016, mbo-2 2016-2017, mbo-2 diploma 2018
 *  L9  advice cohort 2012-2013 (outside both cohorts): havo 1-5 from 2013, havo 5 again 2018
 *  L11 havo, lateral entrant: first VO row havo 2 in 2013 (no intake cohort), havo diploma 2017, hbo 2017-2018
 *  L12 born 1990 (23 on 2013-10-01): mbo-2 2013 only
 *
 * Covered reference dates (rows of anyone): 2012-10-01 .. 2018-10-01.
 */
import { TestLog } from '@leerroutes/pathway/testing';
import { foldPathway } from '@leerroutes/pathway';

/**
 * With `withL10`: L10 repeated groep 8 and got two final advices: vmbo-t on
 * 2011-03-01 (school year 2010-2011) and havo on 2012-02-01. Under inspectie
 * (first final) L10 is in advice cohort 2010-2011, under monitor (latest) in
 * 2011-2012. Rows: havo 1-3 (VO1) 2012-2014, then none (left in 2015).
 */
export function buildFixture(options: { withL10?: boolean; covered?: boolean } = {}): TestLog {
  const log = new TestLog();
  log.area('NL', null);
  log.area('RDAM', 'NL');
  log.area('ZUID', 'RDAM');
  log.area('NOORD', 'RDAM');
  log.area('UTR', 'NL');
  log.institution('VO1', 'BOARD-A');
  log.institution('VO2', 'BOARD-A');
  log.institution('VO3', 'BOARD-B');

  const bg = (l: ReturnType<TestLog['learner']>, weight: 0 | 0.3 | 1.2, area: string, education: 'low' | 'middle' | 'high' = 'middle') =>
    l.background('2011-08-01', { pupilWeight: weight, parentalEducation: education, migrationBackground: 'none', area });

  const L1 = log.learner('L1');
  L1.registered('2000-01', 'f');
  bg(L1, 0, 'NOORD', 'high');
  L1.background('2012-01-01', { pupilWeight: 0.3, parentalEducation: 'high', migrationBackground: 'none', area: 'NOORD' });
  L1.advice('2012-02-01', 'final', 'havo');
  for (let g = 1; g <= 5; g++) L1.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
  L1.diploma('2017-06-30', 'havo', 'VO1');
  L1.row('2017-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ba', grade: 1 });
  L1.row('2018-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ba', grade: 2 });

  const L2 = log.learner('L2');
  L2.registered('2000-01', 'm');
  bg(L2, 1.2, 'ZUID', 'low');
  L2.advice('2012-02-01', 'final', 'vmbo-k', 'PO2');
  L2.row('2012-10-01', { institution: 'VO2', level: 'vmbo-k', grade: 1 });
  L2.row('2013-10-01', { institution: 'VO2', level: 'vmbo-k', grade: 2 });
  L2.row('2014-10-01', { institution: 'VO2', level: 'vmbo-k', grade: 2 });
  L2.row('2015-10-01', { institution: 'VO2', level: 'vmbo-k', grade: 3 });
  L2.row('2016-10-01', { institution: 'VO2', level: 'vmbo-k', grade: 4 });
  L2.diploma('2017-06-30', 'vmbo-k', 'VO2');
  L2.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-3', grade: 1, track: 'bol' });
  L2.row('2018-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-3', grade: 2, track: 'bol' });

  const L3 = log.learner('L3');
  L3.registered('2000-01', 'f');
  bg(L3, 0.3, 'ZUID', 'low');
  L3.advice('2012-02-01', 'final', 'vmbo-t', 'PO2');
  for (let g = 1; g <= 4; g++) L3.row(`${2011 + g}-10-01`, { institution: 'VO2', level: 'vmbo-t', grade: g });
  L3.diploma('2016-06-30', 'vmbo-t', 'VO2');
  L3.row('2016-10-01', { institution: 'VO1', level: 'havo', grade: 4 });
  L3.row('2017-10-01', { institution: 'VO1', level: 'havo', grade: 5 });
  L3.diploma('2018-06-30', 'havo', 'VO1');
  L3.row('2018-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ba', grade: 1 });

  const L4 = log.learner('L4');
  L4.registered('2000-01', 'm');
  bg(L4, 0, 'UTR');
  L4.advice('2012-02-01', 'final', 'vwo');
  L4.row('2012-10-01', { institution: 'VO1', level: 'vwo', grade: 1 });
  L4.row('2013-10-01', { institution: 'VO2', level: 'vmbo-t', grade: 2 });
  L4.row('2014-10-01', { institution: 'VO2', level: 'vmbo-t', grade: 3 });
  L4.row('2015-10-01', { institution: 'VO2', level: 'vmbo-t', grade: 4 });
  L4.diploma('2016-06-30', 'vmbo-t', 'VO2');
  L4.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-4', grade: 1, track: 'bol' });
  L4.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-4', grade: 2, track: 'bol' });
  L4.diploma('2018-06-30', 'mbo-4', 'ROC');
  L4.row('2018-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ba', grade: 1 });

  const L5 = log.learner('L5');
  L5.registered('2000-01', 'f');
  bg(L5, 0.3, 'ZUID', 'low');
  L5.advice('2012-02-01', 'final', 'vmbo-t/havo');
  L5.revised('2012-05-15', 'vmbo-t/havo', 'havo');
  L5.row('2012-10-01', { institution: 'VO2', level: 'vmbo-t/havo', grade: 1 });
  for (let g = 2; g <= 5; g++) L5.row(`${2011 + g}-10-01`, { institution: 'VO2', level: 'havo', grade: g });
  L5.row('2017-10-01', { institution: 'VO2', level: 'havo', grade: 5 });
  L5.diploma('2018-06-30', 'havo', 'VO2');
  L5.left('2018-10-01', true);

  const L6 = log.learner('L6');
  L6.registered('1999-05', 'm');
  bg(L6, 1.2, 'ZUID', 'low');
  L6.advice('2012-02-01', 'final', 'vmbo-b', 'PO2');
  for (let g = 1; g <= 3; g++) L6.row(`${2011 + g}-10-01`, { institution: 'VO3', level: 'vmbo-b', grade: g });
  L6.left('2015-10-01', false);
  L6.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-1', grade: 1, track: 'bbl' });
  L6.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1, track: 'bbl' });
  L6.left('2018-10-01', false);

  const L7 = log.learner('L7');
  L7.registered('2000-01', 'f');
  bg(L7, 0, 'NOORD', 'high');
  L7.advice('2012-02-01', 'final', 'havo/vwo');
  L7.row('2012-10-01', { institution: 'VO1', level: 'havo/vwo', grade: 1 });
  for (let g = 2; g <= 6; g++) L7.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'vwo', grade: g });
  L7.diploma('2018-06-30', 'vwo', 'VO1');
  L7.row('2018-10-01', { sector: 'wo', institution: 'UNI', level: 'wo-ba', grade: 1 });

  const L8 = log.learner('L8');
  L8.registered('2000-01', 'm');
  bg(L8, 1.2, 'ZUID', 'low');
  L8.row('2012-10-01', { institution: 'VO3', level: 'vmbo-b/k', grade: 1 });
  for (let g = 2; g <= 4; g++) L8.row(`${2011 + g}-10-01`, { institution: 'VO3', level: 'vmbo-b', grade: g });
  L8.diploma('2016-06-30', 'vmbo-b', 'VO3');
  L8.row('2016-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1, track: 'bol' });
  L8.row('2017-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 2, track: 'bol' });
  L8.diploma('2018-06-30', 'mbo-2', 'ROC');
  L8.left('2018-10-01', true);

  const L9 = log.learner('L9');
  L9.registered('2001-01', 'x');
  bg(L9, 0, 'UTR');
  L9.advice('2013-02-01', 'final', 'havo');
  for (let g = 1; g <= 5; g++) L9.row(`${2012 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
  L9.row('2018-10-01', { institution: 'VO1', level: 'havo', grade: 5 });

  const L11 = log.learner('L11');
  L11.registered('2000-01', 'm');
  bg(L11, 0, 'NOORD');
  L11.advice('2012-02-01', 'final', 'havo');
  for (let g = 2; g <= 5; g++) L11.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
  L11.diploma('2017-06-30', 'havo', 'VO1');
  L11.row('2017-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ad', grade: 1 });
  L11.row('2018-10-01', { sector: 'hbo', institution: 'HS1', level: 'hbo-ad', grade: 2 });

  const L12 = log.learner('L12');
  L12.registered('1990-01', 'f');
  L12.row('2013-10-01', { sector: 'mbo', institution: 'ROC', level: 'mbo-2', grade: 1, track: 'bbl' });
  L12.left('2014-10-01', false);

  if (options.withL10) {
    const L10 = log.learner('L10');
    L10.registered('2000-01', 'f');
    bg(L10, 0, 'NOORD');
    L10.advice('2011-03-01', 'final', 'vmbo-t');
    L10.advice('2012-02-01', 'final', 'havo');
    for (let g = 1; g <= 3; g++) L10.row(`${2011 + g}-10-01`, { institution: 'VO1', level: 'havo', grade: g });
    L10.left('2015-10-01', false);
  }
  // The import records each reference date delivered as a complete count; here, unless told not to, every date someone has a row on.
  if (options.covered === false) return log;
  const dates = new Set(log.learnerIds().flatMap((id) => foldPathway(id, log.eventsOf(id)).timeline.map((r) => r.referenceDate)));
  for (const d of [...dates].sort()) log.covered(d);
  return log;
}
