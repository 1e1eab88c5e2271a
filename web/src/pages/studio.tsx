import { useState } from "preact/hooks";
import { type Address, formatUnits, parseUnits, zeroAddress } from "viem";
import { api, describe, session } from "../api";
import type { TxState } from "../chain";
import { chainInfo, native } from "../chaininfo";
import { useApi } from "../hooks";
import { useToken, useRead } from "../reads";
import { useStore } from "../store";
import { TxButton } from "../tx";
import { Link, Problem } from "../ui";
import { wallet } from "../wallet";
import { AttestButton } from "./attest";
import { useHead } from "./head";
import { MyPasses } from "./mypasses";
import { PersonaEditor } from "./persona";
import { TradingRecordSection } from "./record";
import type { PostOut, Profile } from "./types";

const DAY = 86400;

function Register(props: { onDone: () => void }) {
  const [handle, setHandle] = useState("");
  return (
    <section aria-labelledby="register-title">
      <h2 id="register-title">Register your identity</h2>
      <p>One soulbound identity per wallet; the handle is lowercase letters, digits and _.</p>
      <label for="handle">Handle</label>
      <input id="handle" value={handle} onInput={(e) => setHandle(e.currentTarget.value.trim().toLowerCase())} />
      <TxButton
        label="Register"
        disabled={!handle}
        call={() => ({
          contract: "Identity",
          functionName: "register",
          args: [
            {
              handle,
              metadataURI: `${window.location.origin}/profiles/${handle}/persona`,
              metadataHash: `0x${"00".repeat(32)}`,
              recovery: zeroAddress,
            },
          ],
        })}
        onDone={(s: TxState) => s.status === "confirmed" && props.onDone()}
      />
    </section>
  );
}

function CreatePass(props: { onDone: () => void }) {
  const info = useStore(chainInfo);
  const fee = useRead<number>("CommunityPass", "platformFeeBps", []);
  const [price, setPrice] = useState("0.01");
  const [kind, setKind] = useState<"subscription" | "lifetime">("subscription");
  const [days, setDays] = useState("30");
  const [paidIn, setPaidIn] = useState<"native" | "token">("native");
  const [tokenAddress, setTokenAddress] = useState("");
  const { token, problem: tokenProblem } = useToken(paidIn === "token" ? tokenAddress.trim() : "");
  const [problem, setProblem] = useState<string | null>(null);
  const symbol = paidIn === "token" ? (token?.symbol ?? "token") : (info?.native_currency.symbol ?? "OKB");
  const decimals = paidIn === "token" ? (token?.decimals ?? null) : (info?.native_currency.decimals ?? 18);
  let wei: bigint | null = null;
  try {
    wei = decimals === null ? null : parseUnits(price, decimals);
  } catch {
    wei = null;
  }
  const net = wei !== null && fee !== null ? wei - (wei * BigInt(fee)) / 10000n : null;
  const shown = (amount: bigint) =>
    paidIn === "token" && token ? `${formatUnits(amount, token.decimals)} ${token.symbol}` : native(amount);
  return (
    <section aria-labelledby="pass-title">
      <h2 id="pass-title">Create a pass</h2>
      <label for="pass-kind">Kind</label>
      <select id="pass-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as never)}>
        <option value="subscription">Subscription</option>
        <option value="lifetime">Lifetime</option>
      </select>
      <label for="pass-currency">Paid in</label>
      <select id="pass-currency" value={paidIn} onChange={(e) => setPaidIn(e.currentTarget.value as never)}>
        <option value="native">{info?.native_currency.symbol ?? "OKB"} (the chain's coin)</option>
        <option value="token">An ERC-20 token</option>
      </select>
      {paidIn === "token" ? (
        <>
          <label for="pass-token">Token address</label>
          <input id="pass-token" value={tokenAddress} placeholder="0x…" onInput={(e) => setTokenAddress(e.currentTarget.value)} />
          {tokenProblem ? <Problem message={tokenProblem} /> : null}
        </>
      ) : null}
      <label for="pass-price">Price ({symbol})</label>
      <input id="pass-price" inputMode="decimal" value={price} onInput={(e) => setPrice(e.currentTarget.value)} />
      {kind === "subscription" ? (
        <>
          <label for="pass-days">Period (days)</label>
          <input id="pass-days" inputMode="numeric" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </>
      ) : null}
      <p data-testid="pass-fee">
        {fee === null
          ? "Platform fee: unknown until a wallet is connected"
          : `Platform fee ${fee / 100}%` + (net !== null ? `: you receive ${shown(net)} per sale` : "")}
      </p>
      <TxButton
        label="Create pass"
        call={() => {
          setProblem(null);
          if (paidIn === "token" && !token) {
            setProblem("name the ERC-20 token's address first");
            return null;
          }
          if (wei === null || wei <= 0n) {
            setProblem("the price must be a positive amount, like 0.01");
            return null;
          }
          const period = kind === "lifetime" ? 0 : Number(days);
          if (kind === "subscription" && !(Number.isInteger(period) && period > 0)) {
            setProblem("the period must be a whole number of days");
            return null;
          }
          const terms = {
            currency: paidIn === "token" && token ? token.address : zeroAddress,
            price: wei,
            maxSupply: 2n ** 64n - 1n,
            walletLimit: kind === "lifetime" ? 2n ** 64n - 1n : 1n, // a subscription: one per wallet
            duration: BigInt(period * DAY),
            transferable: kind === "lifetime",
            royaltyBps: 0,
            uri: "",
          };
          return { contract: "CommunityPass", functionName: "createPass", args: [terms] };
        }}
        onDone={(s) => s.status === "confirmed" && props.onDone()}
      />
      {problem ? <Problem message={problem} /> : null}
    </section>
  );
}

function WritePost() {
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<"public" | "private">("public");
  const [tags, setTags] = useState("");
  const [holds, setHolds] = useState(false);
  const [sponsored, setSponsored] = useState(false);
  const [written, setWritten] = useState<PostOut | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      const instruments = tags
        .split(",")
        .map((t) => t.trim().toUpperCase())
        .filter(Boolean);
      const disclosure = instruments.length ? { holds_position: holds, sponsored } : undefined;
      setWritten(await api<PostOut>("/posts", { method: "POST", json: { body, visibility, instruments, disclosure } }));
      setBody("");
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <section aria-labelledby="write-title">
      <h2 id="write-title">Write a post</h2>
      <form onSubmit={submit}>
        <label for="post-body">Text</label>
        <textarea id="post-body" value={body} required maxLength={5000} onInput={(e) => setBody(e.currentTarget.value)} />
        <label for="post-visibility">Who can read it</label>
        <select id="post-visibility" value={visibility} onChange={(e) => setVisibility(e.currentTarget.value as never)}>
          <option value="public">Everyone</option>
          <option value="private">My pass holders</option>
        </select>
        <label for="post-tags">Instruments it discusses (comma-separated, e.g. BTC-USDT)</label>
        <input id="post-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
        <fieldset>
          <legend>Disclosures (required with instruments)</legend>
          <label>
            <input type="checkbox" checked={holds} onChange={(e) => setHolds(e.currentTarget.checked)} /> I hold a position
          </label>
          <label>
            <input type="checkbox" checked={sponsored} onChange={(e) => setSponsored(e.currentTarget.checked)} /> This post
            is sponsored
          </label>
        </fieldset>
        <button type="submit">Publish</button>
      </form>
      {problem ? <Problem message={problem} /> : null}
      {written ? (
        <p role="status">
          Published <Link href={`/post/${written.id}`}>post {written.id}</Link>{" "}
          <AttestButton activity="post" id={written.id} />
        </p>
      ) : null}
    </section>
  );
}

/** Points for any of one's activities by id: a comment, an ended live session, or an
 * attributed fill of an order placed from one's post (the fill id the trader saw). */
function EarnPoints() {
  const [activity, setActivity] = useState<"post" | "comment" | "live" | "trade">("trade");
  const [id, setId] = useState("");
  const valid = /^[1-9][0-9]*$/.test(id);
  return (
    <section aria-labelledby="earn-title">
      <h2 id="earn-title">Earn points</h2>
      <label for="earn-activity">Activity</label>
      <select id="earn-activity" value={activity} onChange={(e) => setActivity(e.currentTarget.value as never)}>
        <option value="post">Post</option>
        <option value="comment">Comment</option>
        <option value="live">Live session</option>
        <option value="trade">Attributed fill</option>
      </select>
      <label for="earn-id">Its id</label>
      <input id="earn-id" inputMode="numeric" value={id} onInput={(e) => setId(e.currentTarget.value.trim())} />
      {valid ? <AttestButton key={`${activity}-${id}`} activity={activity} id={Number(id)} label="Submit attestation" /> : null}
    </section>
  );
}

interface ProceedsOut {
  items: {
    currency: { address: Address; native: boolean; symbol: string | null };
    withdrawable: string;
    withdrawable_display: string | null;
  }[];
}

/** What sales credited the wallet: native OKB read live from CommunityPass, and each token
 * the creator sold in (as the indexer mirrored it), each withdrawn with its own button. */
function Proceeds(props: { address: Address }) {
  const [tick, setTick] = useState(0);
  const owed = useRead<bigint>("CommunityPass", "proceeds", [props.address, zeroAddress], tick);
  const tokens = useApi<ProceedsOut>(`/profiles/${props.address}/proceeds`);
  const others = (tokens.data?.items ?? []).filter((i) => !i.currency.native);
  const later = () => setTimeout(tokens.reload, 1500);
  return (
    <section aria-labelledby="proceeds-title">
      <h2 id="proceeds-title">Proceeds</h2>
      <p data-testid="proceeds">{owed === null ? "…" : `${native(owed)} to withdraw`}</p>
      <TxButton
        label="Withdraw"
        disabled={!owed}
        call={() => ({ contract: "CommunityPass", functionName: "withdraw", args: [zeroAddress] })}
        onDone={() => setTick((n) => n + 1)}
      />
      {others.map((i) => {
        const name = i.currency.symbol ?? i.currency.address;
        return (
          <p key={i.currency.address} data-testid={`proceeds-${name}`}>
            {i.withdrawable_display ?? `${i.withdrawable} base units of ${name}`} to withdraw{" "}
            <TxButton
              label={`Withdraw ${name}`}
              disabled={i.withdrawable === "0"}
              call={() => ({ contract: "CommunityPass", functionName: "withdraw", args: [i.currency.address] })}
              onDone={later}
            />
          </p>
        );
      })}
    </section>
  );
}

/** What a creator does: register, write, create passes and set their rules, gift them,
 * withdraw proceeds. */
export function Studio() {
  useHead("Creator studio");
  const w = useStore(wallet);
  const s = useStore(session);
  const me = useApi<Profile>(w.address ? `/profiles/${w.address}` : null);
  if (!w.address) {
    return (
      <section aria-labelledby="studio-title">
        <h1 id="studio-title">Creator studio</h1>
        <p>Connect a wallet to register, create passes and withdraw proceeds.</p>
      </section>
    );
  }
  const retry = () => setTimeout(me.reload, 1500);
  return (
    <section aria-labelledby="studio-title">
      <h1 id="studio-title">Creator studio</h1>
      {me.status === 404 ? <Register onDone={retry} /> : null}
      {me.data ? (
        <p>
          You are <Link href={`/creator/${me.data.handle}`}>@{me.data.handle}</Link>; you offer{" "}
          {me.data.passes.created.length} pass(es).
        </p>
      ) : null}
      {me.error && me.status !== 404 ? <Problem message={me.error} /> : null}
      {me.data ? <CreatePass onDone={retry} /> : null}
      {me.data ? <MyPasses key={me.data.passes.created.length} creator={w.address} /> : null}
      {me.data && s ? <PersonaEditor profile={me.data} onSynced={me.reload} /> : null}
      {me.data && s ? <WritePost /> : me.data ? <p>Sign in to edit your persona, write posts and earn points.</p> : null}
      {me.data && s ? <EarnPoints /> : null}
      {me.data && s ? <TradingRecordSection key={me.data.handle} handle={me.data.handle} attest /> : null}
      <Proceeds address={w.address} />
    </section>
  );
}
