import { useState } from 'react';
import type { PostmortemSection } from '../api/models';

/**
 * One post-mortem section: its Markdown shown as text (never as HTML), and an editor for those who
 * may change it. Saving hands the new body to the caller.
 */
export function SectionEditor({
  section,
  editable,
  saving,
  onSave,
}: {
  section: PostmortemSection;
  editable: boolean;
  saving?: boolean;
  onSave: (body: string) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const id = `section-${section.id}`;
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{section.title}</h2>
      {draft === null ? (
        <>
          {section.body.trim() ? (
            <pre className="markdown">{section.body}</pre>
          ) : (
            <p className="empty">To be written.</p>
          )}
          {editable && (
            <button type="button" className="button small" onClick={() => setDraft(section.body)}>
              Edit <span className="visually-hidden">{section.title}</span>
            </button>
          )}
        </>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onSave(draft);
            setDraft(null);
          }}
        >
          <label htmlFor={`${id}-body`}>{section.title} (Markdown)</label>
          <textarea id={`${id}-body`} rows={10} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <button type="submit" className="button primary small" disabled={saving}>
            Save
          </button>{' '}
          <button type="button" className="button ghost small" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </form>
      )}
    </section>
  );
}
