import type { Kysely } from 'kysely';
import { fromStored } from '@leerroutes/domain';
import type { RecordedEvent } from '@leerroutes/event-store';
import type { ReferenceData } from '@leerroutes/pathway';
import { insertChunked, listViewTables, type Projection } from '@leerroutes/projection-runtime/kit';

/**
 * The area hierarchy and the institutions with their board, from the
 * AreaDefined / InstitutionDefined events of the reference streams. A later
 * definition of the same code replaces the earlier one.
 */
export const REFERENCE_AREA = 'reference_area';
export const REFERENCE_INSTITUTION = 'reference_institution';

type AreaRow = { area: string; name: string; parent: string | null };
type InstitutionRow = { institution: string; name: string; board: string | null; municipality: string | null; kind: string | null };

interface Definitions { readonly areas: readonly AreaRow[]; readonly institutions: readonly InstitutionRow[] }

function definitionsOf(batch: readonly RecordedEvent[]): Definitions {
  // Keyed maps: within a batch, too, the last definition wins.
  const areas = new Map<string, AreaRow>();
  const institutions = new Map<string, InstitutionRow>();
  for (const e of batch) {
    if (e.type !== 'AreaDefined' && e.type !== 'InstitutionDefined') continue;
    const event = fromStored(e.type, e.schemaVersion, e.data as Record<string, unknown>);
    if (event.type === 'AreaDefined') {
      const { area, name, parent } = event.data;
      areas.set(area, { area, name, parent });
    } else if (event.type === 'InstitutionDefined') {
      const { institution, name, board, municipality, kind } = event.data;
      institutions.set(institution, { institution, name, board, municipality, kind });
    }
  }
  return { areas: [...areas.values()], institutions: [...institutions.values()] };
}

/** Definitions of consecutive slices as one: a later slice's definition of a code wins. */
function latestOf(parts: readonly Definitions[]): Definitions {
  const areas = new Map<string, AreaRow>();
  const institutions = new Map<string, InstitutionRow>();
  for (const p of parts) {
    for (const a of p.areas) areas.set(a.area, a);
    for (const i of p.institutions) institutions.set(i.institution, i);
  }
  return { areas: [...areas.values()], institutions: [...institutions.values()] };
}

export const referenceData: Projection = {
  name: 'reference-data',
  version: 1,
  tables: [REFERENCE_AREA, REFERENCE_INSTITUTION],

  async createTables(db, t) {
    await db.schema
      .createTable(t(REFERENCE_AREA))
      .addColumn('area', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('parent', 'text')
      .execute();
    await db.schema
      .createTable(t(REFERENCE_INSTITUTION))
      .addColumn('institution', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('board', 'text')
      .addColumn('municipality', 'text')
      .addColumn('kind', 'text')
      .execute();
  },

  prepare: async (batch) => definitionsOf(batch),
  combine: (parts) => latestOf(parts as readonly Definitions[]),

  async apply(batch, { db, t, prepared }) {
    const { areas, institutions } = (prepared as Definitions | undefined) ?? definitionsOf(batch);
    await insertChunked(db, t(REFERENCE_AREA), areas, (q) =>
      q.onConflict((oc) => oc.column('area').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), parent: eb.ref('excluded.parent') }))),
    );
    await insertChunked(db, t(REFERENCE_INSTITUTION), institutions, (q) =>
      q.onConflict((oc) =>
        oc.column('institution').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          board: eb.ref('excluded.board'),
          municipality: eb.ref('excluded.municipality'),
          kind: eb.ref('excluded.kind'),
        })),
      ),
    );
  },
};

/** The live reference tables as the pathway contract's ReferenceData (empty before the first catch-up). */
export async function readReferenceData(db: Kysely<any>): Promise<ReferenceData> {
  const tables = await listViewTables(db);
  const exists = (table: string) => tables.has(table);
  const areas = new Map<string, { name: string; parent: string | null }>();
  const institutions = new Map<string, { name: string; board: string | null; municipality: string | null; kind: string | null }>();
  if (exists(REFERENCE_AREA)) {
    for (const r of await db.selectFrom(REFERENCE_AREA).selectAll().orderBy('area').execute()) areas.set(r.area, { name: r.name, parent: r.parent });
  }
  if (exists(REFERENCE_INSTITUTION)) {
    for (const r of await db.selectFrom(REFERENCE_INSTITUTION).selectAll().orderBy('institution').execute()) {
      institutions.set(r.institution, { name: r.name, board: r.board, municipality: r.municipality, kind: r.kind });
    }
  }
  return { areas, institutions };
}
