import type { PubSubEngine } from 'graphql-subscriptions';
import { jsonClone } from './json-clone';
import type { LiveIterator, PubSubPort, ResumeEvent } from './pubsub.port';
import { ResumeSignal } from './resume-signal';

/**
 * The PubSubPort over any graphql-subscriptions engine. Our own iterator (rather than the
 * engine's) subscribes eagerly, so a subscriber is live before the client is told so, and a
 * slow consumer's queue is bounded.
 */
export class EnginePubSub implements PubSubPort {
  private readonly iterators = new Set<EagerIterator<unknown>>();
  /**
   * The payload published last in this synchronous run, and its JSON form: a job change goes
   * to two topics at once (all jobs, and the job's own) and is cloned once. Forgotten at the
   * next microtask, so a caller that changes an object and publishes it again gets a new clone.
   * Subscribers never change a payload (one is already shared by every subscriber of a topic).
   */
  private last: { payload: unknown; json: unknown } | undefined;

  constructor(
    private readonly engine: PubSubEngine,
    private readonly channel: (topic: string) => string,
    private readonly onClose: () => Promise<void>,
    private readonly maxQueued = 10_000,
    private readonly resume = new ResumeSignal(),
    /** When set, a failed publish is reported here and resolves (see PubSubPort.publish). */
    private readonly onPublishError?: (err: unknown, topic: string) => void,
  ) {}

  async publish(topic: string, payload: unknown): Promise<void> {
    const since = new Date();
    try {
      let json = this.last && this.last.payload === payload ? this.last.json : undefined;
      if (json === undefined) {
        json = toJson(payload);
        this.last = { payload, json };
        queueMicrotask(() => (this.last = undefined));
      }
      await this.engine.publish(this.channel(topic), json);
    } catch (err) {
      // Subscribers here may have missed it: they read the store now (and again when Redis is back).
      this.resume.fire({ since, topic });
      if (!this.onPublishError) throw err;
      this.onPublishError(err, topic);
    }
  }

  onResume(listener: (event: ResumeEvent) => void): () => void {
    return this.resume.add(listener);
  }

  async subscribe<T>(topic: string, handler: (payload: T) => void): Promise<() => void> {
    const id = await this.engine.subscribe(this.channel(topic), handler, {});
    return () => this.engine.unsubscribe(id);
  }

  asyncIterator<T>(topics: string | readonly string[]): LiveIterator<T> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    const it = new EagerIterator<T>(
      list.map((t) => this.channel(t)),
      this.engine,
      this.maxQueued,
      () => this.iterators.delete(it as EagerIterator<unknown>),
    );
    this.iterators.add(it as EagerIterator<unknown>);
    return it;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.iterators].map((it) => it.return()));
    await this.onClose();
  }
}

/** JSON round trip (without the text), so in-process delivery matches what Redis would deliver. */
function toJson(payload: unknown): unknown {
  return jsonClone(payload);
}

class EagerIterator<T> implements LiveIterator<T> {
  readonly ready: Promise<void>;
  private readonly queue: T[] = [];
  private readonly waiting: Array<(r: IteratorResult<T>) => void> = [];
  private subIds: number[] = [];
  private done = false;

  constructor(
    channels: string[],
    private readonly engine: PubSubEngine,
    private readonly maxQueued: number,
    private readonly onDone: () => void,
  ) {
    this.ready = Promise.all(channels.map((c) => engine.subscribe(c, (payload: T) => this.push(payload), {}))).then(
      (ids) => {
        if (this.done) ids.forEach((id) => engine.unsubscribe(id));
        else this.subIds = ids;
      },
    );
    // A failed subscribe surfaces through next(); keep it from being an unhandled rejection meanwhile.
    this.ready.catch(() => undefined);
  }

  private push(payload: T): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter({ value: payload, done: false });
    else if (this.queue.length < this.maxQueued) this.queue.push(payload);
    // Past maxQueued the consumer is hopelessly behind; dropping beats unbounded memory.
  }

  async next(): Promise<IteratorResult<T>> {
    await this.ready;
    if (this.queue.length > 0) return { value: this.queue.shift() as T, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.subIds.forEach((id) => this.engine.unsubscribe(id));
      this.subIds = [];
      this.queue.length = 0;
      this.waiting.splice(0).forEach((w) => w({ value: undefined, done: true }));
      this.onDone();
    }
    return { value: undefined, done: true };
  }

  async throw(err: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
