import { UsageError, type OptionSpec } from './command.js';

export interface ParsedArgs {
  readonly args: string[];
  readonly flags: Record<string, string | boolean>;
}

/**
 * `--option value`, `--option=value`, `--switch`; everything else is
 * positional, and after `--` everything is. Strict, because an option that is
 * ignored turns a typo into a different answer printed as if it had been asked
 * for: an option not in `options`, a switch given a value, a valued option
 * without one, an option given twice and more than `maxArgs` positional
 * arguments are usage errors.
 */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[], maxArgs: number): ParsedArgs {
  const byName = new Map(options.map((o) => [o.name, o]));
  const args: string[] = [];
  const flags: Record<string, string | boolean> = {};
  // The switch just before a stray positional, which is most likely its intended value.
  let lastSwitch: string | undefined;
  const set = (name: string, value: string | boolean) => {
    if (name in flags) throw new UsageError(`--${name} is given more than once`);
    flags[name] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const given = eq > 0 ? a.slice(0, eq) : a;
      const name = given.replace(/^--?/, '');
      const spec = given.startsWith('--') ? byName.get(name) : undefined;
      if (!spec) throw new UsageError(unknownOption(given, name, options));
      lastSwitch = undefined;
      if (!spec.value) {
        if (eq > 0) throw new UsageError(`--${name} is a switch and takes no value (got '${a.slice(eq + 1)}')`);
        set(name, true);
        lastSwitch = name;
        continue;
      }
      const value = eq > 0 ? a.slice(eq + 1) : argv[i + 1];
      // An empty value is usually an unset shell variable; a following option means the value was left out.
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value (${spec.value})`);
      if (eq < 0) i++;
      set(name, value);
      continue;
    }
    if (args.length >= maxArgs) {
      const hint = lastSwitch ? `: --${lastSwitch} is a switch and takes no value` : maxArgs === 0 ? ': this command takes only options' : '';
      throw new UsageError(`unexpected argument '${a}'${hint}`);
    }
    args.push(a);
    lastSwitch = undefined;
  }
  return { args, flags };
}

function unknownOption(given: string, name: string, options: readonly OptionSpec[]): string {
  const guess = suggestOption(name, options.map((o) => o.name));
  return `unknown option ${given}${guess ? ` (did you mean --${guess}?)` : ''}`;
}

/**
 * The declared option a mistyped one most likely meant: the same up to case and
 * `_` for `-` (`--cohort_type`), the only option it abbreviates (`--as-known`),
 * or the nearest by edit distance within a typo or two (`--unsupressed`).
 */
export function suggestOption(given: string, names: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '-');
  const g = norm(given);
  if (g === '') return undefined;
  const same = names.find((n) => norm(n) === g);
  if (same) return same;
  const extending = names.filter((n) => n.startsWith(g));
  if (g.length >= 3 && extending.length === 1) return extending[0];
  const allowed = g.length <= 4 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const n of names) {
    const distance = editDistance(g, n);
    if (distance <= allowed && (!best || distance < best.distance)) best = { name: n, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
