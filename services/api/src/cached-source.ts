/** The per-checkpoint cache now lives with the PathwaySource contract, so the engine (and every caller) has it. */
export { cachedPathwaySource } from '@leerroutes/pathway';
