import { fromStored, isEventType, type EventData } from '@leerroutes/domain';
import type { AreaInfo, InstitutionInfo, PathwayInputEvent, ReferenceData } from './types.js';

/** Fold AreaDefined / InstitutionDefined events (any order) into reference data; the latest definition wins. */
export function foldReferenceData(events: readonly PathwayInputEvent[]): ReferenceData {
  const areas = new Map<string, AreaInfo>();
  const institutions = new Map<string, InstitutionInfo>();
  const sorted = [...events].sort((a, b) => a.position - b.position);
  for (const e of sorted) {
    if (e.type !== 'AreaDefined' && e.type !== 'InstitutionDefined') continue;
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
    } else {
      const i = data as EventData<'InstitutionDefined'>;
      institutions.set(i.institution, { name: i.name, board: i.board, municipality: i.municipality, kind: i.kind });
    }
  }
  return { areas, institutions };
}

export const emptyReferenceData = (): ReferenceData => ({ areas: new Map(), institutions: new Map() });

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
