import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { RootCauseField } from './root-cause';

afterEach(cleanup);

describe('post-mortem root-cause field', () => {
  it('is free text when the plan lists no categories; emptied, it clears the category', () => {
    const onSave = vi.fn();
    render(
      <RootCauseField value="config" categories={[]} editable saving={false} error={null} onSave={onSave} />,
    );
    const input = screen.getByLabelText('Root-cause category') as HTMLInputElement;
    expect(input.tagName).toBe('INPUT');
    fireEvent.change(input, { target: { value: '  disk full ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save root cause' }));
    expect(onSave).toHaveBeenLastCalledWith('disk full');
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save root cause' }));
    expect(onSave).toHaveBeenLastCalledWith(null);
  });

  it("offers the plan's categories (and the stored one), with the API's refusal beside the field", () => {
    const refused = new ApiError(400, 'invalid', 'unknown root-cause category', [
      { path: 'root_cause_category', message: 'not one of the plan categories' },
    ]);
    render(
      <RootCauseField
        value="legacy"
        categories={['deploy', 'capacity']}
        editable
        saving={false}
        error={refused}
        onSave={() => {}}
      />,
    );
    const select = screen.getByLabelText('Root-cause category') as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(['', 'deploy', 'capacity', 'legacy']);
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toBe('not one of the plan categories');
  });

  it('only shows the category to who may not edit', () => {
    render(
      <RootCauseField
        value={null}
        categories={[]}
        editable={false}
        saving={false}
        error={null}
        onSave={() => {}}
      />,
    );
    expect(screen.getByText('not categorised')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
