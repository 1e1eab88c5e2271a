import { useEffect, useRef, useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { useApi } from "../hooks";
import { HiddenNotice, ReportButton } from "./moderation";
import { useStore } from "../store";
import { Link, Loading, Problem } from "../ui";
import { AttestButton } from "./attest";
import { useHead } from "./head";
import type { Author, Page } from "./types";

interface Session {
  id: number;
  host: Author;
  title: string;
  description: string;
  visibility: "public" | "private";
  status: "scheduled" | "live" | "ended";
  scheduled_at: string;
  attendee_count: number;
  message_count: number;
}
interface Message {
  id: number;
  handle: string | null;
  address: string;
  body: string;
  created_at: string;
  moderation_label?: string | null;
}

/** The socket's `moderated` frame: a message hidden (`label`, no text) or restored (its text). */
interface Moderated {
  message_id: number;
  label: string | null;
}

function Schedule(props: { onDone: () => void }) {
  const [title, setTitle] = useState("");
  const [minutes, setMinutes] = useState("10");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const at = new Date(Date.now() + Number(minutes) * 60_000).toISOString();
      await api("/live", { method: "POST", json: { title, scheduled_at: at } });
      setTitle("");
      props.onDone();
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule a session</h2>
      <label for="live-title">Title</label>
      <input id="live-title" value={title} required maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="live-in">Starts in (minutes)</label>
      <input id="live-in" inputMode="numeric" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
      <button type="submit">Schedule</button>
      {problem ? <Problem message={problem} /> : null}
    </form>
  );
}

/** Live sessions, newest first; signed-in creators schedule one here. */
export function Sessions() {
  useHead("Live");
  const signedIn = useStore(session);
  const list = useApi<Page<Session>>("/live?limit=30");
  return (
    <section aria-labelledby="live-title-h">
      <h1 id="live-title-h">Live sessions</h1>
      {list.error ? <Problem message={list.error} /> : null}
      {!list.data && !list.error ? <Loading what="sessions" /> : null}
      {list.data?.items.length === 0 ? <p>No session yet.</p> : null}
      <ul>
        {list.data?.items.map((s) => (
          <li key={s.id}>
            <Link href={`/session/${s.id}`}>{s.title}</Link> by @{s.host.handle ?? s.host.address} · {s.status} ·{" "}
            {s.attendee_count} attending
          </li>
        ))}
      </ul>
      {signedIn ? <Schedule onDone={list.reload} /> : <p>Sign in to schedule a session.</p>}
    </section>
  );
}

/** A session: its chat over WebSocket (a single-use ticket opens it signed in), and the
 * host's start and end buttons. */
export function LiveSession(props: { id: number }) {
  useHead(`Live session ${props.id}`);
  const signedIn = useStore(session);
  const info = useApi<Session>(`/live/${props.id}`);
  const history = useApi<Page<Message>>(`/live/${props.id}/messages?limit=100`);
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState("");
  const [state, setState] = useState<string>("not connected");
  const [problem, setProblem] = useState<string | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const status = info.data?.status;
  useEffect(() => {
    if (history.data) setMessages(history.data.items);
  }, [history.data]);
  useEffect(() => {
    if (!signedIn || status !== "live") return;
    let closed = false;
    api<{ url: string }>(`/live/${props.id}/chat/ticket`, { method: "POST" }).then(
      (ticket) => {
        if (closed) return;
        const scheme = window.location.protocol === "https:" ? "wss" : "ws";
        const ws = new WebSocket(`${scheme}://${window.location.host}${ticket.url}`);
        socket.current = ws;
        ws.onopen = () => setState("connected");
        ws.onclose = (e) => setState(`closed (${e.code}${e.reason ? `: ${e.reason}` : ""})`);
        ws.onmessage = (e) => {
          const frame = JSON.parse(e.data as string) as { type: string; error?: { message: string } } & Message & Moderated;
          if (frame.type === "message") setMessages((list) => (list.some((m) => m.id === frame.id) ? list : [...list, frame]));
          if (frame.type === "moderated") {
            // the risk role hid a message (its label replaces the text) or restored it (the text is back)
            setMessages((list) =>
              list.map((m) => (m.id === frame.message_id ? { ...m, body: frame.body, moderation_label: frame.label } : m)),
            );
          }
          if (frame.type === "error") setProblem(frame.error?.message ?? "chat error");
          if (frame.type === "status") info.reload();
        };
      },
      (error) => setProblem(describe(error)),
    );
    return () => {
      closed = true;
      socket.current?.close();
      socket.current = null;
    };
  }, [signedIn?.token, status, props.id]);
  if (info.error) return <Problem message={info.error} />;
  if (!info.data) return <Loading what="the session" />;
  const s = info.data;
  const host = signedIn?.address === s.host.address.toLowerCase();
  const act = (what: "start" | "end") => async () => {
    setProblem(null);
    try {
      await api(`/live/${props.id}/${what}`, { method: "POST" });
      info.reload();
    } catch (error) {
      setProblem(describe(error));
    }
  };
  const send = (event: Event) => {
    event.preventDefault();
    if (socket.current?.readyState !== WebSocket.OPEN) return;
    socket.current.send(JSON.stringify({ body: text }));
    setText("");
  };
  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">{s.title}</h1>
      <p>
        Hosted by @{s.host.handle ?? s.host.address} · <span data-testid="live-status">{s.status}</span> ·{" "}
        {s.attendee_count} attending · {s.message_count} messages
      </p>
      {host && s.status === "scheduled" ? (
        <button type="button" onClick={act("start")}>
          Start the session
        </button>
      ) : null}
      {host && s.status === "live" ? (
        <button type="button" onClick={act("end")}>
          End the session
        </button>
      ) : null}
      {host && s.status === "ended" ? <AttestButton activity="live" id={s.id} /> : null}
      <h2>Chat</h2>
      <p class="muted" aria-live="polite">
        Chat {state}
      </p>
      <ul aria-label="Messages" class="comments">
        {messages.map((m) => (
          <li key={m.id}>
            <strong>{m.handle ? `@${m.handle}` : m.address}</strong>:{" "}
            {m.moderation_label ? <HiddenNotice label={m.moderation_label} /> : m.body}{" "}
            {!m.moderation_label && signedIn && signedIn.address !== m.address.toLowerCase() ? <ReportButton kind="message" id={m.id} /> : null}
          </li>
        ))}
      </ul>
      {s.status === "live" && signedIn ? (
        <form onSubmit={send}>
          <label for="chat-text">Message</label>
          <input id="chat-text" value={text} required maxLength={500} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit">Send</button>
        </form>
      ) : null}
      {problem ? <Problem message={problem} /> : null}
    </section>
  );
}
