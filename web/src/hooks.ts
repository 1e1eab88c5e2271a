import { useEffect, useState } from "preact/hooks";
import { api, describe, session } from "./api";
import { useStore } from "./store";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  status: number | null;
  code: string | null;
  reload: () => void;
}

/** GETs ``path`` from the API (again when the session changes or ``reload`` is called). */
export function useApi<T>(path: string | null): Loaded<T> {
  const signedIn = useStore(session);
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<Omit<Loaded<T>, "reload">>({ data: null, error: null, status: null, code: null });
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState({ data: null, error: null, status: null, code: null });
    api<T>(path).then(
      (data) => live && setState({ data, error: null, status: 200, code: null }),
      (error) =>
        live &&
        setState({
          data: null,
          error: describe(error),
          status: (error as { status?: number }).status ?? null,
          code: (error as { code?: string }).code ?? null,
        }),
    );
    return () => {
      live = false;
    };
  }, [path, signedIn?.token, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}
