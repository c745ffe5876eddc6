/**
 * Loading a template and the feature modules it reaches through imports, breadth first: each
 * module is read and parsed once, its imports checked, its statements read.
 */
import type { PythonParser } from '../code/python.js';
import { diagnostic, type RenderDiagnostic } from './diagnostics.js';
import type { RenderIO } from './io.js';
import { analyzeModule, normaliseSource, type ModuleContext, type PyModule } from './module.js';
import { displayPath, moduleCandidates } from './paths.js';

export interface LoadContext {
  parser: PythonParser;
  io: Pick<RenderIO, 'readFile' | 'isFile' | 'codeFacts'>;
  cwd: string;
  /** The module root (absolute). */
  root: string;
}

export interface TemplateSource {
  /** Dotted name of the template: its file stem. */
  name: string;
  /** Absolute path. */
  file: string;
  /** The path diagnostics use. */
  display: string;
  /** The file's text as read. */
  text: string;
}

export interface LoadedModules {
  template: PyModule;
  /** Feature modules by dotted name. */
  features: Map<string, PyModule>;
  /** Every module, the template first, then features in the order they were reached. */
  modules: PyModule[];
  /** Each module's text with LF line endings: what its header's md5 is of. */
  texts: Map<PyModule, string>;
  errors: RenderDiagnostic[];
}

const DOTTED = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

/** The template and every feature module it reaches, with every read, import and syntax error. */
export function loadModules(ctx: LoadContext, source: TemplateSource): LoadedModules {
  const { io, cwd } = ctx;
  const moduleContext = contextFor(ctx);
  const first = analyzeModule(
    {
      name: source.name,
      isTemplate: true,
      file: source.file,
      display: source.display,
      code: normaliseSource(source.text),
    },
    moduleContext,
  );
  const loaded: LoadedModules = {
    template: first.module,
    features: new Map(),
    modules: [first.module],
    texts: new Map([[first.module, source.text.replace(/\r\n?/g, '\n')]]),
    errors: [...first.errors],
  };
  const queue: PyModule[] = [first.module];
  for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
    for (const b of m.imports) {
      if (b.kind !== 'feature' || loaded.features.has(b.module)) continue;
      const text = io.readFile(b.file);
      if (text === null) {
        loaded.errors.push(
          diagnostic('E_RENDER_READ', m.display, b.at, `cannot read ${displayPath(cwd, b.file)}`),
        );
        continue;
      }
      const feature = analyzeModule(
        {
          name: b.module,
          isTemplate: false,
          file: b.file,
          display: displayPath(cwd, b.file),
          code: normaliseSource(text),
        },
        moduleContext,
      );
      loaded.features.set(b.module, feature.module);
      loaded.modules.push(feature.module);
      loaded.texts.set(feature.module, text.replace(/\r\n?/g, '\n'));
      loaded.errors.push(...feature.errors);
      queue.push(feature.module);
    }
  }
  return loaded;
}

/** What reading each module needs: the parser, the facts store, feature lookup under the root. */
function contextFor({ parser, io, cwd, root }: LoadContext): ModuleContext {
  const resolved = new Map<string, string | null>();
  return {
    parser,
    codeFacts: io.codeFacts,
    root: displayPath(cwd, root) || '.',
    resolveModule(module) {
      let file = resolved.get(module);
      if (file === undefined) {
        file = DOTTED.test(module)
          ? (moduleCandidates(root, module).find((p) => io.isFile(p)) ?? null)
          : null;
        resolved.set(module, file);
      }
      return file;
    },
  };
}
