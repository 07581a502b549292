/**
 * Reads a byte stream (an HTTP body) in pieces of known length: exactly n bytes, or the next n
 * bytes as a stream of chunks, without ever buffering more than one incoming chunk. The batch
 * store parses its framing with it; it also counts the bytes it has read.
 */
export class StreamEndedError extends Error {
  override name = 'StreamEndedError';
}

export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #pending: Uint8Array = new Uint8Array(0);
  #ended = false;
  #read = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Bytes handed out so far. */
  get bytesRead(): number {
    return this.#read;
  }

  async #fill(): Promise<boolean> {
    while (this.#pending.length === 0) {
      if (this.#ended) return false;
      const next = await this.#source.next();
      if (next.done) {
        this.#ended = true;
        return false;
      }
      this.#pending = next.value;
    }
    return true;
  }

  /** The next `n` bytes; throws StreamEndedError if the stream ends first. */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = 0;
    for await (const chunk of this.take(n)) {
      out.set(chunk, filled);
      filled += chunk.length;
    }
    if (filled < n) throw new StreamEndedError(`the stream ended after ${filled} of ${n} bytes`);
    return out;
  }

  /** Yields the next `n` bytes in chunks; yields fewer only when the stream ends first. */
  async *take(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.#fill())) {
      const chunk = this.#pending.length <= left ? this.#pending : this.#pending.subarray(0, left);
      this.#pending = this.#pending.subarray(chunk.length);
      left -= chunk.length;
      this.#read += chunk.length;
      yield chunk;
    }
  }

  /** True when nothing is left to read. */
  async atEnd(): Promise<boolean> {
    return !(await this.#fill());
  }
}
