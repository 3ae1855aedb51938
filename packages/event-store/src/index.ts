export * from './port.js';
export * from './event-id.js';
