/**
 * A value made once per key, the same one returned after. For the texts a
 * rebuild's fold makes millions of times from a handful of keys (row states,
 * flows nodes, school-year days): a string made anew each time must be joined
 * and hashed anew wherever it is looked up or compared (a view writer's
 * dictionary, say), the same string not. Only for keys of a bounded domain
 * (codes, years): nothing is ever forgotten.
 */
export function oncePerKey<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(key)));
    return value;
  };
}
