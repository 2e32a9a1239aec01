// First: the API client keeps the fetch it finds when it is made.
import '../test-support/fake-api';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionProvider } from '../auth/session';
import { fakeApi, json } from '../test-support/fake-api';
import StatusPageAdmin, { type Subscriber } from './status-page-admin';

// The status page admin screen against a stand-in for the API: a manager changes a component's
// status, schedules maintenance in every language of the page, and removes a subscriber.

let role = 'manager';
let subscribers: Subscriber[] = [];

beforeEach(() => {
  fakeApi.calls = [];
  role = 'manager';
  subscribers = [
    {
      id: '3',
      mode: 'email',
      address: 'reader@example.com',
      status: 'active',
      language: 'am',
      components: [],
      created_at: '2026-03-02T10:00:00Z',
    },
  ];
  fakeApi.handle = ({ method, path }) => {
    if (path === '/api/v1/auth/session') {
      return json({
        user: { id: '1', name: 'max', email: null, role, time_zone: 'UTC' },
        csrf_token: 'csrf',
      });
    }
    if (path === '/api/v1/status-page') {
      return json({
        settings: { name: 'Creator status', languages: ['en', 'am'] },
        components: [{ id: '1', name: 'API', group: null, group_component: false, status: 'operational' }],
        maintenances: [],
      });
    }
    if (path === '/api/v1/status-page/subscribers' && method === 'GET') return json({ subscribers });
    if (path.startsWith('/api/v1/status-page/subscribers/') && method === 'DELETE') {
      subscribers = subscribers.map((s) => ({ ...s, status: 'unsubscribed' }));
      return json({ subscriber: subscribers[0] });
    }
    if (path === '/api/v1/status-page/maintenances') {
      return json(
        {
          error: {
            code: 'invalid',
            message: 'unknown component',
            details: [{ path: 'components.0', message: 'no component "Nope"' }],
          },
        },
        400,
      );
    }
    return json({});
  };
});
afterEach(() => {
  cleanup();
  fakeApi.handle = undefined;
});

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SessionProvider>
        <StatusPageAdmin />
      </SessionProvider>
    </QueryClientProvider>,
  );
}

describe('the status page admin screen', () => {
  it('sets a component’s status', async () => {
    show();
    const select = await screen.findByLabelText('Status of API');
    fireEvent.change(select, { target: { value: 'major_outage' } });
    await waitFor(() =>
      expect(fakeApi.calls.find((c) => c.url === '/api/v1/status-page/components/API/status')?.body).toEqual({
        status: 'major_outage',
      }),
    );
  });

  it('schedules maintenance with an announcement per page language, showing the API’s reason by the field', async () => {
    show();
    await screen.findByLabelText('Announcement (am)');
    fireEvent.change(screen.getByLabelText('Maintenance name'), { target: { value: 'DB upgrade' } });
    fireEvent.change(screen.getByLabelText('Components (comma-separated)'), { target: { value: 'Nope' } });
    fireEvent.change(screen.getByLabelText('Announcement (am)'), { target: { value: 'ጥገና' } });
    fireEvent.click(screen.getByRole('button', { name: 'Schedule' }));
    expect(await screen.findByText('no component "Nope"')).toBeTruthy();
    expect(fakeApi.calls.find((c) => c.url === '/api/v1/status-page/maintenances')?.body).toEqual({
      name: 'DB upgrade',
      components: ['Nope'],
      bodies: { am: 'ጥገና' },
    });
  });

  it('lists subscribers and removes one', async () => {
    show();
    const row = (await screen.findByRole('cell', { name: 'reader@example.com' })).closest('tr');
    if (!row) throw new Error('no row');
    expect(row.textContent).toContain('active');
    expect(row.textContent).toContain('all');
    fireEvent.click(within(row).getByRole('button', { name: /Remove/ }));
    await waitFor(() => expect(screen.getByText('unsubscribed')).toBeTruthy());
    expect(
      fakeApi.calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/status-page/subscribers/3'),
    ).toBe(true);
  });

  it('responders set statuses but see neither subscribers nor the forms', async () => {
    role = 'responder';
    show();
    await screen.findByLabelText('Status of API');
    expect(screen.queryByText('Subscribers')).toBeNull();
    expect(screen.queryByRole('form', { name: 'Schedule maintenance' })).toBeNull();
  });
});
