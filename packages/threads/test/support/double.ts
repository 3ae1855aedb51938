export interface Doubled { readonly value: number }
export const double = (n: number): Doubled => ({ value: n * 2 });
