import cliProgress from 'cli-progress';
import type { CommandContext } from './command.js';

/**
 * Progress for long work: a bar on a terminal, a line every few seconds in a
 * log (CI, a pipe), nothing with --quiet or --no-progress. Always on stderr so
 * stdout stays machine-readable.
 */
export interface Progress {
  /** `unit` names what value and total count, where a step counts other things than the command's default (KiB read, then learners). */
  update(value: number, total: number, label: string, unit?: string): void;
  stop(): void;
}

export function createProgress(ctx: CommandContext, unit: string): Progress {
  if (ctx.flags['quiet'] || ctx.flags['no-progress']) return { update() {}, stop() {} };
  const stream = ctx.stderr as NodeJS.WriteStream;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: ` {label} [{bar}] {percentage}% | {value}/{total} {unit} | {duration_formatted} elapsed, ETA {eta_formatted}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let lastLabel = '';
    return {
      update(value, total, label, stepUnit = unit) {
        if (!started || label !== lastLabel) {
          if (started) bar.stop();
          bar.start(total, value, { label, unit: stepUnit });
          started = true;
          lastLabel = label;
        } else {
          bar.setTotal(total);
          bar.update(value, { label, unit: stepUnit });
        }
      },
      stop() { if (started) bar.stop(); },
    };
  }
  let last = 0;
  let lastLabel = '';
  return {
    update(value, total, label, stepUnit = unit) {
      const now = Date.now();
      if (label === lastLabel && now - last < 5000 && value < total) return;
      last = now;
      lastLabel = label;
      stream.write(`${label}: ${value}/${total} ${stepUnit} (${total > 0 ? Math.floor((100 * value) / total) : 100}%)\n`);
    },
    stop() {},
  };
}
