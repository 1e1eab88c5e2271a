import { useEffect, useState } from "preact/hooks";

/** A value that components re-render on: the app's few pieces of shared state (wallet,
 * session, chain) live in these instead of a state library, to keep the bundle small. */
export class Store<T> {
  private listeners = new Set<() => void>();
  constructor(public value: T) {}
  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener();
  }
  update(part: Partial<T>): void {
    this.set({ ...this.value, ...part });
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The store's value, re-rendering on change. Effects subscribe after the render, so a change
 * in between (a wallet reconnecting while the page mounts) is caught up on at subscription. */
export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  const rendered = store.value;
  useEffect(() => {
    const unsubscribe = store.subscribe(() => force((n) => n + 1));
    if (store.value !== rendered) force((n) => n + 1);
    return unsubscribe;
  }, [store]);
  return store.value;
}
