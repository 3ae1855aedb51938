import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/sqlite-ledger.js';

describe('the ledger of an earlier version', () => {
  it('is rewritten compactly, and the learners of a delivery that never finished are derived again', () => {
    const db = new Database(':memory:');
    db.exec(`
      CREATE TABLE ledger_enrolment (learner_id TEXT NOT NULL, reference_date TEXT NOT NULL, content TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, reference_date)) WITHOUT ROWID;
      CREATE INDEX ledger_enrolment_by_date ON ledger_enrolment (reference_date, delivery);
      CREATE TABLE ledger_advice (learner_id TEXT NOT NULL, school_year TEXT NOT NULL, kind TEXT NOT NULL, issued_on TEXT NOT NULL, content TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, school_year, kind, issued_on)) WITHOUT ROWID;
      CREATE TABLE ledger_diploma (learner_id TEXT NOT NULL, school_year TEXT NOT NULL, institution TEXT NOT NULL, awarded_on TEXT NOT NULL, content TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, school_year, institution, awarded_on)) WITHOUT ROWID;
      CREATE TABLE ledger_learner (learner_id TEXT NOT NULL, valid_from TEXT NOT NULL, content TEXT NOT NULL, source TEXT NOT NULL, delivery INTEGER NOT NULL, PRIMARY KEY (learner_id, valid_from)) WITHOUT ROWID;
      CREATE TABLE ledger_covered (reference_date TEXT PRIMARY KEY, delivery INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE ledger_delivery (id INTEGER PRIMARY KEY, dir TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, known_at TEXT, summary TEXT);
      INSERT INTO ledger_delivery VALUES (1, '/d1', '2023-11-01T10:00:00.000Z', '2023-11-01T10:05:00.000Z', '2023-11-01T00:00:00.000Z', '{}');
      INSERT INTO ledger_delivery VALUES (2, '/d2', '2024-11-01T10:00:00.000Z', NULL, NULL, NULL);
      INSERT INTO ledger_enrolment VALUES ('A', '2012-10-01', '{"referenceDate":"2012-10-01","schoolYear":"2012-2013","sector":"vo","institution":"10AA","branch":null,"level":{"code":"havo/vwo","span":{"low":4,"high":5}},"grade":1,"programme":null,"track":null}', '{"system":"import","file":"enrollments.csv","line":2}', 1);
      INSERT INTO ledger_enrolment VALUES ('B', '2013-10-01', '{"referenceDate":"2013-10-01","schoolYear":"2013-2014","sector":"mbo","institution":"ROC","branch":null,"level":{"code":"mbo-2","span":{"low":2,"high":2}},"grade":1,"programme":"25100","track":"bbl"}', '{"system":"import","file":"enrollments.csv","line":7}', 2);
      INSERT INTO ledger_advice VALUES ('A', '2011-2012', 'final', '2012-03-01', '{"schoolYear":"2011-2012","issuedOn":"2012-03-01","poSchool":"01PO","kind":"final","level":{"code":"havo","span":{"low":4,"high":4}},"testScore":538}', '{"system":"import","file":"advice.csv","line":3}', 1);
    `);
    const ledger = new Ledger(db);
    const facts = ledger.loadFacts(['A', 'B']);
    expect(facts.get('A')!.enrolments).toEqual([{
      referenceDate: '2012-10-01', schoolYear: '2012-2013', sector: 'vo', institution: '10AA', branch: null, level: { code: 'havo/vwo', span: { low: 4, high: 5 } },
      grade: 1, programme: null, track: null, source: { system: 'import', file: 'enrollments.csv', line: 2 },
    }]);
    expect(facts.get('A')!.advice[0]).toMatchObject({ kind: 'final', level: { code: 'havo' }, testScore: 538, poSchool: '01PO' });
    expect(facts.get('B')!.enrolments[0]).toMatchObject({ sector: 'mbo', level: { code: 'mbo-2' }, programme: '25100', track: 'bbl' });
    // Delivery 2 never finished: its learner may have been lost, so it is derived again by the next import.
    expect(ledger.unfinished()).toMatchObject({ id: 2, state: 'deriving', knownAt: '2024-11-01T10:00:00.000Z' });
    expect(ledger.nextPending(2, 10)).toEqual(['B']);
    expect(ledger.delivery(1).state).toBe('finished');
    // Compact content: the cells after the key, no JSON.
    expect(db.prepare("SELECT content FROM ledger_enrolment WHERE learner_id = 'A'").pluck().get()).toBe(['2012-2013', 'vo', '10AA', '', 'havo/vwo', '1', '', ''].join('\u001f'));
    db.close();
  });
});
