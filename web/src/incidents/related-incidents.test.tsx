import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { RelatedIncidents } from './related-incidents';

afterEach(cleanup);

describe('related incidents', () => {
  it('link each related incident to its page, with severity and state, its title escaped', () => {
    render(
      <MemoryRouter>
        <RelatedIncidents
          related={[
            { id: '7', title: '<b>Payments</b> slow', state: 'investigating', severity: 'SEV2' },
            { id: '9', title: 'Checkout errors', state: 'resolved', severity: 'SEV1' },
          ]}
        />
      </MemoryRouter>,
    );
    const first = screen.getByRole('link', { name: '#7 <b>Payments</b> slow' });
    expect(first.getAttribute('href')).toBe('/incidents/7');
    expect(first.closest('li')?.textContent).toContain('SEV2');
    expect(first.closest('li')?.textContent).toContain('investigating');
    expect(screen.getByRole('link', { name: '#9 Checkout errors' }).getAttribute('href')).toBe(
      '/incidents/9',
    );
  });

  it('show nothing without related incidents', () => {
    const { container } = render(<RelatedIncidents related={[]} />);
    expect(container.textContent).toBe('');
  });
});
