/** A delivery the import refuses, or a log it cannot import into: the message says what to do. */
export class ImportError extends Error {}
