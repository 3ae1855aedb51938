import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { ReportError, parseReportRequest } from '../src/index.js';
import { oracleReport } from '../src/oracle/index.js';
import { createMemoryPathwaySource } from '@leerroutes/pathway';
import { noStore } from './helpers.js';

describe('parseReportRequest', () => {
  it('accepts CLI-shaped input with kebab-case keys and a comma list', () => {
    const r = parseReportRequest({ indicator: 'advice-position', 'cohort-type': 'intake', cohort: '2012-2013', rules: 'inspectie', by: 'area:2,gender', 'as-known-on': '2017-06-01', unsuppressed: 'true' });
    expect(r).toEqual(E.right({ indicator: 'advice-position', cohortType: 'intake', cohort: '2012-2013', rules: 'inspectie', by: ['area:2', 'gender'], asKnownOn: '2017-06-01', unsuppressed: true }));
  });

  it('defaults: advice cohorts under the monitor rules, no breakdown', () => {
    expect(parseReportRequest({ indicator: 'outcome', cohort: '2011-2012' })).toEqual(E.right({ indicator: 'outcome', cohortType: 'advice', cohort: '2011-2012', rules: 'monitor', by: [] }));
  });

  it.each([
    [{ indicator: 'nope', cohort: '2011-2012' }, /indicator/],
    [{ indicator: 'outcome', cohort: '2011' }, /school year/],
    [{ indicator: 'outcome', cohort: '2011-2013' }, /school year/],
    [{ indicator: 'outcome' }, /needs a cohort/],
    [{ indicator: 'outcome', cohort: '2011-2012', rules: 'cbs' }, /rule set/],
    [{ indicator: 'outcome', cohort: '2011-2012', by: 'postcode' }, /unknown dimension/],
    [{ indicator: 'outcome', cohort: '2011-2012', by: 'gender:2' }, /only area/],
    [{ indicator: 'outcome', cohort: '2011-2012', by: 'gender,area,advice' }, /at most two/],
    [{ indicator: 'outcome', cohort: '2011-2012', by: 'gender,gender' }, /repeated/],
    [{ indicator: 'outcome', cohort: '2011-2012', asKnownOn: '2017-13-01' }, /as-known-on/],
    [{ indicator: 'outcome', cohort: '2011-2012', 'cohort-type': 'birth' }, /cohort type must be one of advice, intake, leerjaar3/],
    // One message per mistake.
    [{ indicator: 'outcome', cohort: '2011-2012', 'min-cell': '-1' }, /^minCell: min cell is never below 5$/],
    [{ indicator: 'outcome', cohort: '2011-2012', 'min-cell': '4' }, /^minCell: min cell is never below 5$/],
    [{ indicator: 'outcome', cohort: '2011-2012', 'min-cell': 'ten' }, /^minCell: min cell must be a whole number$/],
    [{ indicator: 'outcome', cohort: '2011-2012', 'min-cell': '10000' }, /^minCell: min cell is at most 9999$/],
  ])('refuses %j', (input, message) => {
    const r = parseReportRequest(input as Record<string, unknown>);
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) expect(r.left.join('; ')).toMatch(message);
  });

  it('early-leavers and the per-school-year indicators may run without a cohort', () => {
    for (const indicator of ['early-leavers', 'bovenbouwsucces', 'onderbouwsnelheid', 'after-mbo', 'vmbo-mbo-loss', 'school-profile']) {
      expect(E.isRight(parseReportRequest({ indicator })), indicator).toBe(true);
    }
    for (const indicator of ['advice-test', 'advice-revisions', 'time-in-vo', 'flows']) {
      expect(E.isLeft(parseReportRequest({ indicator })), indicator).toBe(true);
    }
  });

  it('leerjaar3 cohorts, the new dimensions, and level only per school year', () => {
    expect(parseReportRequest({ indicator: 'advice-position', 'cohort-type': 'leerjaar3', cohort: '2016-2017', by: 'school_group,school_weight_group' }))
      .toEqual(E.right({ indicator: 'advice-position', cohortType: 'leerjaar3', cohort: '2016-2017', rules: 'monitor', by: ['school_group', 'school_weight_group'] }));
    expect(E.isRight(parseReportRequest({ indicator: 'early-leavers', by: 'level' }))).toBe(true);
    const refused = parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', by: 'level' });
    expect(E.isLeft(refused) && refused.left.join()).toMatch(/level is a breakdown of the per-school-year indicators only/);
    const areas = parseReportRequest({ indicator: 'outcome', cohort: '2011-2012', by: 'area:1,area:2' });
    expect(E.isLeft(areas) && areas.left.join()).toMatch(/at most one area breakdown/);
  });

  it('oracleReport refuses a hand-built bad request with a ReportError', async () => {
    const deps = { pathways: createMemoryPathwaySource([]), store: noStore };
    const bad = { indicator: 'outcome', cohortType: 'advice', cohort: '2011-2012', rules: 'cbs', by: [] } as const;
    await expect(oracleReport(bad, deps)).rejects.toMatchObject({ name: 'ReportError', code: 'not-found' });
    await expect(oracleReport({ ...bad, rules: 'monitor', by: ['postcode'] }, deps)).rejects.toBeInstanceOf(ReportError);
    await expect(oracleReport({ ...bad, rules: 'monitor', indicator: 'x' as never }, deps)).rejects.toMatchObject({ code: 'not-found' });
  });
});
