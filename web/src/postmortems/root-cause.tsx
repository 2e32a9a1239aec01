import { useState } from 'react';
import { Field, fieldError } from '../ui/field';

/**
 * The post-mortem's root-cause category: a choice among the plan's postmortem.rootCauseCategories
 * when it lists any, free text otherwise; empty clears it. The API's refusal shows beside the field.
 */
export function RootCauseField({
  value,
  categories,
  editable,
  saving,
  error,
  onSave,
}: {
  value: string | null;
  categories: string[];
  editable: boolean;
  saving: boolean;
  error: unknown;
  onSave: (category: string | null) => void;
}) {
  const [draft, setDraft] = useState(value ?? '');
  const message = fieldError(error, 'root_cause_category');
  if (!editable) {
    return (
      <p>
        Root cause: <strong>{value ?? 'not categorised'}</strong>
      </p>
    );
  }
  // A category the plan no longer lists stays selectable, so the page shows what is stored.
  const choices = value && !categories.includes(value) ? [...categories, value] : categories;
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(draft.trim() ? draft.trim() : null);
      }}
    >
      <Field
        label="Root-cause category"
        error={message}
        hint={categories.length > 0 ? "one of the plan's categories" : 'any text; empty clears it'}
      >
        {(p) =>
          categories.length > 0 ? (
            <select {...p} value={draft} onChange={(e) => setDraft(e.target.value)}>
              <option value="">Not categorised</option>
              {choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          ) : (
            <input {...p} value={draft} maxLength={100} onChange={(e) => setDraft(e.target.value)} />
          )
        }
      </Field>
      <button type="submit" className="button small" disabled={saving}>
        Save root cause
      </button>
    </form>
  );
}
