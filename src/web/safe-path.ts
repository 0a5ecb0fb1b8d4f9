// The one validator for user-supplied redirect targets (`back`, `next`): a path on this site.

/**
 * The value when it is a local path: it starts with a single '/', the next character is not
 * '/' or '\' (browsers read `//host` and `/\host` as another site), and it has no backslash,
 * whitespace or control character anywhere (browsers turn '\' into '/' and drop tabs and
 * newlines, so `/\t/evil.example` would become `//evil.example`). Else null.
 */
export function safeLocalPath(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 2000) return null;
  return /^\/(?![/\\])[^\\\s\p{Cc}]*$/u.test(v) ? v : null;
}
