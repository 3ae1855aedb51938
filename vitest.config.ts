import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * The default reporter only counts skipped tests. A test that skips itself for
 * a reason (`ctx.skip(reason)`, e.g. the browser tests on a machine without
 * Chromium) is named here with the reason, so a green run says what it left out.
 */
const skipReasons: Reporter = {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const lines = modules.flatMap((m) =>
      [...m.children.allTests('skipped')].flatMap((t) => {
        const result = t.result();
        return result.state === 'skipped' && result.note ? [`  ${m.relativeModuleId} > ${t.fullName}: ${result.note}`] : [];
      }),
    );
    if (lines.length) process.stdout.write(`\nSkipped, with the reason:\n${lines.join('\n')}\n\n`);
  },
};

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'projections/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['tests/support/fast-check-seed.ts'],
    reporters: ['default', skipReasons],
  },
});
