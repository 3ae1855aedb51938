import { fromStored, isEventType, type EventData } from '@leerroutes/domain';
import type { AreaInfo, InstitutionInfo, PathwayInputEvent, ReferenceData, SchoolGroupMembership } from './types.js';

const REFERENCE_TYPES = new Set(['AreaDefined', 'InstitutionDefined', 'SchoolGroupDefined']);

/**
 * Fold AreaDefined / InstitutionDefined / SchoolGroupDefined events (any
 * order) into reference data; the latest definition wins (a membership is
 * keyed as the import keys it: institution, group and valid-from).
 */
export function foldReferenceData(events: readonly PathwayInputEvent[]): ReferenceData {
  const areas = new Map<string, AreaInfo>();
  const institutions = new Map<string, InstitutionInfo>();
  const memberships = new Map<string, { institution: string } & SchoolGroupMembership>();
  const sorted = [...events].sort((a, b) => a.position - b.position);
  for (const e of sorted) {
    if (!REFERENCE_TYPES.has(e.type)) continue;
    if (!isEventType(e.type)) continue;
    let data: unknown;
    try {
      data = fromStored(e.type, e.schemaVersion, (e.data ?? {}) as Record<string, unknown>).data;
    } catch {
      continue;
    }
    if (e.type === 'AreaDefined') {
      const a = data as EventData<'AreaDefined'>;
      areas.set(a.area, { name: a.name, parent: a.parent });
    } else if (e.type === 'InstitutionDefined') {
      const i = data as EventData<'InstitutionDefined'>;
      institutions.set(i.institution, { name: i.name, board: i.board, municipality: i.municipality, kind: i.kind });
    } else {
      const g = data as EventData<'SchoolGroupDefined'>;
      memberships.set(JSON.stringify([g.institution, g.group, g.validFrom]), { institution: g.institution, group: g.group, validFrom: g.validFrom, validTo: g.validTo });
    }
  }
  const schoolGroups = new Map<string, SchoolGroupMembership[]>();
  for (const { institution, ...m } of memberships.values()) {
    const list = schoolGroups.get(institution);
    if (list) list.push(m);
    else schoolGroups.set(institution, [m]);
  }
  return { areas, institutions, schoolGroups };
}

export const emptyReferenceData = (): ReferenceData => ({ areas: new Map(), institutions: new Map(), schoolGroups: new Map() });

/** The school group value of an institution on a date: `none` outside every group; in several at once, the alphabetically first. */
export function schoolGroupOn(ref: ReferenceData, institution: string, date: string): string {
  let found: string | null = null;
  for (const m of ref.schoolGroups?.get(institution) ?? []) {
    if (m.validFrom <= date && (m.validTo === null || date <= m.validTo) && (found === null || m.group < found)) found = m.group;
  }
  return found ?? 'none';
}

/**
 * The area's chain from the root down to itself (`area:0` is the root). The
 * reference data's hierarchy is used when it knows the area; otherwise the
 * parents recorded with the learner's background (nearest parent first).
 */
export function areaChain(ref: ReferenceData, area: { readonly code: string; readonly parents: readonly string[] }): string[] {
  if (ref.areas.has(area.code)) {
    const chain: string[] = [];
    const seen = new Set<string>();
    let cur: string | null = area.code;
    while (cur !== null && !seen.has(cur)) {
      seen.add(cur);
      chain.push(cur);
      cur = ref.areas.get(cur)?.parent ?? null;
    }
    return chain.reverse();
  }
  return [area.code, ...area.parents].reverse();
}
