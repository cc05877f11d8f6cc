/**
 * A minimal typed event emitter. A throwing handler cannot break the caller: its error is rethrown asynchronously.
 * Handler lists are copied on (un)subscribe, never on emit: events are many, subscriptions few.
 */
export class Emitter<Events extends object> {
  readonly #handlers = new Map<keyof Events, ReadonlyArray<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, handler: (payload: Events[E]) => void): () => void {
    const added = handler as (payload: never) => void;
    const list = this.#handlers.get(event) ?? [];
    // One handler once, however often it subscribes (as with a Set).
    if (!list.includes(added)) this.#handlers.set(event, [...list, added]);
    return () => {
      const list = this.#handlers.get(event);
      if (list) this.#handlers.set(event, list.filter((h) => h !== added));
    };
  }

  /** Whether anything listens to `event`, so that a caller can skip building a payload nobody reads. */
  listens(event: keyof Events): boolean {
    return (this.#handlers.get(event)?.length ?? 0) > 0;
  }

  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.#handlers.get(event);
    if (!list) return;
    for (const handler of list) {
      try {
        (handler as (payload: Events[E]) => void)(payload);
      } catch (error) {
        // An app bug must not stop monitoring; surface it where the app's error reporting sees it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#handlers.clear();
  }
}
