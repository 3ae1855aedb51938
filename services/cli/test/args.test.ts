import { describe, expect, it } from 'vitest';
import { editDistance, parseArgs, suggestOption } from '../src/args.js';
import { UsageError, type OptionSpec } from '../src/command.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'cohort', value: 'YEAR', description: '' },
  { name: 'cohort-type', value: 'advice|intake', description: '' },
  { name: 'as-known-on', value: 'DATE', description: '' },
  { name: 'as-of', value: 'YEAR', description: '' },
  { name: 'min-cell', value: 'N', description: '' },
  { name: 'unsuppressed', description: '' },
  { name: 'json', description: '' },
];

const parse = (argv: string[], maxArgs = 1) => parseArgs(argv, OPTIONS, maxArgs);
const refusal = (argv: string[], maxArgs = 1): string => {
  try {
    parse(argv, maxArgs);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('parseArgs', () => {
  it('takes declared options with the value after them or after =, switches bare, the rest positional', () => {
    expect(parse(['streams', '--cohort', '2012-2013', '--min-cell=12', '--unsuppressed'])).toEqual({
      args: ['streams'], flags: { cohort: '2012-2013', 'min-cell': '12', unsuppressed: true },
    });
    // A value may start with a single dash; the command judges it.
    expect(parse(['--min-cell', '-5'], 0).flags).toEqual({ 'min-cell': '-5' });
    expect(parse(['--json', '--', '--not-an-option', 'x'], 2)).toEqual({ args: ['--not-an-option', 'x'], flags: { json: true } });
  });

  it('refuses options the command does not declare, with the one probably meant', () => {
    expect(refusal(['--cohort_type', 'intake'])).toBe('unknown option --cohort_type (did you mean --cohort-type?)');
    expect(refusal(['--min_cell', '50'])).toBe('unknown option --min_cell (did you mean --min-cell?)');
    expect(refusal(['--as-known', '2020-01-01'])).toBe('unknown option --as-known (did you mean --as-known-on?)');
    expect(refusal(['--unsupressed'])).toBe('unknown option --unsupressed (did you mean --unsuppressed?)');
    expect(refusal(['--as-known-on=2020-01-01', '--rulez=monitor'])).toMatch(/^unknown option --rulez$/);
    expect(refusal(['-j'])).toMatch(/^unknown option -j/);
  });

  it('refuses a switch with a value, a valued option without one, and an option given twice', () => {
    expect(refusal(['--unsuppressed=yes'])).toBe("--unsuppressed is a switch and takes no value (got 'yes')");
    expect(refusal(['--cohort'])).toBe('--cohort needs a value (YEAR)');
    expect(refusal(['--cohort', '--json'])).toBe('--cohort needs a value (YEAR)');
    expect(refusal(['--cohort='])).toBe('--cohort needs a value (YEAR)');
    expect(refusal(['--cohort', '2012-2013', '--cohort', '2013-2014'])).toBe('--cohort is given more than once');
  });

  it('refuses positional arguments beyond what the command takes, naming the switch a value was probably meant for', () => {
    expect(refusal(['streams', '--unsuppressed', 'yes'])).toBe("unexpected argument 'yes': --unsuppressed is a switch and takes no value");
    expect(refusal(['streams', 'outcome'])).toBe("unexpected argument 'outcome'");
    expect(refusal(['x'], 0)).toBe("unexpected argument 'x': this command takes only options");
  });
});

describe('suggestOption', () => {
  const names = OPTIONS.map((o) => o.name);
  it('finds case and underscore slips, abbreviations and typos, and nothing for unrelated words', () => {
    expect(suggestOption('COHORT_TYPE', names)).toBe('cohort-type');
    expect(suggestOption('as-kn', names)).toBe('as-known-on');
    expect(suggestOption('cohrot', names)).toBe('cohort');
    expect(suggestOption('mincell', names)).toBe('min-cell');
    // 'as' abbreviates two options: no guess.
    expect(suggestOption('as', names)).toBeUndefined();
    expect(suggestOption('verbose', names)).toBeUndefined();
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('cohrot', 'cohort')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
