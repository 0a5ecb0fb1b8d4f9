/** Numeric text as people write it: "12.500" → "12.5", "120" stays "120". */
export const trimQuantity = (q: string) => (q.includes('.') ? q.replace(/0+$/, '').replace(/\.$/, '') : q);
