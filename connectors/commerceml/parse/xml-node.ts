// A small element tree for ONE item of a CommerceML file (a product, an offer, a group…).
// The stream parser builds these per item and drops them after mapping, so memory stays
// bounded however large the file is.
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

/**
 * A copy of `s` that does not keep alive the decoded chunk saxes sliced it from. V8 keeps a
 * slice (13+ characters) as a view of its parent string: an id kept in a record would otherwise
 * pin its whole 256 KB chunk of text, and a batch of records pins most of the file it came from.
 */
export function own(s: string): string {
  return s.length < 13 ? s : (` ${s}`).slice(1);
}

export function child(n: XNode | undefined, name: string): XNode | undefined {
  if (!n) return undefined;
  for (const c of n.children) if (c.name === name) return c;
  return undefined;
}

export function childrenOf(n: XNode | undefined, name: string): XNode[] {
  const out: XNode[] = [];
  if (n) for (const c of n.children) if (c.name === name) out.push(c);
  return out;
}

const splitPaths = new Map<string, string[]>();
/** The steps of a slash path; the paths are the mappers' constants, split once. */
function steps(path: string): string[] {
  let p = splitPaths.get(path);
  if (!p) {
    p = path.split('/');
    if (splitPaths.size < 1000) splitPaths.set(path, p);
  }
  return p;
}

/** Follows a slash path of child names; returns the first match. */
export function at(n: XNode | undefined, path: string): XNode | undefined {
  if (!path.includes('/')) return child(n, path);
  let cur = n;
  for (const p of steps(path)) cur = child(cur, p);
  return cur;
}

/** All nodes at a slash path (the last step may repeat). */
export function all(n: XNode | undefined, path: string): XNode[] {
  const parts = steps(path);
  let parent = n;
  for (let i = 0; i < parts.length - 1 && parent; i++) parent = child(parent, parts[i]!);
  return childrenOf(parent, parts[parts.length - 1]!);
}

/** Trimmed text at a path, or undefined when absent or empty. */
export function textAt(n: XNode | undefined, path: string): string | undefined {
  const t = at(n, path)?.text.trim();
  return t ? t : undefined;
}
