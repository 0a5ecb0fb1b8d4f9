// Maps the items of a streamed answer straight from the parser's events, without a tree per item:
// the mappings of the entities reading one item path are compiled into a tree of the element
// names they read (field paths, `each` paths); inside an item the reader follows it, keeps only
// the values of the elements a field reads, skips every other element, and makes the records
// when the item closes (so a `^Field` after the nested items still reaches them). What a field
// gets is what it would read in the item's tree (xml-tree.ts): a leaf's trimmed text, a
// structure built for the elements under a field's own path (`pairs`), a list for an element
// repeated at the end of a path, nothing where an element on the way repeats. An empty element
// is no item and no nested item, as the streamed answer already skipped empty items.
// Layouts a compiled path cannot follow (`rows` fields, an entity's items nested in another's,
// a field path through a nested item's element) keep the tree: compile returns undefined.
import type { EntityName } from '../../src/mirror/records.ts';
import type { EntityMapper, ItemContext } from './mapper.ts';
import type { Value } from './modifiers.ts';
import type { ItemReader, XmlObject, XmlValue } from './xml-tree.ts';

interface Node {
  readonly children: Map<string, Node>;
  /** A field path ends here: the slot of its value in the instance of its base. */
  slot: number;
  /** This element is a nested item (`each`): index of its base. */
  base: number;
  /** An element on the way to fields: its mark in the base's instance, and the slots under it. */
  mark: number;
  readonly under: number[];
}

const node = (): Node => ({ children: new Map(), slot: -1, base: -1, mark: -1, under: [] });

function child(at: Node, name: string): Node {
  let next = at.children.get(name);
  if (!next) {
    next = node();
    at.children.set(name, next);
  }
  return next;
}

/** The item (base 0) or the elements at one `each` path (base 1…): a tree of names, slots and marks. */
interface Base {
  root: Node;
  slots: number;
  marks: number;
  /** Slot of the `Id` element (named in errors), at the item only. */
  idSlot: number;
}

/** Where one field's value comes from: a slot of the record's base, of the item, or a constant. */
type Source = { at: 'own' | 'item'; slot: number } | { at: 'constant'; value: Value };

interface EntityPlan {
  mapper: EntityMapper<EntityName>;
  /** 0: a record per item; else a record per nested item of that base. */
  base: number;
  sources: Source[];
  /** The values of one record, read into this one array record after record (the record copies them). */
  values: Value[];
}

/** A value not read (yet): the element is not there. */
const UNSET = Symbol('unset');
/** An element on the way repeated: the tree has a list there, and the path reads nothing. */
const LOST = Symbol('lost');
type Slot = XmlValue | typeof UNSET | typeof LOST;

interface Instance {
  slots: Slot[];
  /** Bit `mark` set: that element on the way was seen in this instance. */
  marks: number;
  /** It has an element or text: not empty. */
  live: boolean;
}

export class StreamPlan {
  private constructor(
    private readonly bases: Base[],
    private readonly entities: EntityPlan[],
  ) {}

  /** The plan for the entities whose `result` is this item path (`each` and fields of their mappings), or undefined if they need the tree. */
  static compile(mappers: { mapper: EntityMapper<EntityName>; each: string | undefined }[]): StreamPlan | undefined {
    const bases: Base[] = [{ root: node(), slots: 0, marks: 0, idSlot: -1 }];
    const eachBase = new Map<string, number>();
    // Nested items first: a field path may then be checked not to run into one.
    for (const { each } of mappers) {
      if (!each || eachBase.has(each)) continue;
      let at = bases[0]!.root;
      for (const step of each.split('.')) {
        if (at.base >= 0) return undefined; // an `each` inside another's nested items
        const next = child(at, step);
        at = next;
      }
      if (at.base >= 0 || at.children.size) return undefined;
      at.base = bases.length;
      eachBase.set(each, bases.length);
      bases.push({ root: at, slots: 0, marks: 0, idSlot: -1 });
    }
    /** The slot of a path under a base, adding it (undefined: the path cannot be followed without the tree). */
    const slotOf = (b: number, path: string): number | undefined => {
      const base = bases[b]!;
      let at = base.root;
      const steps = path.split('.');
      const way: Node[] = [];
      for (let i = 0; i < steps.length; i++) {
        const next = child(at, steps[i]!);
        if (next.base >= 0 || next.slot >= 0) {
          if (i === steps.length - 1 && next.slot >= 0) return next.slot; // a path read twice
          return undefined; // through a nested item or into a structure another field reads whole
        }
        at = next;
        if (i < steps.length - 1) way.push(at);
      }
      if (at.children.size) return undefined; // a structure read whole and paths inside it
      at.slot = base.slots++;
      for (const w of way) {
        if (w.mark < 0) w.mark = base.marks++;
        if (base.marks > 30) return undefined; // marks are the bits of one number
        w.under.push(at.slot);
      }
      return at.slot;
    };
    const entities: EntityPlan[] = [];
    for (const { mapper, each } of mappers) {
      const own = each ? eachBase.get(each)! : 0;
      const sources: Source[] = [];
      for (const f of mapper.sources) {
        if (f.rows) return undefined;
        if (f.from === undefined) sources.push({ at: 'constant', value: f.constant });
        else if (f.from.startsWith('^')) {
          // `^` reads the item an `each` record is nested in; without `each` there is none.
          if (!own) sources.push({ at: 'constant', value: undefined });
          else {
            const slot = slotOf(0, f.from.slice(1));
            if (slot === undefined) return undefined;
            sources.push({ at: 'item', slot });
          }
        } else {
          const slot = slotOf(own, f.from);
          if (slot === undefined) return undefined;
          sources.push({ at: 'own', slot });
        }
      }
      entities.push({ mapper, base: own, sources, values: new Array<Value>(sources.length) });
    }
    // The item's Id names the item in an error, whether a field reads it or not.
    const id = slotOf(0, 'Id');
    bases[0]!.idSlot = id ?? -1;
    return new StreamPlan(bases, entities);
  }

  /** A reader for one answer: each item's records appended to `out[k]` (k: the entity's place in `compile`). */
  reader(ctx: ItemContext, out: unknown[][], onRecords?: (k: number, from: number) => void): StreamReader {
    return new StreamReader(this.bases, this.entities, ctx, out, onRecords);
  }
}

/** The value of an element read whole (a structure, or a leaf's text once something nests in it): as in the tree. */
class Subtree {
  private readonly objs: (XmlObject | null)[] = [];
  private readonly texts: string[] = [];
  private readonly names: string[] = [];

  begin(): void {
    this.objs.push(null);
    this.texts.push('');
    this.names.push('');
  }
  open(name: string): void {
    if (this.objs[this.objs.length - 1] === null) this.objs[this.objs.length - 1] = {};
    this.objs.push(null);
    this.texts.push('');
    this.names.push(name);
  }
  text(t: string): void {
    this.texts[this.texts.length - 1] += t;
  }
  /** An element closes; the value when it is the one begun, else undefined. */
  close(): XmlValue | undefined {
    const obj = this.objs.pop()!;
    const text = this.texts.pop()!;
    const name = this.names.pop()!;
    const value: XmlValue = obj ?? text.trim();
    if (!this.objs.length) return value;
    const parent = this.objs[this.objs.length - 1]!;
    const prev = parent[name];
    if (prev === undefined) parent[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else parent[name] = [prev, value];
    return undefined;
  }
}

function fresh(b: Base): Instance {
  const slots: Slot[] = [];
  for (let i = 0; i < b.slots; i++) slots.push(UNSET);
  return { slots, marks: 0, live: false };
}

/** An instance as new: its records were made from it (they copied its values), so it may be read into again. */
function reset(inst: Instance): Instance {
  inst.slots.fill(UNSET);
  inst.marks = 0;
  inst.live = false;
  return inst;
}

class StreamReader implements ItemReader {
  /** Items read so far (non-empty ones): the answer's item count, and each item's place in errors. */
  count = 0;
  private item: Instance;
  /** Each base's nested items in the current item (index 0 unused). */
  private readonly nested: Instance[][];
  /**
   * Each base's instances of earlier items, read into again: a page holds tens of thousands of
   * nested items, and an instance per item was a good part of the garbage a sync made.
   */
  private readonly spare: Instance[][];
  private at: Node;
  private inst: Instance;
  private readonly nodes: Node[] = [];
  private readonly insts: Instance[] = [];
  /** Depth inside an element no field reads. */
  private skip = 0;
  /** Inside an element read whole: its slot, a leaf's text so far, the structure once an element nests in it, how deep. */
  private capSlot = -1;
  private capText = '';
  private capNested = false;
  private capDepth = 0;
  private readonly sub = new Subtree();

  constructor(
    private readonly bases: Base[],
    private readonly entities: EntityPlan[],
    private readonly ctx: ItemContext,
    private readonly out: unknown[][],
    private readonly onRecords?: (k: number, from: number) => void,
  ) {
    this.item = fresh(bases[0]!);
    this.nested = bases.map(() => []);
    this.spare = bases.map(() => []);
    this.at = bases[0]!.root;
    this.inst = this.item;
  }

  begin(): void {
    this.item = reset(this.item);
    for (let b = 1; b < this.nested.length; b++) {
      const list = this.nested[b]!;
      const spare = this.spare[b]!;
      for (const inst of list) spare.push(inst);
      list.length = 0;
    }
    this.at = this.bases[0]!.root;
    this.inst = this.item;
    this.nodes.length = 0;
    this.insts.length = 0;
    this.skip = 0;
    this.capSlot = -1;
    this.capNested = false;
    this.capDepth = 0;
  }

  open(name: string): void {
    if (this.skip) {
      this.skip++;
      return;
    }
    if (this.capSlot >= 0) {
      if (!this.capNested) {
        this.capNested = true;
        this.sub.begin();
        this.sub.text(this.capText);
      }
      this.sub.open(name);
      this.capDepth++;
      return;
    }
    const at = this.at;
    if (at.base >= 0 || at === this.bases[0]!.root) this.inst.live = true;
    const next = at.children.get(name);
    if (!next) {
      this.skip = 1;
      return;
    }
    this.nodes.push(at);
    this.insts.push(this.inst);
    this.at = next;
    if (next.base >= 0) {
      const spared = this.spare[next.base]!.pop();
      const inst = spared ? reset(spared) : fresh(this.bases[next.base]!);
      this.nested[next.base]!.push(inst);
      this.inst = inst;
    } else if (next.slot >= 0) {
      this.capSlot = next.slot;
      this.capText = '';
      this.capNested = false;
      this.capDepth = 0;
    } else if (next.mark >= 0) {
      const inst = this.inst;
      const bit = 1 << next.mark;
      if (inst.marks & bit) for (const s of next.under) inst.slots[s] = LOST;
      else inst.marks |= bit;
    }
  }

  text(t: string): void {
    if (this.skip) return;
    if (this.capSlot >= 0) {
      if (this.capNested) this.sub.text(t);
      else this.capText += t;
      return;
    }
    const at = this.at;
    if (!this.inst.live && (at.base >= 0 || at === this.bases[0]!.root) && t.trim() !== '') this.inst.live = true;
  }

  close(): void {
    if (this.skip) {
      this.skip--;
      return;
    }
    if (this.capSlot >= 0) {
      if (this.capDepth) {
        this.sub.close(); // an element inside the one read whole
        this.capDepth--;
        return;
      }
      this.keep(this.inst, this.capSlot, this.capNested ? this.sub.close()! : this.capText.trim());
      this.capSlot = -1;
      this.capNested = false;
    } else if (this.at.base >= 0 && !this.inst.live) this.spare[this.at.base]!.push(this.nested[this.at.base]!.pop()!);
    this.at = this.nodes.pop()!;
    this.inst = this.insts.pop()!;
  }

  /** A value read: a second one at the same path makes the list the tree has there. */
  private keep(inst: Instance, slot: number, value: XmlValue): void {
    const prev = inst.slots[slot]!;
    if (prev === LOST) return;
    if (prev === UNSET) inst.slots[slot] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else inst.slots[slot] = [prev, value];
  }

  end(): void {
    const item = this.item;
    if (!item.live) return;
    const index = this.count++;
    const idSlot = this.bases[0]!.idSlot;
    const id = idSlot >= 0 ? item.slots[idSlot] : undefined;
    for (let k = 0; k < this.entities.length; k++) {
      const e = this.entities[k]!;
      const out = this.out[k]!;
      const from = out.length;
      if (e.base === 0) out.push(this.record(e, item, item, id, index));
      else for (const inst of this.nested[e.base]!) out.push(this.record(e, inst, item, id, index));
      this.onRecords?.(k, from);
    }
  }

  private record(e: EntityPlan, own: Instance, item: Instance, id: Slot | undefined, index: number): unknown {
    const values = e.values;
    for (let i = 0; i < e.sources.length; i++) {
      const s = e.sources[i]!;
      if (s.at === 'constant') values[i] = s.value;
      else {
        const v = (s.at === 'own' ? own : item).slots[s.slot];
        values[i] = v === UNSET || v === LOST ? undefined : (v as Value);
      }
    }
    return e.mapper.record(values, id, this.ctx, index);
  }
}
