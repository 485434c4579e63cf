import { describe, expect, it } from 'vitest';
import { historyLocation } from '../../../src/projections/history/schema.ts';

const store = 'postgres://postgres@127.0.0.1:5432/revolution_test?schema=t_abc&role=t_abc_app';

describe('where the history read model lives', () => {
  it('beside a PostgreSQL event store: its database, schema <store schema>_history, without the store role', () => {
    expect(historyLocation(undefined, undefined, store)).toEqual({ connectionString: 'postgres://postgres@127.0.0.1:5432/revolution_test', schema: 't_abc_history' });
  });

  it('beside the search read model when only SEARCH_URL is set: its database, schema history', () => {
    const search = 'postgres://u:p@search-db:5432/revolution?schema=search';
    expect(historyLocation(undefined, search, 'kurrentdb://kurrentdb:2113')).toEqual({ connectionString: 'postgres://u:p@search-db:5432/revolution', schema: 'history' });
  });

  it('HISTORY_URL wins, its schema (history by default) taken as given', () => {
    expect(historyLocation('postgres://h@db/x?schema=timeline', 'postgres://s@db/y?schema=search', store)).toEqual({ connectionString: 'postgres://h@db/x', schema: 'timeline' });
    expect(historyLocation('postgres://h@db/x', undefined, store)).toMatchObject({ schema: 'history' });
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => historyLocation('postgres://h@db/x?schema=a;drop', undefined, store)).toThrow(RangeError);
  });
});
