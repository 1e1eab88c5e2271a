import { useEffect, useState } from "preact/hooks";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { Link, Loading, Problem, navigate, route } from "../ui";
import { PostCard } from "./feed";
import { useHead } from "./head";
import type { PostOut } from "./types";

interface ProfileHit {
  handle: string;
  address: string;
  token_id: number;
  verified: boolean;
  labels: string[];
  bio: string | null;
}
interface Found {
  q: string;
  words: string[];
  posts: PostOut[];
  posts_next_cursor: string | null;
  profiles: ProfileHit[];
  profiles_next_cursor: string | null;
}
type Kind = "all" | "posts" | "profiles";

/** The words of the page's own query string (``/find?q=...&type=...``); the API's path
 * ``/search`` is the route the page reads, so the page lives at another path. */
function query(): { q: string; type: Kind } {
  const params = new URLSearchParams(useStore(route).split("?")[1] ?? "");
  const type = params.get("type");
  return { q: params.get("q") ?? "", type: type === "posts" || type === "profiles" ? type : "all" };
}

export function findPath(q: string, type: Kind = "all"): string {
  return `/find?q=${encodeURIComponent(q)}${type === "all" ? "" : `&type=${type}`}`;
}

/** The search box of the header: submits to the results page. */
export function SearchBox() {
  const [text, setText] = useState("");
  return (
    <form
      role="search"
      aria-label="Search Planet"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) navigate(findPath(text.trim()));
      }}
    >
      <label for="search-q" class="visually-hidden">
        Search posts and creators
      </label>
      <input id="search-q" type="search" name="q" maxLength={200} placeholder="Search posts and creators" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit">Search</button>
    </form>
  );
}

/** Search results (GET /search): posts newest first (private ones only for readers with the
 * creator's pass, which the API decides) and creators by handle or bio; each list pages on. */
export function Search() {
  const { q, type } = query();
  useHead(q ? `Search: ${q}` : "Search");
  const [cursor, setCursor] = useState<string | null>(null);
  const [posts, setPosts] = useState<PostOut[]>([]);
  const [profiles, setProfiles] = useState<ProfileHit[]>([]);
  useEffect(() => {
    setCursor(null);
    setPosts([]);
    setProfiles([]);
  }, [q, type]);
  const path = q ? `/search?q=${encodeURIComponent(q)}&type=${type}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}` : null;
  const found = useApi<Found>(path);
  useEffect(() => {
    if (!found.data) return;
    setPosts((list) => (cursor ? [...list, ...found.data!.posts] : found.data!.posts));
    setProfiles((list) => (cursor ? [...list, ...found.data!.profiles] : found.data!.profiles));
  }, [found.data]);
  const next = type === "profiles" ? found.data?.profiles_next_cursor : found.data?.posts_next_cursor;
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{q ? `Results for “${q}”` : "Search"}</h1>
      <nav aria-label="Result types" class="tabs">
        {(["all", "posts", "profiles"] as Kind[]).map((kind) =>
          kind === type ? (
            <strong key={kind} aria-current="page">
              {kind === "all" ? "All" : kind === "posts" ? "Posts" : "Creators"}
            </strong>
          ) : (
            <Link key={kind} href={findPath(q, kind)}>
              {kind === "all" ? "All" : kind === "posts" ? "Posts" : "Creators"}
            </Link>
          ),
        )}
      </nav>
      {!q ? <p>Type words in the search box: posts and creators holding every word are listed.</p> : null}
      {found.error ? <Problem message={found.error} /> : null}
      {path && !found.data && !found.error && posts.length + profiles.length === 0 ? <Loading what="results" /> : null}
      {type !== "posts" ? (
        <section aria-labelledby="found-creators">
          <h2 id="found-creators">Creators</h2>
          {found.data && profiles.length === 0 ? <p>No creator matches.</p> : null}
          <ol class="directory" data-testid="found-profiles">
            {profiles.map((p) => (
              <li key={p.token_id} class="card" data-handle={p.handle}>
                <Link href={`/creator/${p.handle}`}>@{p.handle}</Link>
                {p.verified ? " · verified" : ""}
                {p.bio ? <p>{p.bio}</p> : null}
              </li>
            ))}
          </ol>
          {type === "all" && found.data?.profiles_next_cursor ? <Link href={findPath(q, "profiles")}>All matching creators</Link> : null}
        </section>
      ) : null}
      {type !== "profiles" ? (
        <section aria-labelledby="found-posts">
          <h2 id="found-posts">Posts</h2>
          {found.data && posts.length === 0 ? <p>No post matches.</p> : null}
          <div data-testid="found-posts">
            {posts.map((post) => (
              <PostCard key={post.id} post={post} />
            ))}
          </div>
          {type === "all" && found.data?.posts_next_cursor ? <Link href={findPath(q, "posts")}>All matching posts</Link> : null}
        </section>
      ) : null}
      {type !== "all" && next ? (
        <button type="button" onClick={() => setCursor(next)}>
          More results
        </button>
      ) : null}
    </section>
  );
}
