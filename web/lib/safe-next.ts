/** An ASCII control character or a space: URL parsers drop tabs and newlines, so `/\t/evil` is `//evil`. */
const hasControlOrSpace = (s: string) =>
  [...s].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * Where to go after logging in: the `next` parameter only when it is a path on this site, else `/`.
 * A single leading `/` is a same-origin path; `//host` and `/\host` are protocol-relative (browsers read
 * `\` as `/`), so they would send a freshly logged-in user to another site (an open redirect).
 */
export function safeNext(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (hasControlOrSpace(value)) return '/';
  // Belt and braces: whatever a URL parser makes of it must stay on this origin.
  const base = 'http://same-origin.invalid';
  try {
    if (new URL(value, base).origin !== base) return '/';
  } catch {
    return '/';
  }
  return value;
}
