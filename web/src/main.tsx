import { type FunctionComponent, h, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { describe, session } from "./api";
import { chainInfo, loadChain } from "./chaininfo";
import { followSession, notices } from "./notify";
import { Feed } from "./pages/feed";
import { Search, SearchBox } from "./pages/search";
import { useStore } from "./store";
import { Link, Loading, Problem, route, short } from "./ui";
import { checkSession, connect, disconnect, discover, signIn, switchChain, wallet } from "./wallet";
import "./style.css";

function WalletBar() {
  const w = useStore(wallet);
  const s = useStore(session);
  const info = useStore(chainInfo);
  const [message, setMessage] = useState<string | null>(null);
  const attempt = (action: () => Promise<unknown>) => async () => {
    setMessage(null);
    try {
      await action();
    } catch (error) {
      const code = (error as { code?: number }).code;
      setMessage(code === 4001 ? "You rejected the request in your wallet; nothing was sent." : describe(error));
    }
  };
  if (!w.current || !w.address) {
    return (
      <div class="wallet" aria-label="Wallet">
        {w.wallets.length === 0 ? <span>No browser wallet found: install one (OKX Wallet, MetaMask…)</span> : null}
        {w.wallets.map((option) => (
          <button type="button" key={option.info.uuid} onClick={attempt(() => connect(option))}>
            {option.info.icon ? <img src={option.info.icon} alt="" width={16} height={16} /> : null} Connect{" "}
            {option.info.name}
          </button>
        ))}
        {message ? <Problem message={message} /> : null}
      </div>
    );
  }
  const wrongNetwork = info !== null && w.chainId !== info.chain_id;
  return (
    <div class="wallet" aria-label="Wallet">
      <span data-testid="account">{short(w.address)}</span>
      {wrongNetwork ? (
        <span role="alert" class="warning">
          Wrong network (chain {w.chainId}).{" "}
          <button type="button" onClick={attempt(() => switchChain(info))}>
            Switch to {info.name}
          </button>
        </span>
      ) : null}
      {s ? (
        <span>
          Signed in{" "}
          <button type="button" onClick={() => session.set(null)}>
            Sign out
          </button>
        </span>
      ) : (
        <button type="button" disabled={wrongNetwork} onClick={attempt(signIn)}>
          Sign in with Ethereum
        </button>
      )}
      <button type="button" onClick={disconnect}>
        Disconnect
      </button>
      {message ? <Problem message={message} /> : null}
    </div>
  );
}

/** A page whose code loads on first visit: the front page needs neither the contracts' ABIs
 * nor viem's transaction code, so they stay out of the first load. */
function lazy<P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | null = null;
  return (props: P) => {
    const [, ready] = useState(0);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (!loaded) load().then((page) => ((loaded = page), ready(1)), (error) => setFailed(describe(error)));
    }, []);
    if (failed) return <Problem message={`The page could not load: ${failed}`} />;
    return loaded ? h(loaded, props) : <Loading what="the page" />;
  };
}

const Creators = lazy(() => import("./pages/creators").then((m) => m.Creators));
const Creator = lazy(() => import("./pages/creators").then((m) => m.Creator));
const Post = lazy(() => import("./pages/post").then((m) => m.Post));
const Sessions = lazy(() => import("./pages/live").then((m) => m.Sessions));
const LiveSession = lazy(() => import("./pages/live").then((m) => m.LiveSession));
const Leaderboard = lazy(() => import("./pages/rewards").then((m) => m.Leaderboard));
const MyRewards = lazy(() => import("./pages/rewards").then((m) => m.MyRewards));
const Studio = lazy(() => import("./pages/studio").then((m) => m.Studio));
const Dashboard = lazy(() => import("./pages/dashboard").then((m) => m.Dashboard));
const Inbox = lazy(() => import("./pages/inbox").then((m) => m.Inbox));
const Moderation = lazy(() => import("./pages/moderation").then((m) => m.Moderation));

const pages: [RegExp, (m: RegExpMatchArray) => preact.JSX.Element][] = [
  [/^\/$/, () => <Feed />],
  [/^\/creators$/, () => <Creators />],
  [/^\/creator\/([^/]+)$/, (m) => <Creator handle={decodeURIComponent(m[1])} />],
  [/^\/post\/(\d+)$/, (m) => <Post id={Number(m[1])} />],
  [/^\/sessions$/, () => <Sessions />],
  [/^\/session\/(\d+)$/, (m) => <LiveSession id={Number(m[1])} />],
  [/^\/leaderboard$/, () => <Leaderboard />],
  [/^\/my-rewards$/, () => <MyRewards />],
  [/^\/studio$/, () => <Studio />],
  [/^\/dashboard$/, () => <Dashboard />],
  [/^\/find$/, () => <Search />],
  [/^\/inbox$/, () => <Inbox />],
  [/^\/moderate$/, () => <Moderation />],
];

/** The bell: your unread notifications, kept current by the live stream (signed in only). */
function Bell() {
  const s = useStore(session);
  const { unread } = useStore(notices);
  if (!s) return null;
  return (
    <Link href="/inbox">
      <span aria-hidden="true">🔔</span> Notifications{" "}
      <span class="badge" data-testid="unread-count" aria-label={`${unread} unread`}>
        {unread}
      </span>
    </Link>
  );
}

function App() {
  const path = useStore(route).split("?")[0];
  const info = useStore(chainInfo);
  const match = pages.map(([re, page]) => [path.match(re), page] as const).find(([m]) => m);
  return (
    <>
      <header>
        <nav aria-label="Main">
          <Link href="/" class="brand">
            Planet
          </Link>
          <Link href="/creators">Creators</Link>
          <Link href="/sessions">Live</Link>
          <Link href="/leaderboard">Leaderboard</Link>
          <Link href="/my-rewards">My rewards</Link>
          <Link href="/studio">Creator studio</Link>
          <Link href="/dashboard">Dashboard</Link>
          <Bell />
          <Link href="/moderate">Moderation</Link>
        </nav>
        <SearchBox />
        <WalletBar />
      </header>
      <main>{match && match[0] ? match[1](match[0]) : <Problem message={`No page at ${path}.`} />}</main>
      <footer class="muted">{info ? `${info.name} (chain ${info.chain_id})` : "chain unknown"}</footer>
    </>
  );
}

discover();
void checkSession();
followSession();
loadChain().catch((error) => console.error("GET /chain failed:", describe(error)));
render(<App />, document.getElementById("app")!);
