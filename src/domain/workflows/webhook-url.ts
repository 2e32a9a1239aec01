// A webhook action's URL: incident fields (a title whoever declares can choose) must never pick
// where Tocsin sends a request. The scheme, host and port are written in the plan as they are;
// placeholders go only in the path and query, and each value is URL-encoded there.

const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const PLACEHOLDER = /\{[A-Za-z_][\w-]*(?:\.[\w-]+)*\}/g;

/** For plan validation: the URL starts with a fixed scheme://host[:port]. */
export function placeholdersOnlyInPathOrQuery(url: string): boolean {
  const origin = ORIGIN.exec(url)?.[0];
  return origin !== undefined && !origin.includes('{');
}

/** The URL split at its fixed origin; undefined when the plan's URL breaks the rule. */
export function splitWebhookUrl(url: string): { origin: string; rest: string } | undefined {
  if (!placeholdersOnlyInPathOrQuery(url)) return undefined;
  const origin = ORIGIN.exec(url)?.[0] ?? '';
  return { origin, rest: url.slice(origin.length) };
}

export const URL_PLACEHOLDER = PLACEHOLDER;
