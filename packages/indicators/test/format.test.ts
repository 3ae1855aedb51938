import { describe, expect, it } from 'vitest';
import { formatReport, type Report } from '../src/index.js';

const report: Report = {
  request: { indicator: 'early-leavers', cohortType: 'advice', cohort: null, rules: 'monitor', by: ['area'] },
  ruleSet: { name: 'monitor', version: 1 },
  rows: [
    { group: { area: 'Zuid, oost', sector: 'vo' }, offset: null, schoolYear: '2014-2015', family: 'early-leaver', category: 'early-leaver', count: 12, denominator: 340, percent: 3.5, suppressed: false, suppression: null },
    { group: { area: 'Noord', sector: 'mbo' }, offset: null, schoolYear: '2014-2015', family: 'early-leaver', category: 'early-leaver', count: null, denominator: 80, percent: null, suppressed: true, suppression: 'primary' },
  ],
  source: { kind: 'views', checkpoint: 42 },
  minCell: 10,
  suppressed: true,
};

describe('formatReport', () => {
  it('csv: group dimensions (requested, then extra keys) as their own columns, quoted when needed, empty for null', () => {
    expect(formatReport(report, 'csv')).toBe([
      'area,sector,offset,school_year,family,category,count,denominator,percent,suppressed,suppression',
      '"Zuid, oost",vo,,2014-2015,early-leaver,early-leaver,12,340,3.5,false,',
      'Noord,mbo,,2014-2015,early-leaver,early-leaver,,80,,true,primary',
      '',
    ].join('\n'));
  });

  it('csv: transitions carry from and to columns', () => {
    const t: Report = { ...report, request: { ...report.request, indicator: 'transitions', by: [] }, rows: [
      { group: {}, offset: 3, schoolYear: null, from: 'vo:havo', to: 'hbo', family: 'transition', category: 'vo:havo -> hbo', count: 20, denominator: 100, percent: 20, suppressed: false, suppression: null },
    ] };
    expect(formatReport(t, 'csv').split('\n')[1]).toBe('3,,vo:havo,hbo,transition,vo:havo -> hbo,20,100,20,false,');
  });

  it('table warns when hidden cells can be worked out, and says nothing when none can', () => {
    expect(formatReport({ ...report, unprotected: 3 }, 'table')).toContain('WARNING: 3 small hidden cells of this early-leavers table by area can be worked out from tables with fewer or coarser breakdowns');
    expect(formatReport({ ...report, unprotected: 0 }, 'table')).not.toContain('WARNING');
    expect(formatReport(report, 'table')).not.toContain('WARNING');
  });

  it('json round-trips; table marks suppressed cells with *', () => {
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(report);
    const table = formatReport(report, 'table');
    expect(table).toContain('early-leavers — everyone — rules monitor v1 — by area');
    expect(table).toContain('source: views at position 42; cells under 10 suppressed (*)');
    const edition = formatReport({ ...report, source: { kind: 'views', checkpoint: 42, asKnownOn: '2017-06-01', asOfSchoolYear: '2015-2016' } }, 'table');
    expect(edition).toContain('source: views at position 42, as known on 2017-06-01, facts up to school year 2015-2016;');
    expect(table).toMatch(/Noord\s+mbo\s+2014-2015\s+early-leaver\s+early-leaver\s+\*\s+80\s+\*\s+yes\s+primary/);
  });
});
