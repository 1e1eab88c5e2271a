import { useEffect, useState } from "preact/hooks";
import { native } from "../chaininfo";
import { useApi } from "../hooks";
import { Link, Loading, Problem } from "../ui";
import { PostCard } from "./feed";
import { useHead } from "./head";
import { PassList } from "./passes";
import type { Page, PostOut, Profile } from "./types";

interface Listed {
  handle: string;
  address: string;
  token_id: number;
  verified: boolean;
  labels: string[];
  bio: string | null;
  week_points: number;
  week_allocation: string | null;
}
interface Directory {
  sort: "recent" | "rank";
  week: number | null;
  items: Listed[];
  next_cursor: string | null;
}

/** The creator directory (GET /profiles): newest identities first, or ranked by what the
 * latest closed week paid them and their points that week; more pages on request. */
export function Creators() {
  useHead("Creators");
  const [sort, setSort] = useState<"recent" | "rank">("recent");
  const [cursor, setCursor] = useState<string | null>(null);
  const [shown, setShown] = useState<Listed[]>([]);
  const page = useApi<Directory>(`/profiles?sort=${sort}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  useEffect(() => {
    if (page.data) setShown((list) => (cursor ? [...list, ...page.data!.items] : page.data!.items));
  }, [page.data]);
  const choose = (value: "recent" | "rank") => {
    setShown([]);
    setCursor(null);
    setSort(value);
  };
  const week = page.data?.week;
  return (
    <section aria-labelledby="creators-title">
      <h1 id="creators-title">Creators</h1>
      <label for="creators-sort">Order</label>
      <select id="creators-sort" value={sort} onChange={(e) => choose(e.currentTarget.value as "recent" | "rank")}>
        <option value="recent">Newest first</option>
        <option value="rank">Top of the last closed week</option>
      </select>
      {page.error ? <Problem message={page.error} /> : null}
      {!page.data && !page.error && shown.length === 0 ? <Loading what="creators" /> : null}
      {page.data && shown.length === 0 ? <p>No one has registered an identity yet.</p> : null}
      <ol class="directory" aria-label="Creator directory">
        {shown.map((c) => (
          <li key={c.token_id} class="card" data-handle={c.handle}>
            <Link href={`/creator/${c.handle}`}>@{c.handle}</Link>
            {c.verified ? " · verified" : ""}
            {c.labels.length ? ` · ${c.labels.join(", ")}` : ""}
            {c.bio ? <p>{c.bio}</p> : null}
            {week !== null && week !== undefined ? (
              <p class="muted">
                Week {week}: {c.week_points} points
                {c.week_allocation !== null ? `, paid ${native(c.week_allocation)}` : ""}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      {page.data?.next_cursor ? (
        <button type="button" onClick={() => setCursor(page.data!.next_cursor)}>
          More creators
        </button>
      ) : null}
    </section>
  );
}

function Community(props: { handle: string }) {
  const posts = useApi<Page<PostOut>>(`/communities/${encodeURIComponent(props.handle)}/posts`);
  return (
    <section aria-labelledby="community-title">
      <h2 id="community-title">Private community</h2>
      {posts.status === 401 || posts.status === 403 ? (
        <p>{posts.error} Buy a pass below to read it.</p>
      ) : posts.error ? (
        <Problem message={posts.error} />
      ) : null}
      {posts.data?.items.length === 0 ? <p>No private posts yet.</p> : null}
      {posts.data?.items.map((p) => <PostCard key={p.id} post={p} />)}
    </section>
  );
}

/** A creator: on-chain identity, labels, persona (and whether its hash is the chain's),
 * attested record, passes offered, private community. */
export function Creator(props: { handle: string }) {
  useHead(`@${props.handle}`);
  const profile = useApi<Profile>(`/profiles/${encodeURIComponent(props.handle)}`);
  if (profile.error) return <Problem message={profile.error} />;
  if (!profile.data) return <Loading what={`@${props.handle}`} />;
  const p = profile.data;
  return (
    <section aria-labelledby="creator-title">
      <h1 id="creator-title">@{p.handle}</h1>
      <dl>
        <dt>Identity</dt>
        <dd>
          token {p.token_id}, wallet <code>{p.address}</code>
        </dd>
        <dt>Verification</dt>
        <dd>{p.verified ? "verified" : "not verified"}</dd>
        <dt>Disclosure labels</dt>
        <dd>{p.labels.length ? p.labels.join(", ") : "none"}</dd>
        <dt>Persona</dt>
        <dd>
          {p.persona ? p.persona.bio || "(no bio)" : "none written"}{" "}
          {p.persona ? (
            <span data-testid="persona-status">
              {p.persona_verified ? "(matches the hash on chain)" : "(does not match the hash on chain)"}
            </span>
          ) : null}
        </dd>
        <dt>Attested record</dt>
        <dd>
          {p.points.total} points in all, {p.points.this_epoch} this week
        </dd>
      </dl>
      <PassList handle={p.handle} />
      <Community handle={p.handle} />
    </section>
  );
}
