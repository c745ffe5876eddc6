/**
 * A Server-Sent Events parser for a stream read with fetch(): EventSource cannot send the
 * X-Auth-Token header, and the token must never go into a URL. Feed it text as it arrives; it
 * returns the complete events (comments and keep-alives are dropped).
 */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];

  push(text: string): SseMessage[] {
    this.#buffer += text;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = this.#nextLineEnd()) >= 0) {
      const line = this.#buffer.slice(0, nl);
      const skip = this.#buffer[nl] === '\r' && this.#buffer[nl + 1] === '\n' ? 2 : 1;
      this.#buffer = this.#buffer.slice(nl + skip);
      const message = this.#line(line);
      if (message) out.push(message);
    }
    return out;
  }

  #nextLineEnd(): number {
    const n = this.#buffer.indexOf('\n');
    const r = this.#buffer.indexOf('\r');
    // A lone \r at the very end may be the first half of \r\n: wait for more text.
    if (r >= 0 && (n < 0 || r < n)) return r === this.#buffer.length - 1 ? -1 : r;
    return n;
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    if (this.#data.length === 0) {
      this.#event = '';
      return undefined;
    }
    const message = {
      id: this.#id,
      event: this.#event === '' ? 'message' : this.#event,
      data: this.#data.join('\n'),
    };
    this.#event = '';
    this.#data = [];
    return message;
  }
}
