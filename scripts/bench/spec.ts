/**
 * A request named on the command line of the bench scripts:
 * `indicator[:dim,dim]` (`school-profile:pupil_weight,advice`). Split at the
 * first colon only: a breakdown may hold one (`outcome:area:1,gender`).
 */
export function parseSpec(spec: string): { indicator: string; by: string[] } {
  const at = spec.indexOf(':');
  return at < 0 ? { indicator: spec, by: [] } : { indicator: spec.slice(0, at), by: spec.slice(at + 1).split(',') };
}

export const specOf = (indicator: string, by: readonly string[]): string => (by.length ? `${indicator}:${by.join(',')}` : indicator);
