import { render } from "preact";
import { useState } from "preact/hooks";
import { describe, session } from "./api";
import { chainInfo, loadChain } from "./chain";
import { Creator, Creators } from "./pages/creators";
import { Dashboard } from "./pages/dashboard";
import { Feed } from "./pages/feed";
import { LiveSession, Sessions } from "./pages/live";
import { Post } from "./pages/post";
import { Leaderboard, MyRewards } from "./pages/rewards";
import { Studio } from "./pages/studio";
import { useStore } from "./store";
import { Link, Problem, route, short } from "./ui";
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
];

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
        </nav>
        <WalletBar />
      </header>
      <main>{match && match[0] ? match[1](match[0]) : <Problem message={`No page at ${path}.`} />}</main>
      <footer class="muted">{info ? `${info.name} (chain ${info.chain_id})` : "chain unknown"}</footer>
    </>
  );
}

discover();
void checkSession();
loadChain().catch((error) => console.error("GET /chain failed:", describe(error)));
render(<App />, document.getElementById("app")!);
