import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { ErrorNote, Field, fieldError } from './field';

afterEach(cleanup);

const refused = new ApiError(400, 'invalid', 'the incident is not valid', [
  { path: 'title', message: 'must not be empty' },
  { path: 'labels.team', message: 'unknown team' },
]);

describe('Field and ErrorNote', () => {
  it("shows the API's message beside the field it names, tied to the control", () => {
    render(
      <Field label="Title" error={fieldError(refused, 'title')}>
        {(p) => <input {...p} defaultValue="typed text" />}
      </Field>,
    );
    const input = screen.getByLabelText('Title');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = document.getElementById(input.getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toBe('must not be empty');
    expect((input as HTMLInputElement).value).toBe('typed text');
  });

  it('lists the field errors no form field shows, under the message', () => {
    render(<ErrorNote error={refused} shownFields={['title']} />);
    const note = screen.getByRole('alert');
    expect(note.textContent).toContain('the incident is not valid');
    expect(note.textContent).toContain('labels.team');
    expect(note.textContent).not.toContain('must not be empty');
  });
});
