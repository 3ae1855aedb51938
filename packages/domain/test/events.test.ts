import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, decodeEvent, EVENT_SCHEMAS, EVENT_TYPES } from '../src/index.js';

const base = { learnerId: 'L1', occurredOn: '2012-03-01', schoolYear: '2011-2012', source: { system: 'test' } };

describe('event schemas and upcasting', () => {
  it('has a schema and a current version for every event of SPEC section 4', () => {
    for (const t of ['LearnerRegistered', 'BackgroundRecorded', 'TestScoreRecorded', 'AdviceGiven', 'AdviceRevised', 'Placed', 'Promoted', 'Repeated',
      'LevelChanged', 'SchoolSwitched', 'DiplomaAwarded', 'NextEducationStarted', 'LeftEducation', 'ReEntered', 'Retracted']) {
      expect(EVENT_TYPES).toContain(t);
      expect(EVENT_SCHEMAS[t as keyof typeof EVENT_SCHEMAS]).toBeDefined();
      expect(CURRENT_SCHEMA_VERSION[t as keyof typeof CURRENT_SCHEMA_VERSION]).toBeGreaterThanOrEqual(1);
    }
  });

  it('upcasts an AdviceGiven v1 (advice as registered text) to v2 (normalised level with its span) on read', () => {
    const v1 = { ...base, kind: 'final', level: 'HAVO/VWO', poSchool: '01PO' };
    const decoded = decodeEvent('AdviceGiven', 1, v1);
    expect(decoded).toEqual(E.right({ type: 'AdviceGiven', data: { ...base, kind: 'final', level: { code: 'havo/vwo', span: { low: 4, high: 5 } }, poSchool: '01PO' } }));
    // The stored v1 payload is not touched.
    expect(v1.level).toBe('HAVO/VWO');
  });

  it('keeps an unreadable v1 advice as an unranked level rather than guessing', () => {
    const decoded = decodeEvent('AdviceGiven', 1, { ...base, kind: 'final', level: 'kopklas', poSchool: '01PO' });
    expect(E.isRight(decoded) && decoded.right.data).toMatchObject({ level: { code: 'kopklas', span: null } });
  });

  it('refuses unknown types, future versions and invalid payloads with typed errors', () => {
    expect(decodeEvent('Teleported', 1, {})).toMatchObject({ left: { kind: 'UnknownEventType' } });
    expect(decodeEvent('Placed', 9, {})).toMatchObject({ left: { kind: 'UnsupportedSchemaVersion' } });
    const bad = decodeEvent('LearnerRegistered', 1, { ...base, birthMonth: '2000-13-01', gender: 'm' });
    expect(E.isLeft(bad) && bad.left.kind).toBe('InvalidEventData');
  });
});
