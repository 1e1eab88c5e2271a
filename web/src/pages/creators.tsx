import { useEffect, useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { native } from "../chaininfo";
import { useStore } from "../store";
import { useApi } from "../hooks";
import { Link, Loading, Problem } from "../ui";
import { PostCard } from "./feed";
import { useHead } from "./head";
import { HiddenNotice, ReportButton } from "./moderation";
import { PassList } from "./passes";
import { TradingRecordSection } from "./record";
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
  followers: number;
}
type Sort = "recent" | "rank" | "followers" | "active";
interface Directory {
  sort: Sort;
  week: number | null;
  items: Listed[];
  next_cursor: string | null;
}

/** The creator directory (GET /profiles): newest identities first, ranked by what the latest
 * closed week paid them and their points that week, most followed first, or latest public
 * post first; more pages on request. */
export function Creators() {
  useHead("Creators");
  const [sort, setSort] = useState<Sort>("recent");
  const [cursor, setCursor] = useState<string | null>(null);
  const [shown, setShown] = useState<Listed[]>([]);
  const page = useApi<Directory>(`/profiles?sort=${sort}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  useEffect(() => {
    if (page.data) setShown((list) => (cursor ? [...list, ...page.data!.items] : page.data!.items));
  }, [page.data]);
  const choose = (value: Sort) => {
    setShown([]);
    setCursor(null);
    setSort(value);
  };
  const week = page.data?.week;
  return (
    <section aria-labelledby="creators-title">
      <h1 id="creators-title">Creators</h1>
      <label for="creators-sort">Order</label>
      <select id="creators-sort" value={sort} onChange={(e) => choose(e.currentTarget.value as Sort)}>
        <option value="recent">Newest first</option>
        <option value="rank">Top of the last closed week</option>
        <option value="followers">Most followed</option>
        <option value="active">Recently active</option>
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
            <p class="muted" data-testid="followers">
              {c.followers} {c.followers === 1 ? "follower" : "followers"}
            </p>
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

interface FollowState {
  handle: string;
  following: boolean;
  followers: number;
}
interface Follower {
  token_id: number;
  handle: string;
  address: string;
  followed_at: string;
}
interface FollowPage extends Page<Follower> {
  total: number;
}

function People(props: { title: string; id: string; page: FollowPage | null; empty: string }) {
  const { page } = props;
  return (
    <div>
      <h3 id={props.id}>
        {props.title} <span data-testid={`${props.id}-total`}>({page ? page.total : "…"})</span>
      </h3>
      {page && page.items.length === 0 ? <p class="muted">{props.empty}</p> : null}
      <ul aria-labelledby={props.id}>
        {page?.items.map((f) => (
          <li key={f.token_id}>
            <Link href={`/creator/${f.handle}`}>@{f.handle}</Link>
          </li>
        ))}
        {page && page.total > page.items.length ? <li class="muted">and {page.total - page.items.length} more</li> : null}
      </ul>
    </div>
  );
}

/** Follow / Unfollow (for a signed-in reader with an identity of their own, never on their own
 * page), the follower count it changes, and who follows this creator and whom they follow. */
function FollowPanel(props: { handle: string; address: string | null }) {
  const me = useStore(session);
  // the creator's wallet comes with the profile; until then nobody is offered the button
  const mine = props.address === null || me?.address === props.address.toLowerCase();
  // the reader's identity: without one the API refuses a follow (identity_required)
  const identity = useApi<{ handle: string }>(me && !mine ? `/profiles/${me.address}` : null);
  const followers = useApi<FollowPage>(`/profiles/${encodeURIComponent(props.handle)}/followers?limit=20`);
  const following = useApi<FollowPage>(`/profiles/${encodeURIComponent(props.handle)}/following?limit=20`);
  const [following_, setFollowing] = useState<boolean | null>(null); // null: not known yet
  const [result, setResult] = useState<FollowState | null>(null); // the last follow/unfollow
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const canFollow = !!me && !mine && !!identity.data;
  useEffect(() => {
    setFollowing(null);
    if (!canFollow) return;
    let live = true;
    api<FollowState>(`/profiles/${encodeURIComponent(props.handle)}/follow`).then(
      (state) => live && setFollowing(state.following),
      (error) => live && setProblem(describe(error)),
    );
    return () => {
      live = false;
    };
  }, [props.handle, me?.address, canFollow]);
  const toggle = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await api<FollowState>(`/profiles/${encodeURIComponent(props.handle)}/follow`, {
        method: following_ ? "DELETE" : "PUT",
      });
      setResult(answer);
      setFollowing(answer.following);
      followers.reload();
    } catch (error) {
      setProblem(describe(error));
    } finally {
      setBusy(false);
    }
  };
  const count = result?.followers ?? followers.data?.total;
  return (
    <section aria-labelledby="follow-title">
      <h2 id="follow-title">Followers</h2>
      <p data-testid="follower-count">
        {count === undefined ? "…" : `${count} follower${count === 1 ? "" : "s"}`} ·{" "}
        {following.data ? `follows ${following.data.total}` : "…"}
      </p>
      {canFollow && following_ !== null ? (
        <button type="button" onClick={toggle} disabled={busy}>
          {following_ ? `Unfollow @${props.handle}` : `Follow @${props.handle}`}
        </button>
      ) : null}
      {me && !mine && identity.status === 404 ? (
        <p class="muted">Register an identity in the creator studio to follow creators.</p>
      ) : null}
      {!me ? <p class="muted">Sign in to follow @{props.handle}.</p> : null}
      {result ? (
        <p role="status" data-testid="follow-status">
          {result.following ? `You follow @${result.handle}.` : `You no longer follow @${result.handle}.`}
        </p>
      ) : null}
      {problem ? <Problem message={problem} /> : null}
      {followers.error ? <Problem message={followers.error} /> : null}
      <People title="Followed by" id="followers-list" page={followers.data} empty="No followers yet." />
      <People title="Follows" id="following-list" page={following.data} empty="Follows no one yet." />
    </section>
  );
}

/** The creator's public posts, newest first (``GET /posts?author=``), more on request. */
function AuthorPosts(props: { handle: string }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const [shown, setShown] = useState<PostOut[]>([]);
  const page = useApi<Page<PostOut>>(
    `/posts?author=${encodeURIComponent(props.handle)}&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
  );
  useEffect(() => {
    if (page.data) setShown((list) => (cursor ? [...list, ...page.data!.items] : page.data!.items));
  }, [page.data]);
  return (
    <section aria-labelledby="author-posts-title" data-testid="author-posts">
      <h2 id="author-posts-title">Public posts</h2>
      {page.error ? <Problem message={page.error} /> : null}
      {page.data && shown.length === 0 ? <p>No public posts yet.</p> : null}
      {shown.map((p) => (
        <PostCard key={p.id} post={p} />
      ))}
      {page.data?.next_cursor ? (
        <button type="button" onClick={() => setCursor(page.data!.next_cursor)}>
          More posts by @{props.handle}
        </button>
      ) : null}
    </section>
  );
}

/** A creator: on-chain identity, labels, persona (and whether its hash is the chain's),
 * attested record, passes offered, private community. */
export function Creator(props: { handle: string }) {
  useHead(`@${props.handle}`);
  const profile = useApi<Profile>(`/profiles/${encodeURIComponent(props.handle)}`);
  const me = useStore(session);
  if (profile.error) return <Problem message={profile.error} />;
  const p = profile.data;
  // The sections below ask for their own data by handle, so they start with the profile's
  // request rather than after it (one round trip, not two, before the page is complete).
  return (
    <section aria-labelledby="creator-title">
      <h1 id="creator-title">@{p ? p.handle : props.handle}</h1>
      {!p ? <Loading what={`@${props.handle}`} /> : (
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
          {p.moderation_label ? <HiddenNotice label={p.moderation_label} /> : p.persona ? p.persona.bio || "(no bio)" : "none written"}{" "}
          {me?.address === p.address.toLowerCase() ? (
            <>
              {" "}
              <Link href="/studio">Edit it in the studio</Link>
            </>
          ) : p.moderation_label ? null : (
            <ReportButton kind="identity" id={p.token_id} />
          )}{" "}
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
      )}
      <FollowPanel key={props.handle} handle={props.handle} address={p ? p.address : null} />
      <AuthorPosts key={props.handle} handle={props.handle} />
      <TradingRecordSection key={`record-${props.handle}`} handle={props.handle} />
      <PassList handle={props.handle} />
      <Community handle={props.handle} />
    </section>
  );
}
