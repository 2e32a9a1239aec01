import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { FilterBar, FilterCheck, FilterSelect, useFilterParams } from './filter-bar';

afterEach(cleanup);

function Bar() {
  const filters = useFilterParams();
  const location = useLocation();
  const state = filters.oneOf('state', ['open', 'all'] as const, 'open');
  return (
    <>
      <FilterBar label="Filter things">
        <FilterSelect
          label="State"
          value={state}
          options={['open', 'all']}
          onChange={(v) => filters.set('state', v === 'open' ? '' : v)}
        />
        <FilterSelect
          label="Team"
          value={filters.get('team')}
          any="Any"
          options={[{ value: 'db', label: 'Databases' }]}
          onChange={(v) => filters.set('team', v)}
        />
        <FilterCheck
          label="Mine"
          checked={filters.get('mine') === '1'}
          onChange={(on) => filters.set('mine', on ? '1' : '')}
        />
      </FilterBar>
      <output>{location.search}</output>
    </>
  );
}

const search = () => screen.getByRole('status').textContent;

describe('FilterBar', () => {
  it('keeps the filters in the address, leaving out those at their default', () => {
    render(
      <MemoryRouter initialEntries={['/list?state=bogus']}>
        <Bar />
      </MemoryRouter>,
    );
    expect(screen.getByRole('form', { name: 'Filter things' })).toBeTruthy();
    // A hand-edited value it does not know falls back to the default.
    expect((screen.getByLabelText('State') as HTMLSelectElement).value).toBe('open');
    fireEvent.change(screen.getByLabelText('Team'), { target: { value: 'db' } });
    fireEvent.click(screen.getByLabelText('Mine'));
    expect(new URLSearchParams(search() ?? '').get('team')).toBe('db');
    expect(new URLSearchParams(search() ?? '').get('mine')).toBe('1');
    expect(screen.getByRole('option', { name: 'Databases' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Team'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText('Mine'));
    expect(new URLSearchParams(search() ?? '').has('team')).toBe(false);
    expect(new URLSearchParams(search() ?? '').has('mine')).toBe(false);
  });
});
