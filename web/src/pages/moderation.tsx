import { useState } from "preact/hooks";
import type { Hex } from "viem";
import { api, describe, session } from "../api";
import { type TxState, send } from "../chain";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { TxStatus } from "../tx";
import { Link, Loading, Problem, short } from "../ui";
import { useHead } from "./head";
import type { ContentKind, DecisionOut, HistoryOut, Page, QueueItem } from "./types";

/** Report reasons and moderation labels, as the API takes them (api.services.moderation). */
export const REASONS = ["spam", "scam", "undisclosed_promotion", "harassment", "other"] as const;
export const LABELS = ["undisclosed_promotion", "scam", "spam", "harassment", "impersonation", "other"] as const;

const words = (name: string) => name.replace(/_/g, " ");

/** What everyone sees in place of content the risk role hid. */
export function HiddenNotice(props: { label: string }) {
  return (
    <p class="warning" data-testid="moderation-label">
      Hidden by moderation: {words(props.label)}
    </p>
  );
}

/** A report button opening a small form (reason and note); one report per identity. */
export function ReportButton(props: { kind: ContentKind; id: number }) {
  const signedIn = useStore(session);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>("spam");
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  if (!signedIn) return null;
  const what = `${props.kind} ${props.id}`;
  if (done) return <span role="status">{done}</span>;
  if (!open) {
    return (
      <button type="button" class="link" onClick={() => setOpen(true)} aria-label={`Report ${what}`}>
        Report
      </button>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const json = { kind: props.kind, target_id: props.id, reason, ...(note ? { note } : {}) };
      const reply = await api<{ reason: string }>("/moderation/reports", { method: "POST", json });
      setDone(`Reported ${what} (${words(reply.reason)}): the risk team will review it.`);
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <form onSubmit={submit} class="inline" aria-label={`Report ${what}`}>
      <label for={`reason-${props.kind}-${props.id}`}>Reason</label>
      <select id={`reason-${props.kind}-${props.id}`} value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
        {REASONS.map((r) => (
          <option key={r} value={r}>
            {words(r)}
          </option>
        ))}
      </select>
      <label for={`note-${props.kind}-${props.id}`}>Note (optional)</label>
      <input id={`note-${props.kind}-${props.id}`} value={note} maxLength={1000} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="submit">Send report</button>
      {problem ? <Problem message={problem} /> : null}
    </form>
  );
}

/** Every version of a post or comment, the current first, behind a toggle. */
export function History(props: { path: string; title: string }) {
  const [open, setOpen] = useState(false);
  const history = useApi<HistoryOut>(open ? props.path : null);
  return (
    <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{props.title}</summary>
      {history.error ? <Problem message={history.error} /> : null}
      {open && !history.data && !history.error ? <Loading what="the history" /> : null}
      <ol aria-label="Versions" data-testid="versions">
        {history.data?.versions.map((v) => (
          <li key={v.written_at}>
            <span class="muted">
              {new Date(v.written_at).toLocaleString()}
              {v.replaced_at ? "" : " (current)"}:
            </span>{" "}
            {v.body || <em>withheld</em>}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The author's edit and delete controls for a post or comment. */
export function AuthorTools(props: { kind: "post" | "comment"; id: number; body: string; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(props.body);
  const [problem, setProblem] = useState<string | null>(null);
  const path = props.kind === "post" ? `/posts/${props.id}` : `/comments/${props.id}`;
  const act = (method: "PATCH" | "DELETE", json?: unknown) => async () => {
    setProblem(null);
    try {
      await api(path, { method, json });
      setEditing(false);
      props.onChanged();
    } catch (error) {
      setProblem(describe(error));
    }
  };
  const remove = async () => {
    if (window.confirm(`Delete this ${props.kind}? Its text and history are erased for good.`)) await act("DELETE")();
  };
  return (
    <span class="author-tools">
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act("PATCH", { body: text })();
          }}
        >
          <label for={`edit-${props.kind}-${props.id}`}>Edit your {props.kind}</label>
          <textarea id={`edit-${props.kind}-${props.id}`} value={text} required maxLength={props.kind === "post" ? 10000 : 2000} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit">Save edit</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => (setText(props.body), setEditing(true))} aria-label={`Edit ${props.kind} ${props.id}`}>
          Edit
        </button>
      )}
      <button type="button" onClick={remove} aria-label={`Delete ${props.kind} ${props.id}`}>
        Delete
      </button>
      {problem ? <Problem message={problem} /> : null}
    </span>
  );
}

function targetLink(item: QueueItem["target"]) {
  if (item.kind === "post") return <Link href={`/post/${item.id}`}>post {item.id}</Link>;
  if (item.kind === "comment") return <Link href={`/post/${item.post_id}`}>comment {item.id} on post {item.post_id}</Link>;
  if (item.kind === "message") return <Link href={`/session/${item.session_id}`}>chat message {item.id}</Link>;
  return <span>identity #{item.id}</span>;
}

/** One queued item with the risk role's decisions; a revoke sends its transactions from the
 * wallet (ContributionPoints.revoke, RISK_ROLE only). */
function Decide(props: { item: QueueItem; onDecided: () => void }) {
  const { target } = props.item;
  const [label, setLabel] = useState<string>("scam");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [tx, setTx] = useState<TxState>({ status: "idle" });
  const id = `${target.kind}-${target.id}`;
  const decide = (action: DecisionOut["action"]) => async () => {
    setProblem(null);
    if (!reason.trim()) {
      setProblem("Write the reason first: the author reads it.");
      return;
    }
    try {
      const json = { action, kind: target.kind, target_id: target.id, reason, ...(action === "hide" ? { label } : {}) };
      const made = await api<DecisionOut>("/moderation/decisions", { method: "POST", json });
      for (const r of made.revocations) {
        const final = await send({ contract: "ContributionPoints", functionName: "revoke", args: [r.uid as Hex, reason] }, setTx);
        if (final.status !== "confirmed") return;
      }
      setDone(`Decision ${made.id}: ${action}${made.label ? ` (${words(made.label)})` : ""}`);
      props.onDecided();
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <li data-testid={`queue-${id}`}>
      <p>
        {targetLink(target)} by {target.author_address ? short(target.author_address) : "unknown"}: {props.item.reports} report(s) (
        {Object.entries(props.item.reasons)
          .map(([r, n]) => `${words(r)} x${n}`)
          .join(", ")}
        ){target.moderation_label ? ` · hidden as ${words(target.moderation_label)}` : ""}
      </p>
      <blockquote>{target.text || <em>deleted</em>}</blockquote>
      {props.item.notes.length ? <p class="muted">Notes: {props.item.notes.join(" · ")}</p> : null}
      <label for={`why-${id}`}>Reason for the decision</label>
      <input id={`why-${id}`} value={reason} maxLength={1000} onInput={(e) => setReason(e.currentTarget.value)} />
      <label for={`label-${id}`}>Label</label>
      <select id={`label-${id}`} value={label} onChange={(e) => setLabel(e.currentTarget.value)}>
        {LABELS.map((l) => (
          <option key={l} value={l}>
            {words(l)}
          </option>
        ))}
      </select>
      {target.moderation_label ? (
        <button type="button" onClick={decide("restore")}>
          Restore
        </button>
      ) : (
        <button type="button" onClick={decide("hide")}>
          Hide
        </button>
      )}
      <button type="button" onClick={decide("dismiss")}>
        Dismiss reports
      </button>
      {target.kind === "post" || target.kind === "comment" ? (
        <button type="button" onClick={decide("revoke")}>
          Revoke its points
        </button>
      ) : null}
      <TxStatus state={tx} label="Revoke" />
      {done ? <p role="status">{done}</p> : null}
      {problem ? <Problem message={problem} /> : null}
    </li>
  );
}

function Decisions(props: { path: string; title: string; empty: string }) {
  const log = useApi<Page<DecisionOut>>(props.path);
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {log.error ? <Problem message={log.error} /> : null}
      {log.data?.items.length === 0 ? <p>{props.empty}</p> : null}
      <ul data-testid={props.path.endsWith("mine") ? "my-decisions" : "decision-log"}>
        {log.data?.items.map((d) => (
          <li key={d.id}>
            {new Date(d.created_at).toLocaleString()}: {d.action}
            {d.label ? ` (${words(d.label)})` : ""} {d.kind} {d.target_id} by {short(d.decided_by)}: {d.reason}
            {d.uids ? ` (${d.revoked_on_chain?.length ?? 0} of ${d.uids.length} revoked on chain)` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The moderation page (at /moderate: /moderation is the API's): every signed-in identity reads the decisions about its content; a
 * wallet holding RISK_ROLE on chain also gets the queue and the log. */
export function Moderation() {
  useHead("Moderation");
  const signedIn = useStore(session);
  const role = useApi<{ risk_role: boolean }>(signedIn ? "/moderation/role" : null);
  const queue = useApi<Page<QueueItem>>(role.data?.risk_role ? "/moderation/queue?limit=50" : null);
  const [decided, setDecided] = useState(0); // remounts the log after each decision
  const onDecided = () => {
    queue.reload();
    setDecided((n) => n + 1);
  };
  if (!signedIn) {
    return (
      <section>
        <h1>Moderation</h1>
        <p>Sign in to see the decisions about your content (or, with the risk role, the review queue).</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="moderation-title">
      <h1 id="moderation-title">Moderation</h1>
      <Decisions path="/moderation/decisions/mine" title="Decisions about your content" empty="No decision about your content." />
      {role.data?.risk_role ? (
        <>
          <h2>Review queue</h2>
          {queue.error ? <Problem message={queue.error} /> : null}
          {queue.data?.items.length === 0 ? <p>Nothing awaits a decision.</p> : null}
          <ul class="queue" aria-label="Review queue">
            {queue.data?.items.map((item) => (
              <Decide key={`${item.target.kind}-${item.target.id}`} item={item} onDecided={onDecided} />
            ))}
          </ul>
          <Decisions key={decided} path="/moderation/decisions" title="Decision log" empty="No decision yet." />
        </>
      ) : role.data ? (
        <p class="muted">This wallet does not hold the risk role: the review queue is for risk officers.</p>
      ) : null}
    </section>
  );
}
