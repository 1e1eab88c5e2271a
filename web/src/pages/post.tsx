import { useEffect, useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { Link, Loading, Problem } from "../ui";
import { useHead } from "./head";
import { AttestButton } from "./attest";
import { AuthorTools, HiddenNotice, History, ReportButton } from "./moderation";
import { PassList } from "./passes";
import { TradePanel } from "./trade";
import type { CommentOut, Page, PostOut } from "./types";

/** Waits for the indexer to mirror a purchase: retries ``check`` for a while. */
async function until(check: () => Promise<boolean>, tries = 40): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function Comments(props: { id: number; onAdded: () => void }) {
  const signedIn = useStore(session);
  const me = signedIn?.address;
  const comments = useApi<Page<CommentOut>>(`/posts/${props.id}/comments`);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      await api(`/posts/${props.id}/comments`, { method: "POST", json: { body: text } });
      setText("");
      comments.reload();
      props.onAdded();
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">Comments</h2>
      <ul class="comments">
        {comments.data?.items.map((c) => {
          const mine = me !== undefined && me === c.author.address.toLowerCase();
          return (
            <li key={c.id} data-testid={`comment-${c.id}`}>
              <strong>{c.author.handle ? `@${c.author.handle}` : c.author.address}</strong>:{" "}
              {c.moderation_label ? <HiddenNotice label={c.moderation_label} /> : c.body}
              {c.edited_at ? <span class="muted"> (edited)</span> : null}{" "}
              {mine && !c.moderation_label ? <AttestButton activity="comment" id={c.id} /> : null}
              {mine && !c.moderation_label ? <AuthorTools kind="comment" id={c.id} body={c.body} onChanged={comments.reload} /> : null}
              {!mine && !c.moderation_label ? <ReportButton kind="comment" id={c.id} /> : null}
              {c.edited_at ? <History path={`/comments/${c.id}/history`} title="Edit history" /> : null}
            </li>
          );
        })}
      </ul>
      {signedIn ? (
        <form onSubmit={submit}>
          <label for="comment">Your comment</label>
          <textarea id="comment" value={text} onInput={(e) => setText(e.currentTarget.value)} required maxLength={2000} />
          <button type="submit">Comment</button>
          {problem ? <Problem message={problem} /> : null}
        </form>
      ) : (
        <p>Sign in to comment.</p>
      )}
    </section>
  );
}

/** A post with its disclosures and counts; a private one the reader may not read shows
 * which passes unlock it and a buy button instead. */
export function Post(props: { id: number }) {
  useHead(`Post ${props.id}`);
  const post = useApi<PostOut>(`/posts/${props.id}`);
  const [views, setViews] = useState<number | null>(null);
  const [likes, setLikes] = useState<number | null>(null);
  const [added, setAdded] = useState(0);
  const [waiting, setWaiting] = useState<string | null>(null);
  useEffect(() => {
    if (!post.data) return;
    api<{ view_count: number }>(`/posts/${props.id}/views`, { method: "POST" }).then(
      (v) => setViews(v.view_count),
      () => undefined,
    );
  }, [post.data?.id]);
  const like = async () => {
    const reply = await api<{ like_count: number }>(`/posts/${props.id}/like`, { method: "PUT" });
    setLikes(reply.like_count);
  };
  const bought = async () => {
    setWaiting("Waiting for the purchase to be indexed…");
    const ok = await until(() => api(`/posts/${props.id}`).then(() => true, () => false));
    setWaiting(
      ok
        ? "Pass bought (confirmed on chain): the post is unlocked."
        : "The purchase is confirmed on chain but not indexed yet; reload in a moment.",
    );
    post.reload();
  };
  if (post.status === 401) {
    return (
      <section>
        <h1>Private post</h1>
        <Problem message={post.error ?? ""} />
        <p>Connect a wallet holding one of the creator's passes and sign in to read it.</p>
      </section>
    );
  }
  if (post.status === 403) {
    const creator = post.error?.match(/@([a-z0-9_.-]+)/)?.[1];
    return (
      <section>
        <h1>Private post</h1>
        <Problem message={post.error ?? ""} />
        {creator ? <PassList handle={creator} onBought={bought} /> : null}
        {waiting ? <p role="status">{waiting}</p> : null}
      </section>
    );
  }
  if (post.error) return <Problem message={post.error} />;
  if (!post.data) return <Loading what={`post ${props.id}`} />;
  const p = post.data;
  const d = p.disclosure;
  const mine = session.value?.address === p.author.address.toLowerCase();
  if (p.deleted) {
    return (
      <article aria-labelledby="post-title">
        <h1 id="post-title">Post {p.id}</h1>
        <p data-testid="post-deleted">This post was deleted by its author.</p>
      </article>
    );
  }
  return (
    <article aria-labelledby="post-title">
      <h1 id="post-title">
        Post {p.id} by {p.author.handle ? <Link href={`/creator/${p.author.handle}`}>@{p.author.handle}</Link> : p.author.address}
      </h1>
      <p class="muted">
        {p.visibility === "private" ? "Private community post" : "Public post"} · {new Date(p.created_at).toLocaleString()}
      </p>
      {waiting ? <p role="status">{waiting}</p> : null}
      {p.moderation_label ? <HiddenNotice label={p.moderation_label} /> : null}
      <div class="body" data-testid="post-body">
        {p.body}
      </div>
      {p.edited_at ? (
        <p class="muted" data-testid="post-edited">
          Edited {new Date(p.edited_at).toLocaleString()}
        </p>
      ) : null}
      <History path={`/posts/${p.id}/history`} title="Edit history" />
      {mine && !p.moderation_label ? <AuthorTools kind="post" id={p.id} body={p.body} onChanged={post.reload} /> : null}
      {!mine && !p.moderation_label ? <ReportButton kind="post" id={p.id} /> : null}
      {p.instruments.length ? <p>Tags {p.instruments.join(", ")}</p> : null}
      {d ? (
        <p class="disclosure">
          Disclosures: {d.holds_position === null ? "position not stated" : d.holds_position ? "the author holds a position" : "no position"}
          {" · "}
          {d.sponsored === null ? "sponsorship not stated" : d.sponsored ? "sponsored" : "not sponsored"}
        </p>
      ) : null}
      <p>
        <span data-testid="views">{views ?? p.view_count} views</span> · {likes ?? p.like_count} likes ·{" "}
        {p.comment_count + added} comments{" "}
        <button type="button" onClick={like} disabled={!session.value}>
          Like
        </button>
      </p>
      {p.instruments.length ? (
        <TradePanel postId={p.id} instruments={p.instruments} />
      ) : null}
      <Comments id={p.id} onAdded={() => setAdded((n) => n + 1)} />
    </article>
  );
}
