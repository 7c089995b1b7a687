/** Subscribers to change events, called in the order they subscribed. */
export class Listeners<E> {
  private readonly fns = new Set<(event: E) => void>();

  /** Subscribes; returns the function that unsubscribes. */
  add(fn: (event: E) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }

  emit(event: E): void {
    for (const fn of this.fns) fn(event);
  }
}
