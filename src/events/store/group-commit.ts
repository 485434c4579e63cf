/** What a flush decided for one member of its group: its result, or the error that member alone fails with. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Member<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a flush is in flight wait for it and then go together in the next one, so
 * one round trip serves every concurrent caller, and no caller waits longer than the flush in flight plus its
 * own. A flush starts once the current turn of the event loop is over (setImmediate), so that callers woken
 * together join the same group; an idle committer adds no delay beyond that.
 *
 * `flush` answers one Outcome per item, in order; if it throws, every item of the group fails with that error.
 */
export class GroupCommitter<T, R> {
  private pending: Member<T, R>[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly flush: (items: T[]) => Promise<Outcome<R>[]>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flushPending());
  }

  private async flushPending(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    const group = this.pending;
    this.pending = [];
    try {
      const outcomes = await this.flush(group.map((member) => member.item));
      group.forEach((member, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) member.resolve(outcome.value);
        else member.reject(outcome.error);
      });
    } catch (error) {
      for (const member of group) member.reject(error);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
