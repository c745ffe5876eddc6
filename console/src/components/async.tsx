import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure } from '../api.js';

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: Error };

/** Loads on mount and whenever `deps` change; `reload()` loads again. Stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ state: 'ok', value }),
      (error: unknown) => current && setLoaded({ state: 'error', error: error as Error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [loaded, reload];
}

/** An error as people read it: the server's message and code. */
export function ErrorNote({ error, what }: { error: Error; what?: string }): JSX.Element {
  const code = error instanceof ApiFailure ? ` (${error.code})` : '';
  return (
    <p class="error" role="alert">
      {what === undefined ? '' : `${what}: `}
      {error.message}
      {code}
    </p>
  );
}

/** Renders a load: a polite "Loading" line, the error, or the children with the value. */
export function Show<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  what: string;
  children: (value: T) => ComponentChildren;
}): JSX.Element {
  if (loaded.state === 'loading') return <p aria-busy="true">Loading {what}…</p>;
  if (loaded.state === 'error') return <ErrorNote error={loaded.error} what={`Could not load ${what}`} />;
  return <>{children(loaded.value)}</>;
}

/** The page's main heading; the document title follows it. */
export function PageTitle({ children }: { children: string }): JSX.Element {
  useEffect(() => {
    document.title = `${children} · Strata console`;
  }, [children]);
  return <h1>{children}</h1>;
}

export function MissingScope({ scope, what }: { scope: string; what: string }): JSX.Element {
  return (
    <p class="note">
      This token cannot {what}: it needs the scope <code>{scope}</code>.
    </p>
  );
}
