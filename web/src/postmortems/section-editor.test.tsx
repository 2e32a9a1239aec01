import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SectionEditor } from './section-editor';

afterEach(cleanup);

describe('post-mortem section editor', () => {
  it('shows Markdown as text, never as HTML', () => {
    render(
      <SectionEditor
        section={{ id: 'summary', title: 'Summary', body: '<img src=x onerror=alert(1)> **bold**' }}
        editable={false}
        onSave={() => {}}
      />,
    );
    expect(screen.getByText('<img src=x onerror=alert(1)> **bold**')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
  });

  it('edits a section and hands the new body to save; cancel keeps the old one', () => {
    const onSave = vi.fn();
    render(
      <SectionEditor section={{ id: 'five-whys', title: '5 whys', body: '' }} editable onSave={onSave} />,
    );
    expect(screen.getByText('To be written.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Edit 5 whys' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onSave).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Edit 5 whys' }));
    fireEvent.change(screen.getByLabelText('5 whys (Markdown)'), {
      target: { value: '1. The queue filled' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSave).toHaveBeenCalledWith('1. The queue filled');
  });
});
