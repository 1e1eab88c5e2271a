import { Store } from "./store";

/** An API error answer: every error is {"error": {"code", "message"}}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  token: string;
  address: string; // lowercase
  expires_at: string;
}

const KEY = "planet.session";

function stored(): Session | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
    return value && Date.parse(value.expires_at) > Date.now() ? value : null;
  } catch {
    return null;
  }
}

/** The signed-in session; kept in localStorage so it survives a reload. */
export const session = new Store<Session | null>(stored());
session.subscribe(() => {
  if (session.value) localStorage.setItem(KEY, JSON.stringify(session.value));
  else localStorage.removeItem(KEY);
});

type Init = Omit<RequestInit, "body"> & { json?: unknown };

/** Same-origin JSON call to the API, with the session's bearer token when signed in. */
export async function api<T>(path: string, init: Init = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(init.json);
  }
  if (session.value) headers.Authorization = `Bearer ${session.value.token}`;
  const reply = await fetch(path, { ...init, headers, body });
  const text = await reply.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!reply.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    if (reply.status === 401 && session.value && error?.code !== "not_authenticated") {
      session.set(null); // the token expired or was revoked: sign in again
    }
    throw new ApiError(reply.status, error?.code ?? "http_error", error?.message ?? reply.statusText);
  }
  return parsed as T;
}

/** The message to show for any failure. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
