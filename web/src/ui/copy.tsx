import { useState } from 'react';

/** A value with a button that copies it (integration URLs and keys). */
export function Copyable({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(value);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="copyable">
      <span className="muted">{label}</span>
      <code>{value}</code>
      {/* The visible word starts the accessible name (WCAG 2.5.3): "Copy Key", then "Copied Key". */}
      <button type="button" className="button small" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'} <span className="visually-hidden">{label}</span>
      </button>
    </div>
  );
}
