/**
 * A parser of text remembered per input. A registration file repeats the same
 * few hundred dates, school years and level codes over millions of rows, and
 * parsing each again (a regular expression, a Date, the result objects) was about a
 * quarter of the time it takes to read one. Results are frozen, since every
 * caller with the same text now shares one. Bounded: past `limit` distinct
 * inputs it forgets what it had, so hostile input cannot grow it.
 */
export function memoizeText<T>(parse: (input: string) => T, limit = 4096): (input: string) => T {
  const seen = new Map<string, T>();
  return (input) => {
    let result = seen.get(input);
    if (result === undefined) {
      if (seen.size >= limit) seen.clear();
      result = deepFreeze(parse(input));
      seen.set(input, result);
    }
    return result;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
