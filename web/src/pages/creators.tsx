import { useApi } from "../hooks";
import { Link, Loading, Problem } from "../ui";
import { PostCard } from "./feed";
import { useHead } from "./head";
import { PassList } from "./passes";
import type { Page, PostOut, Profile } from "./types";

/** The creators the feed shows, one link each (the directory is drawn from recent posts). */
export function Creators() {
  useHead("Creators");
  const feed = useApi<Page<PostOut>>("/posts?limit=100");
  const handles = [...new Set((feed.data?.items ?? []).map((p) => p.author.handle).filter((h): h is string => !!h))];
  return (
    <section aria-labelledby="creators-title">
      <h1 id="creators-title">Creators</h1>
      {feed.error ? <Problem message={feed.error} /> : null}
      {!feed.data && !feed.error ? <Loading what="creators" /> : null}
      {feed.data && handles.length === 0 ? <p>No creator has posted yet.</p> : null}
      <ul>
        {handles.map((h) => (
          <li key={h}>
            <Link href={`/creator/${h}`}>@{h}</Link>
          </li>
        ))}
      </ul>
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
