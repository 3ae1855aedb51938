import type { Projection } from '@leerroutes/projection-runtime';
import { eventCounts } from '@leerroutes/projection-event-counts';
import { referenceData } from '@leerroutes/projection-reference-data';
import { statistics } from '@leerroutes/projection-statistics';

/**
 * Every projection the engine keeps current, in the order they are applied
 * to each batch. Adding a projection is one folder under projections/ and one
 * line here (plus its package in this package's dependencies).
 */
export const PROJECTIONS: readonly Projection[] = [
  referenceData,
  statistics,
  eventCounts,
];

export const defaultProjections = (): readonly Projection[] => PROJECTIONS;

export function projectionNamed(name: string): Projection | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}

export { STATISTICS } from '@leerroutes/projection-statistics';
export { REFERENCE_AREA, REFERENCE_INSTITUTION } from '@leerroutes/projection-reference-data';

/** The module a rebuild's worker thread builds its log and projections from (rebuild-source.ts); .ts when running from source. */
export const REBUILD_SOURCE = new URL(`./rebuild-source.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
