import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERASURE_AUDIT_STREAM, learnerStream } from '@leerroutes/domain';
import { dumpViews, forgetLearner, listGenerations, openDuckDbViews, rebuild } from '@leerroutes/projection-runtime';
import { defaultProjections } from '@leerroutes/projections';
import { openEngine, type Engine } from '../src/index.js';
import { writeTwoLearners } from './support/two-learners.js';

describe('erasing a learner', () => {
  let root: string;
  let engine: Engine;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'leerroutes-erase-'));
    const dir = writeTwoLearners(join(root, 'delivery'));
    engine = await openEngine({ db: join(root, 'p.sqlite') });
    await engine.importDirectory(dir);
  });
  afterEach(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('removes the events, the facts and every view row, and audits without the learner id', async () => {
    expect(await engine.dump(['views'])).toContain('GONE');
    expect(await engine.learner('GONE')).not.toBeNull();
    const receipt = await engine.eraseLearner('GONE', 'request under GDPR art. 17', 'test');
    // Events: registered, background, advice, placed, level changed (vwo -> havo), promoted.
    // Facts: one learners.csv row, one advice row, two enrolment rows.
    expect(receipt).toMatchObject({ eventsRemoved: 6, factsRemoved: 4 });

    expect(await engine.store.readStream(learnerStream('GONE'))).toEqual([]);
    const ledger = new Database(engine.dbPath, { readonly: true });
    for (const t of ['ledger_enrolment', 'ledger_advice', 'ledger_learner']) {
      expect(ledger.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE learner_id = 'GONE'`).get(), t).toEqual({ n: 0 });
    }
    ledger.close();

    // No view row mentions the learner; the other learner is untouched.
    const live = await engine.dump(['views']);
    expect(live).not.toContain('GONE');
    expect(live).toContain('KEEP');
    expect(await engine.learner('KEEP')).not.toBeNull();
    expect(await engine.learner('GONE')).toBeNull();

    // The views equal a rebuild from the log as it now is.
    const fresh = await openDuckDbViews(join(root, 'fresh.views'));
    await rebuild({ store: engine.store, views: fresh, projections: defaultProjections() });
    const rebuilt = await fresh.reader.snapshot((db) => dumpViews(db, defaultProjections()));
    expect(`## views\n${rebuilt}`).toBe(live);
    await fresh.close();
    // Published as generations next to the log: the import's, the erasure's, and the catch-up of its audit record.
    expect(engine.viewsPath).toBe(join(root, 'p.views'));
    expect(listGenerations(engine.viewsPath)).toEqual(['gen-000003.duckdb']);

    const audit = await engine.store.readStream(ERASURE_AUDIT_STREAM);
    expect(audit.map((e) => e.type)).toEqual(['LearnerErased']);
    expect(JSON.stringify(audit[0])).not.toContain('GONE');
    expect(audit[0]!.data).toMatchObject({ erasureId: receipt!.erasureId, reason: 'request under GDPR art. 17', eventsRemoved: 6 });
  });

  it('killed after the views forgot the learner, run again, leaves what an uninterrupted erasure leaves', async () => {
    // The first run got as far as publishing the views without the learner; the log still holds the stream.
    const events = await engine.store.readStream(learnerStream('GONE'));
    const [checkpoint, version] = [await engine.checkpoint(), await engine.version()];
    await forgetLearner({ views: engine.views, store: engine.store, projections: defaultProjections(), learnerId: 'GONE', events });
    expect(await engine.store.readStream(learnerStream('GONE'))).toHaveLength(events.length);
    // The same checkpoint, other views: what readers key their caches by must say so.
    expect(await engine.checkpoint()).toBe(checkpoint);
    expect(await engine.version()).not.toBe(version);
    // Run again, it forgets again: counts that went down once must not go down twice.
    expect(await engine.eraseLearner('GONE', 'request under GDPR art. 17', 'test')).toMatchObject({ eventsRemoved: 6 });
    const live = await engine.dump(['views']);
    expect(live).not.toContain('GONE');
    const fresh = await openDuckDbViews(join(root, 'fresh.views'));
    await rebuild({ store: engine.store, views: fresh, projections: defaultProjections() });
    expect(`## views\n${await fresh.reader.snapshot((db) => dumpViews(db, defaultProjections()))}`).toBe(live);
    await fresh.close();
  });

  it('says so when the learner is unknown', async () => {
    expect(await engine.eraseLearner('NOBODY', 'test', 'test')).toBeNull();
    expect(await engine.store.readStream(ERASURE_AUDIT_STREAM)).toEqual([]);
  });
});
