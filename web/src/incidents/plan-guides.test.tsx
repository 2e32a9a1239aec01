import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanDocument } from '../api/models';
import { PlanGuides } from './plan-guides';

afterEach(cleanup);

const plan: PlanDocument = {
  metadata: { name: 'p' },
  severities: [{ id: 'SEV1' }, { id: 'SEV3' }],
  roles: [],
  lifecycle: { states: [] },
  warRoom: { tool: 'Zoom', severities: ['SEV1'], participants: [{ who: 'incident-commander' }] },
  runbooks: [
    {
      id: 'db',
      title: 'Database failover',
      url: 'https://wiki.example/runbooks/db',
      steps: ['Check replication lag', { title: 'Promote the replica', command: 'pg_ctl promote' }],
    },
    { id: 'evil', title: 'Not a link', url: 'javascript:alert(1)' },
  ],
  tools: [
    { name: 'Traces', purpose: 'follow the request', link: 'traces' },
    { name: 'Wiki', link: 'https://wiki.example/' },
  ],
};
const links = { traces: 'https://traces.example/?q=abc' };

describe('PlanGuides', () => {
  it("links the runbooks and tools of the incident's plan and shows the war room for its severity", () => {
    render(<PlanGuides plan={plan} severity="SEV1" links={links} />);
    const runbooks = screen.getByRole('list', { name: 'Runbooks' });
    expect(within(runbooks).getByRole('link', { name: 'Database failover' }).getAttribute('href')).toBe(
      'https://wiki.example/runbooks/db',
    );
    expect(runbooks.textContent).toContain('Check replication lag');
    expect(runbooks.textContent).toContain('pg_ctl promote');
    // A script address is never a link.
    expect(within(runbooks).queryByRole('link', { name: 'Not a link' })).toBeNull();
    expect(runbooks.textContent).toContain('Not a link');
    const tools = screen.getByRole('list', { name: 'Tools' });
    expect(within(tools).getByRole('link', { name: 'Traces' }).getAttribute('href')).toBe(links.traces);
    expect(within(tools).getByRole('link', { name: 'Wiki' }).getAttribute('href')).toBe(
      'https://wiki.example/',
    );
    expect(screen.getByTestId('war-room').textContent).toContain('Zoom');
  });

  it('leaves the war room out for a severity the plan gives none', () => {
    render(<PlanGuides plan={plan} severity="SEV3" links={links} />);
    expect(screen.queryByTestId('war-room')).toBeNull();
    expect(screen.getByRole('list', { name: 'Runbooks' })).toBeTruthy();
  });
});
