import type { Severity } from '../api/models';

/**
 * The plan's severities as radio choices, each with its criteria (and examples) beside it: the same
 * picker for declaring and for changing severity. `error` is the API's (or the form's) message.
 */
export function SeverityPicker({
  name,
  severities,
  value,
  onChange,
  error,
  required = false,
  examples = false,
}: {
  name: string;
  severities: Severity[];
  value: string;
  onChange: (id: string) => void;
  error?: string | undefined;
  required?: boolean;
  examples?: boolean;
}) {
  return (
    <fieldset>
      <legend>Severity</legend>
      <div className="choices">
        {severities.map((s) => (
          <label key={s.id} className={`choice ${value === s.id ? 'chosen' : ''}`}>
            <input
              type="radio"
              name={name}
              required={required}
              value={s.id}
              checked={value === s.id}
              onChange={() => onChange(s.id)}
            />
            <span>
              <strong>
                {s.id}
                {s.title ? ` — ${s.title}` : ''}
              </strong>
              {s.criteria && s.criteria.length > 0 && (
                <ul className="criteria">
                  {s.criteria.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
              {examples && s.examples && s.examples.length > 0 && (
                <span className="muted small">e.g. {s.examples.join(' · ')}</span>
              )}
            </span>
          </label>
        ))}
      </div>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
