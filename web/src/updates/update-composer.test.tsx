// First: the API client keeps the fetch it finds when it is made.
import '../test-support/fake-api';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeApi, json } from '../test-support/fake-api';
import { draftLanguages, type ListedUpdate, UpdatesSection } from './update-composer';

// The composer and the update list against a stand-in for the API's answers, so the test checks
// what is sent and what is shown.

let updates: ListedUpdate[] = [];

const DRAFT = {
  audience: 'external',
  bodies: { en: 'Investigating - Uploads fail' },
  missing_languages: ['am'],
  status: 'investigating',
  statuses: ['investigating', 'identified', 'monitoring', 'resolved'],
};

beforeEach(() => {
  fakeApi.calls = [];
  updates = [
    {
      id: '7',
      audience: 'external',
      state: 'identified',
      status: 'pending_approval',
      bodies: { en: 'We found it.', am: 'ችግሩን አግኝተናል።' },
      revision: 1,
      created_by: 'abebe',
      approval: {
        required: ['incident-commander', 'leadership'],
        approved: [
          { requirement: 'incident-commander', by: 'abebe', at: '2026-03-02T10:00:00Z', comment: '' },
        ],
        missing: ['leadership'],
        changes_requested: [],
      },
      missing_languages: [],
      publishable: false,
    },
  ];
  fakeApi.handle = ({ method, path, body }) => {
    const url = { pathname: path };
    const request = { method };
    if (url.pathname.endsWith('/updates/draft')) return json({ draft: DRAFT });
    if (url.pathname.endsWith('/updates') && request.method === 'GET') return json({ updates });
    if (url.pathname.endsWith('/updates') && request.method === 'POST') {
      const sent = body as { bodies: Record<string, string> };
      if (!sent.bodies.am) {
        return json(
          {
            error: {
              code: 'conflict',
              message: 'an external update needs text in every language of the plan; missing: am',
              details: [{ path: 'bodies.am', message: 'missing' }],
            },
          },
          409,
        );
      }
      return json({ update: { id: '8' } }, 201);
    }
    if (url.pathname.endsWith('/updates/preview')) {
      return json({
        guard_rails: [{ language: 'en', pattern: 'internal hostname', match: 'db1.corp' }],
        status_page: { am: { title: 'Uploads fail', status: 'በምርመራ ላይ', body: '<b>ችግር</b>' } },
        email: { am: { subject: '[Status] Uploads fail - በምርመራ ላይ', text: 'Uploads fail\n\n<b>ችግር</b>' } },
      });
    }
    if (url.pathname.endsWith('/approve')) return json({ approved_for: 'leadership', published: true });
    return json({});
  };
});
afterEach(() => {
  cleanup();
  fakeApi.handle = undefined;
});

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

describe('the update composer', () => {
  it('shows one text box per plan language side by side, the template, and the API’s reason per language', async () => {
    render(wrap(<UpdatesSection incidentId="12" canAct />));
    const am = await screen.findByLabelText('Text (am)');
    const en = screen.getByLabelText('Text (en)');
    expect(am.getAttribute('lang')).toBe('am');
    fireEvent.click(await screen.findByRole('button', { name: 'Use the plan’s template' }));
    expect((en as HTMLTextAreaElement).value).toBe('Investigating - Uploads fail');
    expect(screen.getByTestId('missing-languages').textContent).toContain('am');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'identified' } });
    fireEvent.click(screen.getByRole('button', { name: 'Post update' }));
    await screen.findByText('missing');
    const posted = fakeApi.calls.find((c) => c.method === 'POST');
    expect(posted?.body).toEqual({
      audience: 'external',
      bodies: { en: 'Investigating - Uploads fail' },
      status: 'identified',
    });
    fireEvent.change(am, { target: { value: 'በምርመራ ላይ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Post update' }));
    await waitFor(() => expect(fakeApi.calls.filter((c) => c.method === 'POST')).toHaveLength(2));
    expect(fakeApi.calls.filter((c) => c.method === 'POST')[1]?.body).toMatchObject({
      bodies: { en: 'Investigating - Uploads fail', am: 'በምርመራ ላይ' },
    });
  });

  it('previews the text: guard-rail warnings above the post button, the page entry and email as text', async () => {
    render(wrap(<UpdatesSection incidentId="12" canAct />));
    fireEvent.change(await screen.findByLabelText('Text (en)'), { target: { value: 'db1.corp is slow' } });
    fireEvent.change(screen.getByLabelText('Text (am)'), { target: { value: '<b>ችግር</b>' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const warnings = await screen.findByTestId('guard-rail-warnings');
    expect(warnings.textContent).toContain('internal hostname “db1.corp”');
    const post = screen.getByRole('button', { name: 'Post update' });
    expect(warnings.compareDocumentPosition(post) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const am = screen.getByTestId('preview-am');
    expect(am.textContent).toContain('[Status] Uploads fail - በምርመራ ላይ');
    // Shown as text, never as markup.
    expect(am.textContent).toContain('<b>ችግር</b>');
    expect(am.querySelector('b b')).toBeNull();
    const sent = fakeApi.calls.find((c) => c.url === '/api/v1/incidents/12/updates/preview');
    expect(sent?.body).toEqual({
      audience: 'external',
      bodies: { en: 'db1.corp is slow', am: '<b>ችግር</b>' },
    });
  });

  it('lists updates with their approval state; an approver approves', async () => {
    render(wrap(<UpdatesSection incidentId="12" canAct />));
    const state = await screen.findByTestId('approval-7');
    expect(state.textContent).toContain('incident-commander: approved by abebe');
    expect(state.textContent).toContain('waiting for leadership');
    expect(screen.getByText('ችግሩን አግኝተናል።').getAttribute('lang')).toBe('am');
    expect((screen.getByRole('button', { name: 'Publish' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByPlaceholderText('Comment'), { target: { value: 'ok' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(fakeApi.calls.some((c) => c.url === '/api/v1/incidents/12/updates/7/approve')).toBe(true),
    );
    expect(fakeApi.calls.find((c) => c.url.endsWith('/approve'))?.body).toEqual({ comment: 'ok' });
  });

  it('viewers see the updates without the composer', async () => {
    render(wrap(<UpdatesSection incidentId="12" canAct={false} />));
    await screen.findByTestId('approval-7');
    expect(screen.queryByRole('form', { name: 'Compose an update' })).toBeNull();
  });

  it('writes in the plan’s languages, English when there are none', () => {
    expect(draftLanguages({ bodies: { en: 'x' }, missing_languages: ['am'] })).toEqual(['en', 'am']);
    expect(draftLanguages({ bodies: {}, missing_languages: [] })).toEqual(['en']);
    expect(draftLanguages(undefined)).toEqual(['en']);
  });
});
