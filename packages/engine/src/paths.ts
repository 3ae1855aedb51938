/**
 * Where the engine's files live unless told otherwise. Its own module, so
 * the CLI can name the defaults without loading the engine.
 */

/** The read models: a directory next to the log, `data/pathways.sqlite` -> `data/pathways.views/`. */
export const defaultViewsPath = (db: string): string => db.replace(/(\.sqlite)?$/, '.views');

export { isPostgresUrl, redactUrl } from '@leerroutes/event-store/location';
