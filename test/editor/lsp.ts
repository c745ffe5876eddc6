/**
 * A minimal Language Server Protocol client over stdio (JSON-RPC with Content-Length framing),
 * enough to drive yaml-language-server as an editor does: initialize, configure schemas, open a
 * document, and read the diagnostics it publishes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };

export class LanguageServer {
  readonly #child: ChildProcessWithoutNullStreams;
  #buffer = Buffer.alloc(0);
  #nextId = 1;
  readonly #pending = new Map<number, (m: Message) => void>();
  readonly #diagnostics = new Map<string, Diagnostic[]>();
  readonly #waiters: Array<{ uri: string; resolve: (d: Diagnostic[]) => void }> = [];
  /** URLs the server asked the client to fetch (it should never need to: schemas resolve locally). */
  readonly requestedUrls: string[] = [];
  stderr = '';

  constructor(private readonly settings: Record<string, unknown>) {
    const require = createRequire(import.meta.url);
    const bin = join(
      dirname(require.resolve('yaml-language-server/package.json')),
      'bin',
      'yaml-language-server',
    );
    this.#child = spawn(process.execPath, [bin, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.on('data', (chunk: Buffer) => this.#read(chunk));
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  #send(message: Message & { jsonrpc?: string }): void {
    const text = JSON.stringify({ jsonrpc: '2.0', ...message });
    this.#child.stdin.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }

  #read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.#buffer.subarray(0, end).toString())?.[1]);
      if (this.#buffer.length < end + 4 + length) return;
      const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      this.#handle(JSON.parse(body) as Message);
    }
  }

  #handle(m: Message): void {
    if (m.id !== undefined && m.method === undefined) {
      this.#pending.get(m.id)?.(m);
      this.#pending.delete(m.id);
      return;
    }
    if (m.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = m.params as { uri: string; diagnostics: Diagnostic[] };
      this.#diagnostics.set(uri, diagnostics);
      for (const w of this.#waiters.splice(0).filter((x) => x.uri === uri)) w.resolve(diagnostics);
      return;
    }
    if (m.id === undefined) return;
    // Requests from the server: configuration, and content of schemas it wants (never expected).
    if (m.method === 'workspace/configuration') {
      const items = (m.params as { items: Array<{ section?: string }> }).items;
      this.#send({
        id: m.id,
        result: items.map((i) => (i.section ? this.settings[i.section] : this.settings)),
      });
    } else if (m.method === 'custom/schema/request') {
      this.requestedUrls.push(String(m.params));
      this.#send({ id: m.id, error: { code: -32603, message: 'the test client fetches nothing' } });
    } else {
      this.#send({ id: m.id, result: null });
    }
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (m) =>
        m.error ? reject(new Error(JSON.stringify(m.error))) : resolve(m.result),
      );
      this.#send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.#send({ method, params });
  }

  async start(root: string): Promise<void> {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          publishDiagnostics: {},
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: this.settings });
  }

  /** Opens a document and resolves with the diagnostics the server publishes for it. */
  diagnose(path: string, text: string): Promise<Diagnostic[]> {
    const uri = pathToFileURL(path).href;
    const published = new Promise<Diagnostic[]>((resolve) => this.#waiters.push({ uri, resolve }));
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return published;
  }

  async stop(): Promise<void> {
    await this.request('shutdown', null).catch(() => undefined);
    this.notify('exit', null);
    await new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null) resolve();
      else this.#child.on('exit', () => resolve());
    });
  }
}
