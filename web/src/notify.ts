import { session } from "./api";
import type { NotificationOut } from "./pages/types";
import { Store } from "./store";

/** What the bell and the inbox show between page loads: the unread count and the
 * notifications the live stream delivered since the stream opened (newest first). */
export interface Notices {
  unread: number;
  arrived: NotificationOut[];
  live: boolean; // the stream is open
}

export const notices = new Store<Notices>({ unread: 0, arrived: [], live: false });

let stop: AbortController | null = null;

/** Reads ``GET /notifications/stream`` (Server-Sent Events) with the session's bearer token:
 * ``fetch`` rather than ``EventSource``, which cannot send a header, and a session token never
 * goes in a URL. The server closes a stream after a few minutes; it is reopened with
 * ``Last-Event-ID`` so nothing is missed, and after a failure a second later. */
async function listen(token: string, signal: AbortSignal): Promise<void> {
  let lastId: number | null = null;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "text/event-stream" };
      if (lastId !== null) headers["Last-Event-ID"] = String(lastId);
      const reply = await fetch("/notifications/stream", { headers, signal });
      if (reply.status === 401 || reply.status === 403) return; // signed out, or no identity
      if (!reply.ok || !reply.body) throw new Error(`stream answered ${reply.status}`);
      notices.update({ live: true });
      const reader = reply.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ended = handle(frame, (id, first) => {
            if (!first || lastId === null) lastId = id;
          });
          if (ended) return;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      console.warn("notification stream:", error);
    } finally {
      notices.update({ live: false });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** One SSE frame; true when the stream says the session ended. */
function handle(frame: string, seen: (id: number, first: boolean) => void): boolean {
  let event = "message";
  let data = "";
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
    else if (line.startsWith("id:")) seen(Number(line.slice(3).trim()), false);
  }
  if (!data) return false;
  const body = JSON.parse(data);
  if (event === "ready") {
    notices.update({ unread: body.unread });
    if (body.last_id) seen(body.last_id, true); // a reconnect keeps its own place
  } else if (event === "notification") {
    const item = body as NotificationOut;
    if (!notices.value.arrived.some((n) => n.id === item.id)) {
      notices.update({ unread: notices.value.unread + 1, arrived: [item, ...notices.value.arrived] });
    }
  } else if (event === "error") {
    return true;
  }
  return false;
}

/** Opens the stream while signed in, closes it on sign-out. */
export function followSession(): void {
  const restart = () => {
    stop?.abort();
    stop = null;
    notices.set({ unread: 0, arrived: [], live: false });
    if (session.value) {
      stop = new AbortController();
      void listen(session.value.token, stop.signal);
    }
  };
  let token = session.value?.token;
  session.subscribe(() => {
    if (session.value?.token !== token) {
      token = session.value?.token;
      restart();
    }
  });
  restart();
}
