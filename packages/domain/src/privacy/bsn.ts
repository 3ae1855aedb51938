/**
 * A citizen service number (BSN) is nine digits passing the eleven-test:
 * 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 (and not 0). Learner ids
 * must be pseudonyms, so anything shaped like one is refused at the boundary.
 */
export function looksLikeBsn(id: string): boolean {
  const s = id.trim();
  if (!/^\d{9}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(s[i]);
  sum -= Number(s[8]);
  return sum !== 0 && sum % 11 === 0;
}
