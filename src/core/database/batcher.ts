export interface BatcherOptions<I, O> {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches in flight at once; items that arrive meanwhile wait and form the next batch. */
  maxParallel: number;
  /** Writes a batch; answers one result per item, in order. */
  run(items: I[]): Promise<O[]>;
  /**
   * True when a failed batch should be retried item by item, so that one bad item fails alone
   * (an input error); false when every item should fail with it (the database is down).
   */
  isolate(error: unknown): boolean;
}

interface Pending<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches calls made while other batches are in flight: group commit for writes (each caller
 * learns its outcome only once its batch has committed), one query for many reads. The round
 * trips, statements and commits per item fall as load grows.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: BatcherOptions<I, O>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxParallel || this.queue.length === 0) {
      return;
    }
    this.scheduled = true;
    // Let what arrives in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.options.maxParallel && this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        this.inFlight++;
        void this.flush(batch).finally(() => {
          this.inFlight--;
          this.schedule();
        });
      }
    });
  }

  private async flush(batch: Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.options.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (batch.length > 1 && this.options.isolate(error)) {
        await Promise.all(batch.map((p) => this.flush([p])));
        return;
      }
      for (const p of batch) p.reject(error);
    }
  }
}
