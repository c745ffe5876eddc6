/**
 * A plain JavaScript copy of the named nodes of a tree-sitter syntax tree, made in one cursor walk.
 * The renderer visits every node several times (scopes, references, decorators); asking the wasm
 * binding for children and fields each time allocates a wrapper per call and dominated the run
 * time, so the tree is copied once and the wasm tree freed straight away. Positions are the
 * parser's (`startPosition`), plus UTF-16 indices into the code.
 */
import type { Point, Tree } from '../code/python.js';
import type { SourceText } from '../code/source-text.js';

let nextId = 0;

export class PyNode {
  readonly namedChildren: PyNode[] = [];
  parent: PyNode | null = null;
  /** The named sibling before this node, or null. */
  previousSibling: PyNode | null = null;

  constructor(
    readonly id: number,
    readonly type: string,
    /** The field of the parent this node is in (`left`, `body`, ...), or null. */
    readonly field: string | null,
    /** UTF-16 indices into the code. */
    readonly startIndex: number,
    readonly endIndex: number,
    readonly source: SourceText,
  ) {}

  /** 0-based row and UTF-16 column, as tree-sitter's `Point` (computed on demand). */
  get startPosition(): Point {
    return point(this.source, this.startIndex);
  }

  get endPosition(): Point {
    return point(this.source, this.endIndex);
  }

  get text(): string {
    return this.source.code.slice(this.startIndex, this.endIndex);
  }

  childForFieldName(field: string): PyNode | null {
    for (const c of this.namedChildren) if (c.field === field) return c;
    return null;
  }

  childrenForFieldName(field: string): PyNode[] {
    return this.namedChildren.filter((c) => c.field === field);
  }

  /** Descendants (not this node) of the given type(s), in source order. */
  descendantsOfType(types: string | readonly string[]): PyNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: PyNode[] = [];
    const visit = (n: PyNode): void => {
      for (const c of n.namedChildren) {
        if (wanted.includes(c.type)) out.push(c);
        visit(c);
      }
    };
    visit(this);
    return out;
  }

  equals(other: PyNode): boolean {
    return this === other;
  }
}

function point(source: SourceText, index: number): Point {
  const { line, column } = source.locationOfIndex(index);
  return { row: line - 1, column: column - 1 };
}

/** Copy the named nodes of `tree` (parsed from `source.code`). The tree stays the caller's. */
export function copyTree(tree: Tree, source: SourceText): PyNode {
  const cursor = tree.walk();
  // web-tree-sitter reports UTF-16 indices for string input; with a binding that reports bytes,
  // go through the positions instead.
  const utf16 = source.unit === 'utf16';
  const make = (field: string | null): PyNode =>
    new PyNode(
      nextId++,
      cursor.nodeType,
      field,
      utf16 ? cursor.startIndex : source.indexOf(cursor.startPosition),
      utf16 ? cursor.endIndex : source.indexOf(cursor.endPosition),
      source,
    );
  const build = (node: PyNode): void => {
    if (!cursor.gotoFirstChild()) return;
    let previous: PyNode | null = null;
    do {
      if (!cursor.nodeIsNamed) continue;
      const child = make(cursor.currentFieldName);
      child.parent = node;
      child.previousSibling = previous;
      previous = child;
      node.namedChildren.push(child);
      build(child);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  try {
    const root = make(null);
    build(root);
    return root;
  } finally {
    cursor.delete();
  }
}
