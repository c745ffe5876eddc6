/**
 * The first lines of a server-facing command on stderr, in order: the target (once the server
 * said who the token is, or once it is known the server will not be asked), then the validation
 * findings, which arrive before the server is asked and wait for the target line.
 */
import type { TokenIdentity } from '../client/preflight.js';
import type { Target } from '../config/target.js';
import type { Finding } from '../findings.js';
import { formatFinding } from './findings.js';
import type { Style } from './style.js';
import { targetLine } from './target.js';
import { findingJson } from '../validate/validate.js';

export class FirstLines {
  #targetShown = false;
  #pending: Finding[] = [];

  constructor(
    private readonly targetOf: Target,
    private readonly write: (line: string) => void,
    private readonly style: Style,
    private readonly quiet: boolean,
  ) {}

  /** The token's identity arrived: the target line, then the findings that waited for it. */
  target(token: TokenIdentity | null): void {
    if (this.#targetShown) return;
    this.#targetShown = true;
    this.write(targetLine(this.targetOf, token));
    this.flush();
  }

  findings(findings: readonly Finding[]): void {
    this.#pending.push(...findings);
    if (this.#targetShown) this.flush();
  }

  /** Prints what waits: the target line without scopes (the server was not asked), the findings. */
  flush(): void {
    if (!this.#targetShown) {
      this.#targetShown = true;
      this.write(targetLine(this.targetOf, null));
    }
    for (const f of this.#pending.splice(0)) {
      if (!this.quiet || f.severity === 'error') this.write(formatFinding(findingJson(f), this.style));
    }
  }
}
