import { useEffect, useState } from "preact/hooks";
import type { TxState } from "../chain";
import { native } from "../chaininfo";
import { createPublicClient, custom } from "viem";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { TxButton } from "../tx";
import { BarChart, Loading, Problem, short } from "../ui";
import { wallet } from "../wallet";
import { useHead } from "./head";

interface EpochOut {
  epoch: number;
  total: string;
  pool: string;
  paid: string;
  claimable_at: number;
  claimable: boolean;
  claim_window_closes_at: number | null;
  swept: boolean;
}
interface Entry {
  rank: number;
  account: string;
  handle: string | null;
  amount: string;
  score: string;
  claimed: boolean;
  reasons: string[];
}
interface Board {
  epoch: number;
  total: string;
  accounts: number;
  reason_codes: Record<string, string>;
  items: Entry[];
}
interface Claimable {
  items: { epoch: number; amount: string; proof: string[]; claim_window_closes_at: number | null }[];
  total: string;
  claim_many: { epochs: number[]; account: string; amounts: string[]; proofs: string[][] };
  pending: { epoch: number; amount: string; claimable_at: number }[];
  pending_total: string;
  expired: { epoch: number; amount: string; claim_window_closed_at: number | null; swept: boolean }[];
  claimed: { epoch: number; amount: string }[];
}
interface AccountWhy {
  before: Record<string, string>;
  after: Record<string, string>;
  standing: string | null;
  reasons: { code: string; meaning: string }[];
}

/** Why one account got what it got: its inputs before and after the rules, on request. */
function Why(props: { epoch: number; account: string }) {
  const [open, setOpen] = useState(false);
  const why = useApi<AccountWhy>(open ? `/rewards/epochs/${props.epoch}/accounts/${props.account}` : null);
  const changed = why.data ? Object.keys({ ...why.data.before, ...why.data.after }) : [];
  return (
    <>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Why"}
        <span class="visually-hidden"> for {props.account}</span>
      </button>
      {open && why.error ? <Problem message={why.error} /> : null}
      {open && why.data ? (
        <ul class="why">
          {changed.map((k) => (
            <li key={k}>
              {k}: {why.data!.before[k] ?? "0"} → {why.data!.after[k] ?? "0"}
            </li>
          ))}
          {why.data.standing !== null ? <li>standing {why.data.standing}</li> : null}
        </ul>
      ) : null}
    </>
  );
}

function toNumber(amount: string): number {
  return Number(BigInt(amount) / 10n ** 12n) / 1e6; // native units, for the chart only
}

/** The weekly leaderboard: who earned what and their published scores, with a chart. */
export function Leaderboard() {
  useHead("Leaderboard");
  const epochs = useApi<{ items: EpochOut[] }>("/rewards/epochs");
  const [chosen, setChosen] = useState<number | null>(null);
  const latest = epochs.data?.items.length ? Math.max(...epochs.data.items.map((e) => e.epoch)) : null;
  const epoch = chosen ?? latest;
  const board = useApi<Board>(epoch === null ? null : `/rewards/epochs/${epoch}/leaderboard?limit=100`);
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">Weekly leaderboard</h1>
      {epochs.error ? <Problem message={epochs.error} /> : null}
      {epochs.data && epochs.data.items.length === 0 ? <p>No week has been published yet.</p> : null}
      {epochs.data?.items.length ? (
        <p>
          <label for="epoch">Week</label>{" "}
          <select id="epoch" value={String(epoch)} onChange={(e) => setChosen(Number(e.currentTarget.value))}>
            {epochs.data.items.map((e) => (
              <option key={e.epoch} value={String(e.epoch)}>
                Epoch {e.epoch}: {native(e.total)}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      {board.data ? (
        <>
          <BarChart
            title={`Allocations in epoch ${board.data.epoch} (${board.data.accounts} accounts)`}
            bars={board.data.items.slice(0, 10).map((e) => ({ label: e.handle ? `@${e.handle}` : short(e.account), value: toNumber(e.amount) }))}
          />
          <table>
            <caption>Epoch {board.data.epoch}: {native(board.data.total)} in all</caption>
            <thead>
              <tr>
                <th scope="col">Rank</th>
                <th scope="col">Account</th>
                <th scope="col">Amount</th>
                <th scope="col">Score</th>
                <th scope="col">Reasons</th>
                <th scope="col">Claimed</th>
              </tr>
            </thead>
            <tbody>
              {board.data.items.map((e) => (
                <tr key={e.account}>
                  <td>{e.rank}</td>
                  <td>{e.handle ? `@${e.handle}` : e.account}</td>
                  <td>{native(e.amount)}</td>
                  <td>{e.score}</td>
                  <td data-testid="reasons">
                    {e.reasons.length
                      ? e.reasons.map((code) => (
                          <span key={code} class="reason" title={board.data!.reason_codes[code] ?? ""}>
                            {code}
                            {board.data!.reason_codes[code] ? ` (${board.data!.reason_codes[code]})` : ""}{" "}
                          </span>
                        ))
                      : "none "}
                    <Why epoch={board.data!.epoch} account={e.account} />
                  </td>
                  <td>{e.claimed ? "yes" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : epoch !== null && !board.error ? (
        <Loading what="the leaderboard" />
      ) : null}
      {board.error ? <Problem message={board.error} /> : null}
    </section>
  );
}

function countdown(seconds: number): string {
  if (seconds <= 0) return "now";
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `in ${d} d ${h} h`;
  return h ? `in ${h} h ${m} min` : `in ${m} min ${seconds % 60} s`;
}

interface Row {
  epoch: number;
  amount: string;
  state: "pending" | "claimable" | "claimed" | "expired";
  detail: string;
}

/** Every week that pays the wallet, as GET /rewards/claimable/{address} reports it: pending
 * (challenge period, counting down to claimable), claimable (until its window closes), claimed,
 * expired; one button claims every claimable week at once (claimMany). ``now`` is the chain's
 * time, as the API keeps it (the page's clock may differ from the chain's). */
function rows(data: Claimable, now: number): Row[] {
  const when = (t: number | null) => (t === null ? "" : new Date(t * 1000).toLocaleString());
  const all: Row[] = [
    ...data.pending.map((p) => ({
      epoch: p.epoch,
      amount: p.amount,
      state: "pending" as const,
      detail: `claimable ${countdown(Math.round(p.claimable_at - now))}`,
    })),
    ...data.items.map((i) => ({
      epoch: i.epoch,
      amount: i.amount,
      state: "claimable" as const,
      detail: i.claim_window_closes_at ? `until ${when(i.claim_window_closes_at)}` : "",
    })),
    ...data.claimed.map((c) => ({ epoch: c.epoch, amount: c.amount, state: "claimed" as const, detail: "" })),
    ...data.expired.map((e) => ({
      epoch: e.epoch,
      amount: e.amount,
      state: "expired" as const,
      detail: `${e.claim_window_closed_at ? `window closed ${when(e.claim_window_closed_at)}` : ""}${e.swept ? ", swept" : ""}`,
    })),
  ];
  return all.sort((a, b) => b.epoch - a.epoch);
}

/** My rewards across epochs and one button claiming every claimable epoch (claimMany). */
export function MyRewards() {
  useHead("My rewards");
  const w = useStore(wallet);
  const claimable = useApi<Claimable>(w.address ? `/rewards/claimable/${w.address}` : null);
  const [now, setNow] = useState(Date.now() / 1000);
  const [skew, setSkew] = useState(0); // chain time minus page time
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    // the countdown runs on the chain's clock (the vault's), read from the wallet's node
    if (!w.current) return;
    createPublicClient({ transport: custom(w.current.provider) })
      .getBlock({ blockTag: "latest" })
      .then((block) => setSkew(Number(block.timestamp) - Date.now() / 1000), () => undefined);
  }, [w.current, claimable.data]);
  if (!w.address) {
    return (
      <section aria-labelledby="mine-title">
        <h1 id="mine-title">My rewards</h1>
        <p>Connect a wallet to see your rewards.</p>
      </section>
    );
  }
  const claimed = (state: TxState) => state.status === "confirmed" && setTimeout(claimable.reload, 1500);
  const data = claimable.data;
  const list = data ? rows(data, now + skew) : [];
  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">My rewards</h1>
      {claimable.error ? <Problem message={claimable.error} /> : null}
      {!data && !claimable.error ? <Loading what="your rewards" /> : null}
      {data && list.length === 0 ? <p>No week has paid this wallet yet.</p> : null}
      {list.length ? (
        <table>
          <caption>My weeks</caption>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Amount</th>
              <th scope="col">Standing</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.epoch} data-epoch={r.epoch} data-state={r.state}>
                <td>{r.epoch}</td>
                <td>{native(r.amount)}</td>
                <td>
                  {r.state}
                  {r.detail ? (r.state === "pending" ? `: ${r.detail}` : ` ${r.detail}`) : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data ? (
        <>
          <p data-testid="claimable-total">Total claimable: {native(data.total)}</p>
          {data.pending.length ? <p>Pending: {native(data.pending_total)}</p> : null}
          {data.items.length ? (
            <TxButton
              label={`Claim ${data.items.length} epoch${data.items.length > 1 ? "s" : ""}`}
              call={() => ({
                contract: "PrizeVault",
                functionName: "claimMany",
                args: [
                  data.claim_many.epochs.map(BigInt),
                  data.claim_many.account,
                  data.claim_many.amounts.map(BigInt),
                  data.claim_many.proofs,
                ],
              })}
              onDone={claimed}
            />
          ) : (
            <p>Nothing to claim now.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
