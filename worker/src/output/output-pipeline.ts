import { StringDecoder } from 'node:string_decoder';
import { Chunker, DEFAULT_MAX_CHUNK_BYTES, type OutputStream, type RawChunk } from './chunker';
import { SecretMasker } from './secret-masker';

type ProcessStream = Exclude<OutputStream, 'SYSTEM'>;

/**
 * Bytes of stdout/stderr → masked text chunks. Each stream has its own UTF-8 decoder (a
 * character split across two reads is kept whole) and its own secret masker (a secret split
 * across two reads is still masked); both feed one chunker so arrival order is kept.
 */
export class OutputPipeline {
  private readonly chunker: Chunker;
  private readonly decoders: Record<ProcessStream, StringDecoder>;
  private readonly maskers: Record<ProcessStream, SecretMasker>;

  constructor(secrets: Iterable<string>, maxChunkBytes = DEFAULT_MAX_CHUNK_BYTES) {
    const list = [...secrets];
    this.chunker = new Chunker(maxChunkBytes);
    this.decoders = { STDOUT: new StringDecoder('utf8'), STDERR: new StringDecoder('utf8') };
    this.maskers = { STDOUT: new SecretMasker(list), STDERR: new SecretMasker(list) };
  }

  write(stream: ProcessStream, bytes: Buffer, now = Date.now()): RawChunk[] {
    const text = this.maskers[stream].push(this.decoders[stream].write(bytes));
    return this.chunker.push(stream, text, now);
  }

  /** The stream reached EOF: emit what the decoder and masker still hold. */
  endStream(stream: ProcessStream, now = Date.now()): RawChunk[] {
    const masker = this.maskers[stream];
    const text = masker.push(this.decoders[stream].end()) + masker.end();
    return this.chunker.push(stream, text, now);
  }

  /** A platform line; closes the open chunk first so order is kept. */
  system(text: string, now = Date.now()): RawChunk[] {
    return [...this.chunker.push('SYSTEM', text, now), ...this.chunker.flush()];
  }

  flush(): RawChunk[] {
    return this.chunker.flush();
  }

  /** bytes in the open chunk (not yet handed out) */
  get pendingBytes(): number {
    return this.chunker.pendingBytes;
  }

  get pendingSince(): number | undefined {
    return this.chunker.pendingSince;
  }
}
