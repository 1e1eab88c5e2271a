import { useEffect, useState } from "preact/hooks";
import type { TxState } from "../chain";
import { native } from "../chaininfo";
import { api } from "../api";
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
}
interface Board {
  epoch: number;
  total: string;
  accounts: number;
  items: Entry[];
}
interface Claimable {
  items: { epoch: number; amount: string; proof: string[] }[];
  total: string;
  claim_many: { epochs: number[]; account: string; amounts: string[]; proofs: string[][] };
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
                <th scope="col">Score (why)</th>
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
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `in ${h} h ${m} min` : `in ${m} min ${seconds % 60} s`;
}

interface Allocation {
  epoch: number;
  amount: string;
  claimed: boolean;
}

type Standing = "pending" | "claimable" | "claimed" | "expired";

/** Claimable is the API's word (its clock is the chain's); not claimable is either before the
 * challenge period ends or after the claim window closes. */
function standing(e: EpochOut, a: Allocation, now: number): Standing {
  if (a.claimed) return "claimed";
  if (e.claimable) return "claimable";
  if (e.swept || (e.claim_window_closes_at !== null && now >= e.claim_window_closes_at)) return "expired";
  return "pending";
}

/** Every published week's allocation to ``address`` (weeks that pay it nothing left out). */
function useAllocations(address: string | null, epochs: EpochOut[] | undefined, tick: number) {
  const [found, setFound] = useState<Allocation[] | null>(null);
  useEffect(() => {
    if (!address || !epochs) return;
    let live = true;
    Promise.all(
      epochs.map((e) =>
        api<Allocation>(`/rewards/epochs/${e.epoch}/allocations/${address}`).then(
          (a) => a,
          () => null,
        ),
      ),
    ).then((all) => live && setFound(all.filter((a): a is Allocation => a !== null)));
    return () => {
      live = false;
    };
  }, [address, epochs, tick]);
  return found;
}

/** My rewards across epochs and one button claiming every claimable epoch (claimMany). */
export function MyRewards() {
  useHead("My rewards");
  const w = useStore(wallet);
  const claimable = useApi<Claimable>(w.address ? `/rewards/claimable/${w.address}` : null);
  const epochs = useApi<{ items: EpochOut[] }>("/rewards/epochs");
  const [now, setNow] = useState(Date.now() / 1000);
  const [tick, setTick] = useState(0);
  const allocations = useAllocations(w.address, epochs.data?.items, tick);
  const byEpoch = new Map((epochs.data?.items ?? []).map((e) => [e.epoch, e]));
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!w.address) {
    return (
      <section aria-labelledby="mine-title">
        <h1 id="mine-title">My rewards</h1>
        <p>Connect a wallet to see your rewards.</p>
      </section>
    );
  }
  const claimed = (state: TxState) =>
    state.status === "confirmed" &&
    setTimeout(() => {
      claimable.reload();
      setTick((n) => n + 1);
    }, 1500);
  const data = claimable.data;
  const pending = (epochs.data?.items ?? []).filter((e) => !e.claimable && e.claimable_at > now);
  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">My rewards</h1>
      {claimable.error ? <Problem message={claimable.error} /> : null}
      {!data && !claimable.error ? <Loading what="your rewards" /> : null}
      {pending.length ? (
        <ul aria-label="Pending weeks">
          {pending.map((e) => (
            <li key={e.epoch}>
              Epoch {e.epoch}: pending, claimable {countdown(Math.round(e.claimable_at - now))}
            </li>
          ))}
        </ul>
      ) : null}
      {allocations?.length ? (
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
            {allocations.map((a) => {
              const e = byEpoch.get(a.epoch)!;
              const state = standing(e, a, now);
              return (
                <tr key={a.epoch} data-epoch={a.epoch}>
                  <td>{a.epoch}</td>
                  <td>{native(a.amount)}</td>
                  <td>
                    {state}
                    {state === "pending" ? `: claimable ${countdown(Math.round(e.claimable_at - now))}` : ""}
                    {state === "claimable" && e.claim_window_closes_at
                      ? ` until ${new Date(e.claim_window_closes_at * 1000).toLocaleString()}`
                      : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {data ? (
        <>
          <table>
            <caption>Claimable now</caption>
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.epoch}>
                  <td>{item.epoch}</td>
                  <td>{native(item.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p data-testid="claimable-total">Total claimable: {native(data.total)}</p>
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
            <p>Nothing to claim.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
