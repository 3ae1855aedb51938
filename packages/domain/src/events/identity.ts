/**
 * Stream names. Each learner has one stream; reference data and the erasure
 * audit have their own.
 */
export const learnerStream = (learnerId: string): string => `learner-${learnerId}`;
export const learnerIdOfStream = (stream: string): string | null => (stream.startsWith('learner-') ? stream.slice(8) : null);
export const AREAS_STREAM = 'reference-areas';
export const INSTITUTIONS_STREAM = 'reference-institutions';
export const SCHOOL_GROUPS_STREAM = 'reference-school-groups';
/** The import's record of complete counts: one ReferenceDateCovered per reference date, the first time it is delivered. */
export const COVERAGE_STREAM = 'reference-coverage';
export const ERASURE_AUDIT_STREAM = 'audit-erasures';
