import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/registry.js';

describe('the command registry', () => {
  it('lists each command once, under the name its module gives it, with usage text', async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const entry of COMMANDS) {
      const { command } = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.usage).toMatch(new RegExp(`pnpm pathways ${entry.name}`));
    }
  });
});
