// Kafka Streams prints a topology description by iterating Java collections: a HashSet of store
// names, a HashMap of node names, TreeSets whose order was fixed when each element went in. To
// print what it prints, these reproduce the iteration orders of the JDK's HashMap and TreeMap.

/** Java's `String.hashCode()`: s[0]·31^(n-1) + … + s[n-1], in 32-bit arithmetic, over UTF-16 code units. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * The order in which a `java.util.HashSet<String>` (or a HashMap's keys) iterates over
 * `items` added in this order: by bucket (the spread hash masked by the table size, which
 * starts at 16 and doubles past a load of 0.75), then in insertion order within a bucket.
 * Buckets of eight or more entries, which the JDK turns into trees, are not modelled.
 */
export function javaHashSetOrder(items: readonly string[]): string[] {
  let capacity = 16;
  while (items.length > capacity * 0.75) capacity *= 2;
  const bucket = (item: string) => {
    const h = javaStringHash(item);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items.map((item, index) => ({ item, index, bucket: bucket(item) })).sort((a, b) => a.bucket - b.bucket || a.index - b.index).map((e) => e.item);
}

interface TreeEntry<T> {
  readonly value: T;
  left: TreeEntry<T> | null;
  right: TreeEntry<T> | null;
  parent: TreeEntry<T> | null;
  black: boolean;
}

/**
 * A `java.util.TreeSet` as the JDK builds it: a red-black tree in which each element is
 * placed by comparing it, when it is added, with the elements on its path from the root.
 * Kafka Streams orders a node's successors by their subtree sizes while those sizes still
 * grow, so an element's place depends on the tree's shape at that moment; this keeps the
 * same shape (TreeMap.put and fixAfterInsertion) and so the same iteration order.
 */
export class JavaTreeSet<T> {
  private root: TreeEntry<T> | null = null;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  add(value: T): void {
    let node = this.root;
    if (node === null) {
      this.root = { value, left: null, right: null, parent: null, black: true };
      return;
    }
    let parent: TreeEntry<T>;
    let cmp: number;
    do {
      parent = node;
      cmp = this.compare(value, node.value);
      if (cmp === 0) return;
      node = cmp < 0 ? node.left : node.right;
    } while (node !== null);
    const entry: TreeEntry<T> = { value, left: null, right: null, parent, black: false };
    if (cmp < 0) parent.left = entry;
    else parent.right = entry;
    this.rebalanceAfterInsert(entry);
  }

  /** The elements in iteration order. */
  values(): T[] {
    const out: T[] = [];
    const walk = (e: TreeEntry<T> | null): void => {
      if (e === null) return;
      walk(e.left);
      out.push(e.value);
      walk(e.right);
    };
    walk(this.root);
    return out;
  }

  private rebalanceAfterInsert(inserted: TreeEntry<T>): void {
    let x: TreeEntry<T> | null = inserted;
    while (x !== null && x !== this.root && isRed(x.parent)) {
      const parent: TreeEntry<T> = x.parent!;
      const grand = parent.parent;
      if (parent === grand?.left) {
        const uncle = grand.right;
        if (isRed(uncle)) {
          parent.black = true;
          uncle!.black = true;
          grand.black = false;
          x = grand;
        } else {
          if (x === parent.right) {
            x = parent;
            this.rotateLeft(x);
          }
          x.parent!.black = true;
          if (x.parent!.parent) {
            x.parent!.parent.black = false;
            this.rotateRight(x.parent!.parent);
          }
        }
      } else {
        const uncle = grand?.left ?? null;
        if (isRed(uncle)) {
          parent.black = true;
          uncle!.black = true;
          grand!.black = false;
          x = grand;
        } else {
          if (x === parent.left) {
            x = parent;
            this.rotateRight(x);
          }
          x.parent!.black = true;
          if (x.parent!.parent) {
            x.parent!.parent.black = false;
            this.rotateLeft(x.parent!.parent);
          }
        }
      }
    }
    this.root!.black = true;
  }

  private rotateLeft(p: TreeEntry<T>): void {
    const r = p.right!;
    p.right = r.left;
    if (r.left) r.left.parent = p;
    r.parent = p.parent;
    if (p.parent === null) this.root = r;
    else if (p.parent.left === p) p.parent.left = r;
    else p.parent.right = r;
    r.left = p;
    p.parent = r;
  }

  private rotateRight(p: TreeEntry<T>): void {
    const l = p.left!;
    p.left = l.right;
    if (l.right) l.right.parent = p;
    l.parent = p.parent;
    if (p.parent === null) this.root = l;
    else if (p.parent.right === p) p.parent.right = l;
    else p.parent.left = l;
    l.right = p;
    p.parent = l;
  }
}

function isRed<T>(entry: TreeEntry<T> | null): boolean {
  return entry !== null && !entry.black;
}
