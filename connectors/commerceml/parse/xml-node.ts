// A small element tree for ONE item of a CommerceML file (a product, an offer, a group…).
// The stream parser builds these per item and drops them after mapping, so memory stays
// bounded however large the file is.
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

export function child(n: XNode | undefined, name: string): XNode | undefined {
  if (!n) return undefined;
  for (const c of n.children) if (c.name === name) return c;
  return undefined;
}

export function childrenOf(n: XNode | undefined, name: string): XNode[] {
  return n ? n.children.filter((c) => c.name === name) : [];
}

/** Follows a slash path of child names; returns the first match. */
export function at(n: XNode | undefined, path: string): XNode | undefined {
  if (!path.includes('/')) return child(n, path);
  let cur = n;
  for (const p of path.split('/')) cur = child(cur, p);
  return cur;
}

/** All nodes at a slash path (the last step may repeat). */
export function all(n: XNode | undefined, path: string): XNode[] {
  const parts = path.split('/');
  const last = parts.pop()!;
  const parent = parts.length ? at(n, parts.join('/')) : n;
  return childrenOf(parent, last);
}

/** Trimmed text at a path, or undefined when absent or empty. */
export function textAt(n: XNode | undefined, path: string): string | undefined {
  const t = at(n, path)?.text.trim();
  return t ? t : undefined;
}
