/** The currency column of a sum: the one currency, `mixed` when several, empty when none. */
export function currencyLabel(currencies: Iterable<string>): string {
  const distinct = [...new Set(currencies)];
  return distinct.length === 1 ? distinct[0]! : distinct.length === 0 ? '' : 'mixed';
}
