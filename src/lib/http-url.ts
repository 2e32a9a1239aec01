// An address that is safe to follow: http(s) only, in its parsed (percent-encoded) form. Leaf module
// (no imports), so the web console uses it for the links it renders (a plan could hold `javascript:`).

export function httpUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
