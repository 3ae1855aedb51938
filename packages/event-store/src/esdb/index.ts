export { openEsdbEventStore } from './store.js';
export type { EsdbEventStore } from './store.js';
