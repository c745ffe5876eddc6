import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Tree } from 'web-tree-sitter';
import { loadPython, PYTHON_WASM_ENV, resolvePythonWasm, type PythonParser } from '../../src/code/python.js';

let py: PythonParser;
beforeAll(async () => {
  py = await loadPython();
});

describe('loadPython', () => {
  it('loads once per process and reuses the parser', async () => {
    const again = await loadPython();
    expect(again).toBe(py);
    expect(py.positionUnit).toBe('utf16');
  });

  it('parses Python into a module tree', () => {
    const tree = py.parse('x = 1\n');
    try {
      expect(tree.rootNode.type).toBe('module');
      expect(tree.rootNode.firstNamedChild?.type).toBe('expression_statement');
      expect(py.source(tree).code).toBe('x = 1\n');
    } finally {
      tree.delete();
    }
  });

  it('withTree returns the callback value and deletes the tree, also when the callback throws', () => {
    const spy = vi.spyOn(Tree.prototype, 'delete');
    try {
      expect(py.withTree('a = 2\n', (tree) => tree.rootNode.namedChildCount)).toBe(1);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(() =>
        py.withTree('a = 2\n', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('locates nodes with 1-based lines and character columns', () => {
    py.withTree('# Ünïcødé\nname = "Zürich"; api = "4.0.0"\n', (tree) => {
      const stmts = tree.rootNode.namedChildren.filter((n) => n?.type === 'expression_statement');
      const api = stmts[1]?.firstNamedChild?.childForFieldName('right');
      expect(api?.text).toBe('"4.0.0"');
      expect(py.locate(api!)).toEqual({ line: 2, column: 24 });
      expect(py.locate(api!, 'end')).toEqual({ line: 2, column: 31 });
    });
  });

  it('refuses trees it did not produce', () => {
    const tree = py.parse('x = 1\n');
    const copy = tree.copy();
    try {
      expect(() => py.syntaxErrors(copy)).toThrow(/not produced by this parser/);
    } finally {
      copy.delete();
      tree.delete();
    }
  });
});

describe('resolvePythonWasm', () => {
  const saved = process.env[PYTHON_WASM_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[PYTHON_WASM_ENV];
    else process.env[PYTHON_WASM_ENV] = saved;
  });

  it('finds the grammar shipped with tree-sitter-python', () => {
    delete process.env[PYTHON_WASM_ENV];
    expect(resolvePythonWasm()).toMatch(/[/\\]tree-sitter-python[/\\]tree-sitter-python\.wasm$/);
  });

  it('prefers an explicit path from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-wasm-'));
    try {
      const copy = join(dir, 'python.wasm');
      copyFileSync(resolvePythonWasm(), copy);
      process.env[PYTHON_WASM_ENV] = copy;
      expect(resolvePythonWasm()).toBe(copy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an explicit path that does not exist', () => {
    process.env[PYTHON_WASM_ENV] = join(tmpdir(), 'no-such-dir-strata', 'python.wasm');
    expect(() => resolvePythonWasm()).toThrow(PYTHON_WASM_ENV);
  });
});
