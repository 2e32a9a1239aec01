// Text from another party (a receiver's answer, a status page) as PostgreSQL stores it. Its text type
// refuses NUL (22021), and its json/jsonb refuse NUL and a lone UTF-16 surrogate — both of which JSON
// may carry as escapes (\u0000, \ud800). A value that cannot be written fails its statement and
// transaction, and with them everything written beside it, on every retry. Tocsin's own inputs refuse
// such text with a 400 instead (http/json-body.ts, domain/incidents/inputs.ts).

/** With the u flag a lone surrogate is a code point of category Cs; a proper pair is not. */
export const LONE_SURROGATE = /\p{Cs}/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL refuses
const UNSTORABLE = /[\u0000\p{Cs}]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const UNSTORABLE_ALL = /[\u0000\p{Cs}]/gu;

/** The text with NUL and lone surrogates written as U+FFFD; the same string when it has neither. */
export function storableText<T extends string | null | undefined>(text: T): T {
  return (
    typeof text === 'string' && UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\uFFFD') : text
  ) as T;
}

/** JSON.parse, with every string value (keys are not stored as such) made storableText. */
export function parseStorableJson(json: string): unknown {
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'string' ? storableText(value) : value,
  );
}
