import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { tokenInputSchema } from '../../../src/domain/users/tokens.ts';
import { ApiError, answer, api, raw } from '../api/client';
import type { ApiToken } from '../api/models';
import { checked } from '../api/validate';
import { useCan } from '../auth/session';
import { Copyable } from '../ui/copy';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { Time } from '../ui/time';
import { UserOptions } from '../ui/user-options';

interface TokenBody {
  name: string;
  user?: string;
  expires_in?: string;
}

/** Admins pick whose tokens they see (the API answers anyone's to them); everyone else sees their own. */
function WhoseTokens({ whose, setWhose }: { whose: string; setWhose: (handle: string) => void }) {
  return (
    <Field label="Whose tokens">
      {(p) => (
        <select {...p} value={whose} onChange={(e) => setWhose(e.target.value)}>
          <option value="">Mine</option>
          <UserOptions />
        </select>
      )}
    </Field>
  );
}

/** API tokens: create (shown once), list, revoke; my own, or (admins) anyone's. */
export function Tokens() {
  const client = useQueryClient();
  const manageAny = useCan('token:manage-any');
  const [whose, setWhose] = useState('');
  const tokens = useQuery({
    queryKey: ['tokens', whose],
    queryFn: () =>
      raw<{ tokens: ApiToken[] }>(
        'GET',
        whose ? `/api/v1/tokens?user=${encodeURIComponent(whose)}` : '/api/v1/tokens',
      ).then((a) => a.tokens),
    retry: false,
  });
  const [name, setName] = useState('');
  const [expiresIn, setExpiresIn] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: TokenBody) =>
      answer<{ token: string | { token: string } }>(
        api.POST('/api/v1/tokens', { body: checked(tokenInputSchema, body) }),
      ),
    onSuccess: (a) => {
      setCreated(typeof a.token === 'string' ? a.token : a.token.token);
      setName('');
      setExpiresIn('');
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => raw('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      name,
      ...(whose ? { user: whose } : {}),
      ...(expiresIn.trim() ? { expires_in: expiresIn.trim() } : {}),
    });
  }
  const missing = tokens.error instanceof ApiError && tokens.error.status === 404;
  return (
    <>
      {manageAny && <WhoseTokens whose={whose} setWhose={setWhose} />}
      <form className="inline-form" onSubmit={submit} aria-label="Create an API token">
        <Field label="Token name" error={fieldError(create.error, 'name')}>
          {(p) => <input {...p} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Expires in (optional)" hint="e.g. 90d" error={fieldError(create.error, 'expires_in')}>
          {(p) => <input {...p} value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)} />}
        </Field>
        <button type="submit" className="button" disabled={create.isPending}>
          Create token
        </button>
        <ErrorNote error={create.error} shownFields={['name', 'expires_in']} />
      </form>
      {created && (
        <div className="notice">
          <p>Copy the token now: it is shown only this once.</p>
          <Copyable label="Token" value={created} />
        </div>
      )}
      {missing ? (
        <p className="muted">This server cannot list tokens yet.</p>
      ) : (
        <>
          <ErrorNote error={tokens.error ?? revoke.error} />
          <TableWrap label="API tokens">
            <table aria-label={whose ? `API tokens of ${whose}` : 'API tokens'}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(tokens.data ?? []).map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>
                      <Time at={t.created_at} />
                    </td>
                    <td>{t.last_used_at ? <Time at={t.last_used_at} /> : 'never'}</td>
                    <td>{t.expires_at ? <Time at={t.expires_at} /> : 'never'}</td>
                    <td>
                      {t.revoked_at ? (
                        'revoked'
                      ) : (
                        <button
                          type="button"
                          className="button small danger"
                          onClick={() => revoke.mutate(t.id)}
                        >
                          Revoke <span className="visually-hidden">{t.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </>
  );
}
