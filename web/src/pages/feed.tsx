import { useHead } from "./head";
import { useApi } from "../hooks";
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
      <p>{post.body}</p>
      {post.instruments.length ? <p class="muted">Tags {post.instruments.join(", ")}</p> : null}
      <p class="muted">
        {post.view_count} views · {post.like_count} likes · {post.comment_count} comments
      </p>
    </article>
  );
}

/** The public feed, newest first, with the other areas one link away. */
export function Feed() {
  useHead("Feed");
  const feed = useApi<Page<PostOut>>("/posts?limit=30");
  return (
    <section aria-labelledby="feed-title">
      <h1 id="feed-title">Public feed</h1>
      <p>
        Areas: public posts below · <Link href="/creators">creators and their personas</Link> ·{" "}
        <Link href="/sessions">live sessions</Link> · private communities on each creator's page.
      </p>
      {feed.error ? <Problem message={feed.error} /> : null}
      {!feed.data && !feed.error ? <Loading what="the feed" /> : null}
      {feed.data?.items.length === 0 ? <p>No posts yet.</p> : null}
      {feed.data?.items.map((post) => <PostCard key={post.id} post={post} />)}
    </section>
  );
}
