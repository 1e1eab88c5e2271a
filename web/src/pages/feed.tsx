import { useEffect, useState } from "preact/hooks";
import { session } from "../api";
import { useHead } from "./head";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { Link, Loading, Problem } from "../ui";
import type { Page, PostOut } from "./types";

export function PostCard(props: { post: PostOut }) {
  const { post } = props;
  const who = post.author.handle ?? post.author.address;
  return (
    <article class="card" aria-labelledby={`post-${post.id}`}>
      <h3 id={`post-${post.id}`}>
        <Link href={`/post/${post.id}`}>Post {post.id}</Link> by{" "}
        {post.author.handle ? <Link href={`/creator/${post.author.handle}`}>@{who}</Link> : who}
      </h3>
      {post.moderation_label ? (
        <p class="warning" data-testid="moderation-label">
          Hidden by moderation: {post.moderation_label.replace(/_/g, " ")}
        </p>
      ) : (
        <p>{post.body}</p>
      )}
      {post.instruments.length ? <p class="muted">Tags {post.instruments.join(", ")}</p> : null}
      <p class="muted">
        {post.view_count} views · {post.like_count} likes · {post.comment_count} comments
      </p>
    </article>
  );
}

/** The public feed, newest first, with the other areas one link away; signed in, the reader
 * may narrow it to the creators they follow (``?following=true`` needs the session). */
export function Feed() {
  useHead("Feed");
  const signedIn = useStore(session);
  const [scope, setScope] = useState<"all" | "following">("all");
  useEffect(() => {
    if (!signedIn) setScope("all"); // the Following feed is the session's
  }, [signedIn]);
  const following = scope === "following" && signedIn;
  const feed = useApi<Page<PostOut>>(following ? "/posts?limit=30&following=true" : "/posts?limit=30");
  return (
    <section aria-labelledby="feed-title">
      <h1 id="feed-title">Public feed</h1>
      <p>
        Areas: public posts below · <Link href="/creators">creators and their personas</Link> ·{" "}
        <Link href="/sessions">live sessions</Link> · private communities on each creator's page.
      </p>
      <label for="feed-scope">Posts from</label>
      <select id="feed-scope" value={following ? "following" : "all"} onChange={(e) => setScope(e.currentTarget.value as "all" | "following")}>
        <option value="all">All creators</option>
        {signedIn ? <option value="following">Creators I follow</option> : null}
      </select>
      {signedIn ? null : <span class="muted"> Sign in to see only the creators you follow.</span>}
      {feed.error ? <Problem message={feed.error} /> : null}
      {!feed.data && !feed.error ? <Loading what="the feed" /> : null}
      {feed.data?.items.length === 0 ? (
        <p>{following ? "No posts from the creators you follow yet: follow some on their pages." : "No posts yet."}</p>
      ) : null}
      <div data-testid="feed-posts" data-scope={following ? "following" : "all"}>
        {feed.data?.items.map((post) => <PostCard key={post.id} post={post} />)}
      </div>
    </section>
  );
}
