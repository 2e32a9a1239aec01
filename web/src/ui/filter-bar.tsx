import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';

// The filter bar of the list pages (incidents, alerts): filters live in the address, so a filtered
// list is shareable and survives a reload; a filter at its default leaves the address clean.

/** A list page's filters read from and written to the address's query string. */
export function useFilterParams() {
  const [params, setParams] = useSearchParams();
  return {
    get: (key: string): string => params.get(key) ?? '',
    /** One of `allowed`, else the default (a hand-edited address cannot select nonsense). */
    oneOf: <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
      const value = params.get(key) ?? '';
      return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
    },
    // From the address as it is when applied, not as it was at the last render: two changes made
    // before React re-renders (a quick user, a test) would otherwise undo each other.
    set: (key: string, value: string) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: true },
      );
    },
  };
}

export function FilterBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <form className="filters" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
    </form>
  );
}

export interface FilterOption {
  value: string;
  label?: string;
}

/** A labelled select; `any` adds the empty "no filter" choice first. */
export function FilterSelect({
  label,
  value,
  options,
  any,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly (string | FilterOption)[];
  any?: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => {
          const { value: v, label: text } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={v} value={v}>
              {text ?? v}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export function FilterCheck({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}
