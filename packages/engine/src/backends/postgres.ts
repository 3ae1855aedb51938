import type { Backend } from './backend.js';

export async function openPostgresBackend(_url: string): Promise<Backend> {
  throw new Error('TODO: PostgreSQL backend being integrated');
}
