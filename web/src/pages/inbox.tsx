import { useEffect, useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { notices } from "../notify";
import { useStore } from "../store";
import { Link, Loading, Problem } from "../ui";
import { useHead } from "./head";
import type { NotificationOut, NotificationPage } from "./types";

interface ReadOut {
  marked: number;
  unread: number;
}

function Notice(props: { item: NotificationOut; onRead: (id: number) => void }) {
  const { item } = props;
  const when = new Date(item.created_at).toLocaleString();
  return (
    <li class={item.read ? "card" : "card unread"} data-testid="notification" data-kind={item.kind} data-read={String(item.read)}>
      <p>
        {item.read ? null : <strong>New · </strong>}
        {item.link ? <Link href={item.link}>{item.text}</Link> : item.text}
      </p>
      {item.excerpt ? <blockquote>{item.excerpt}</blockquote> : null}
      <p class="muted">
        {when}{" "}
        {item.read ? null : (
          <button type="button" onClick={() => props.onRead(item.id)} aria-label={`Mark “${item.text}” read`}>
            Mark read
          </button>
        )}
      </p>
    </li>
  );
}

/** Your notifications: newest first, a page at a time, with read markers; what the live stream
 * delivers while the page is open appears at the top as it arrives. */
export function Inbox() {
  useHead("Notifications");
  const signedIn = useStore(session);
  const live = useStore(notices);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<NotificationOut[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async (after: string | null) => {
    setError(null);
    try {
      const params = new URLSearchParams({ limit: "20" });
      if (unreadOnly) params.set("unread", "true");
      if (after) params.set("cursor", after);
      const page = await api<NotificationPage>(`/notifications?${params}`);
      setItems((old) => (after && old ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      notices.update({ unread: page.unread });
    } catch (failure) {
      setError(describe(failure));
    }
  };
  useEffect(() => {
    setItems(null);
    if (signedIn) void load(null);
  }, [signedIn?.token, unreadOnly]);

  const mark = async (json: { up_to: number } | { ids: number[] }) => {
    setError(null);
    try {
      const result = await api<ReadOut>("/notifications/read", { method: "POST", json });
      notices.update({ unread: result.unread });
      const read = (n: NotificationOut) => ("ids" in json ? json.ids.includes(n.id) : n.id <= json.up_to);
      const now = new Date().toISOString();
      setItems((old) => old && old.map((n) => (!n.read && read(n) ? { ...n, read: true, read_at: now } : n)));
      notices.update({ arrived: notices.value.arrived.map((n) => (read(n) ? { ...n, read: true } : n)) });
    } catch (failure) {
      setError(describe(failure));
    }
  };

  if (!signedIn) {
    return (
      <section aria-labelledby="inbox-title">
        <h1 id="inbox-title">Notifications</h1>
        <p>Sign in to see your notifications.</p>
      </section>
    );
  }
  // the stream's arrivals that the loaded page does not hold yet, newest first
  const known = new Set((items ?? []).map((n) => n.id));
  const shown = [...live.arrived.filter((n) => !known.has(n.id)), ...(items ?? [])];
  const newest = shown.reduce((top, n) => Math.max(top, n.id), 0);
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Notifications</h1>
      <p>
        <span data-testid="inbox-unread">{live.unread} unread</span>{" "}
        <span class="muted" data-testid="stream-state">
          {live.live ? "· live" : "· connecting…"}
        </span>
      </p>
      <p>
        <label>
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.currentTarget.checked)} /> Unread only
        </label>{" "}
        <button type="button" disabled={!newest || live.unread === 0} onClick={() => mark({ up_to: newest })}>
          Mark all read
        </button>
      </p>
      {error ? <Problem message={error} /> : null}
      {items === null && !error ? <Loading what="your notifications" /> : null}
      {items !== null && shown.length === 0 ? <p>Nothing yet: follow creators to hear when they post or go live.</p> : null}
      <ul class="plain" aria-label="Your notifications">
        {shown.map((n) => (
          <Notice key={n.id} item={n} onRead={(id) => mark({ ids: [id] })} />
        ))}
      </ul>
      {cursor ? (
        <button type="button" onClick={() => load(cursor)}>
          Older notifications
        </button>
      ) : null}
    </section>
  );
}
