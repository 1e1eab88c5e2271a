import { useEffect, useState } from "preact/hooks";
import { type Address, formatUnits, getAddress, isAddress, parseUnits } from "viem";
import { api, describe } from "../api";
import type { TxState } from "../chain";
import { chainInfo } from "../chaininfo";
import { useApi } from "../hooks";
import { useChainTime, useRead } from "../reads";
import { useStore } from "../store";
import { TxButton } from "../tx";
import { Problem } from "../ui";
import { term } from "./passes";

/** GET /passes?creator=: which passes are the creator's, and each one's currency (its symbol
 * and decimals, read by the API); what the controls change is read from the chain itself. */
interface OwnPass {
  id: number;
  terms: {
    currency: { address: Address; native: boolean; symbol: string | null; decimals: number | null };
    duration: number;
  };
}

interface OwnPassPage {
  items: OwnPass[];
  next_cursor: string | null;
}

/** CommunityPass.passes(id), the fields used here. */
interface OnChainPass {
  price: bigint;
  minted: bigint;
  maxSupply: bigint;
  walletLimit: bigint;
  paused: boolean;
}

/** CommunityPass.policy(id): the rules of protocol v2. */
interface Policy {
  minPoints: bigint;
  pointsWeeks: number;
  verifiedIdentity: boolean;
  refundWindow: bigint;
  priceChangedAt: bigint;
}

/** CommunityPass's constants, read once: the bounds each control checks before sending. */
interface Limits {
  maxWeeks: number | null;
  maxRefundWindow: bigint | null;
  maxGift: bigint | null;
  notice: bigint | null;
}

const DAY = 86400;
const UNLIMITED = 2n ** 64n - 1n;

/** A span of seconds in words: whole days when it is, hours otherwise. */
function span(seconds: bigint | number): string {
  const s = Number(seconds);
  if (s % DAY === 0) return `${s / DAY} day${s === DAY ? "" : "s"}`;
  return `${Math.round((s / 3600) * 100) / 100} hours`;
}

function when(seconds: bigint | number): string {
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The requirements in words, as a fan reads them. */
function requirementsText(p: Policy): string {
  const parts: string[] = [];
  if (p.minPoints > 0n) {
    const counted = p.pointsWeeks ? `earned in the last ${p.pointsWeeks} week${p.pointsWeeks === 1 ? "" : "s"}` : "(lifetime)";
    parts.push(`at least ${p.minPoints} contribution points ${counted}`);
  }
  if (p.verifiedIdentity) parts.push("a verified Planet identity");
  return parts.length ? parts.join(" and ") : "nothing: anyone may buy";
}

/** Until the user edits a field, it follows the chain's value (loaded late, changed by a
 * confirmed transaction). */
function useField(current: string | null): [string, (value: string) => void] {
  const [typed, setTyped] = useState<string | null>(null);
  useEffect(() => setTyped(null), [current]);
  return [typed ?? current ?? "", setTyped];
}

function Requirements(props: { id: bigint; policy: Policy | null; maxWeeks: number | null; onDone: (s: TxState) => void }) {
  const { id, policy } = props;
  const n = String(id);
  const [points, setPoints] = useField(policy ? String(policy.minPoints) : null);
  const [counted, setCounted] = useField(policy ? (policy.pointsWeeks ? "weeks" : "lifetime") : null);
  const [weeks, setWeeks] = useField(policy ? String(policy.pointsWeeks || 4) : null);
  const [verified, setVerified] = useField(policy ? String(policy.verifiedIdentity) : null);
  const [problem, setProblem] = useState<string | null>(null);
  const maxWeeks = props.maxWeeks ?? 12;
  return (
    <fieldset>
      <legend>Who may buy or renew</legend>
      <p data-testid={`requirements-${n}`}>Now required: {policy ? requirementsText(policy) : "…"}.</p>
      <label for={`req-points-${n}`}>Minimum contribution points (0: none)</label>
      <input id={`req-points-${n}`} inputMode="numeric" value={points} onInput={(e) => setPoints(e.currentTarget.value.trim())} />
      <label for={`req-counted-${n}`}>Points counted</label>
      <select id={`req-counted-${n}`} value={counted} onChange={(e) => setCounted(e.currentTarget.value)}>
        <option value="lifetime">Lifetime</option>
        <option value="weeks">Earned in the last weeks</option>
      </select>
      {counted === "weeks" ? (
        <>
          <label for={`req-weeks-${n}`}>Weeks (1 to {maxWeeks}, the current one included)</label>
          <input id={`req-weeks-${n}`} inputMode="numeric" value={weeks} onInput={(e) => setWeeks(e.currentTarget.value.trim())} />
        </>
      ) : null}
      <label>
        <input type="checkbox" checked={verified === "true"} onChange={(e) => setVerified(String(e.currentTarget.checked))} /> A
        verified Planet identity
      </label>
      <p class="muted">Applies to every later purchase, renewal and transfer; holders keep their passes.</p>
      <TxButton
        label={`Set requirements of pass ${n}`}
        disabled={!policy}
        call={() => {
          setProblem(null);
          if (!/^[0-9]+$/.test(points) || BigInt(points) >= 2n ** 64n) {
            setProblem("the minimum points must be a whole number, like 30 (0: none)");
            return null;
          }
          let pointsWeeks = 0;
          if (counted === "weeks") {
            pointsWeeks = Number(weeks);
            if (!(Number.isInteger(pointsWeeks) && pointsWeeks >= 1 && pointsWeeks <= maxWeeks)) {
              setProblem(`the weeks must be a whole number from 1 to ${maxWeeks}`);
              return null;
            }
            if (BigInt(points) === 0n) {
              setProblem("a window of weeks counts points: set a minimum above 0, or count lifetime points");
              return null;
            }
          }
          const requirements = { minPoints: BigInt(points), pointsWeeks, verifiedIdentity: verified === "true" };
          return { contract: "CommunityPass", functionName: "setRequirements", args: [id, requirements] };
        }}
        onDone={props.onDone}
      />
      {problem ? <Problem message={problem} /> : null}
    </fieldset>
  );
}

function RefundWindow(props: { id: bigint; policy: Policy | null; max: bigint | null; onDone: (s: TxState) => void }) {
  const { id, policy } = props;
  const n = String(id);
  const [days, setDays] = useField(policy ? String(Number(policy.refundWindow) / DAY) : null);
  const [problem, setProblem] = useState<string | null>(null);
  const max = props.max ?? 30n * BigInt(DAY);
  return (
    <fieldset>
      <legend>Refunds</legend>
      <p data-testid={`refund-window-${n}`}>
        Now:{" "}
        {policy === null ? "…" : policy.refundWindow ? `a subscriber may cancel a payment within ${span(policy.refundWindow)} of it, for the unused part` : "no refunds"}
        .
      </p>
      <label for={`refund-days-${n}`}>Refund window (days, at most {span(max)}; 0: no refunds)</label>
      <input id={`refund-days-${n}`} inputMode="decimal" value={days} onInput={(e) => setDays(e.currentTarget.value.trim())} />
      <p class="muted">Applies to payments made from now on; earlier payments keep their window.</p>
      <TxButton
        label={`Set refund window of pass ${n}`}
        disabled={!policy}
        call={() => {
          setProblem(null);
          const seconds = Math.round(Number(days) * DAY);
          if (days === "" || !Number.isFinite(seconds) || seconds < 0 || BigInt(seconds) > max) {
            setProblem(`the refund window must be a number of days from 0 to ${Number(max) / DAY}`);
            return null;
          }
          return { contract: "CommunityPass", functionName: "setRefundWindow", args: [id, BigInt(seconds)] };
        }}
        onDone={props.onDone}
      />
      {problem ? <Problem message={problem} /> : null}
    </fieldset>
  );
}

/** The addresses typed (one a line, or separated by commas or spaces), each once. */
function parseRecipients(text: string): { wallets: Address[]; invalid: string[] } {
  const wallets: Address[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const word of text.split(/[\s,;]+/).filter(Boolean)) {
    if (!isAddress(word, { strict: false }) || BigInt(word) === 0n) {
      invalid.push(word);
    } else if (!seen.has(word.toLowerCase())) {
      seen.add(word.toLowerCase());
      wallets.push(getAddress(word));
    }
  }
  return { wallets, invalid };
}

interface Ranked {
  items: { account: Address; handle: string | null }[];
}

function Gift(props: {
  id: bigint;
  pass: OnChainPass | null;
  duration: number;
  me: Address;
  max: bigint | null;
  onDone: (s: TxState) => void;
}) {
  const { id, pass, duration } = props;
  const n = String(id);
  const max = Number(props.max ?? 100n);
  const [recipients, setRecipients] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [top, setTop] = useState("10");
  const [note, setNote] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  /** The week's ranking is the latest published epoch's leaderboard (GET /rewards): the
   * accounts its scoring paid most, the creator left out. */
  const prefill = async () => {
    setProblem(null);
    setNote(null);
    const count = Number(top);
    if (!(Number.isInteger(count) && count >= 1 && count <= max)) {
      setProblem(`the number of top contributors must be from 1 to ${max}`);
      return;
    }
    try {
      const epochs = await api<{ items: { epoch: number }[] }>("/rewards/epochs");
      if (!epochs.items.length) {
        setNote("No week has been published yet: type the addresses.");
        return;
      }
      const epoch = Math.max(...epochs.items.map((e) => e.epoch));
      const board = await api<Ranked>(`/rewards/epochs/${epoch}/leaderboard?limit=${Math.min(100, count + 1)}`);
      const chosen = board.items.filter((e) => e.account.toLowerCase() !== props.me.toLowerCase()).slice(0, count);
      setRecipients(chosen.map((e) => e.account).join("\n"));
      setNote(`The top ${chosen.length} of epoch ${epoch}'s leaderboard: ${chosen.map((e) => (e.handle ? `@${e.handle}` : e.account)).join(", ")}.`);
    } catch (error) {
      setProblem(`the leaderboard could not be read: ${describe(error)}`);
    }
  };
  const unit = duration ? `periods of ${span(duration)}` : "passes";
  return (
    <fieldset>
      <legend>Gift</legend>
      <p data-testid={`supply-${n}`}>
        Now:{" "}
        {pass === null
          ? "…"
          : `${pass.minted} minted${pass.maxSupply === UNLIMITED ? "" : ` of ${pass.maxSupply}`}` +
            (pass.walletLimit === UNLIMITED ? "" : `, at most ${pass.walletLimit} per wallet`)}
        .
      </p>
      <label for={`gift-top-${n}`}>How many top contributors</label>
      <input id={`gift-top-${n}`} inputMode="numeric" value={top} onInput={(e) => setTop(e.currentTarget.value.trim())} />
      <button type="button" onClick={prefill}>
        Fill in last week's top contributors
      </button>
      {note ? (
        <p role="status" class="muted">
          {note}
        </p>
      ) : null}
      <label for={`gift-to-${n}`}>Recipients (addresses, one a line; at most {max})</label>
      <textarea id={`gift-to-${n}`} value={recipients} onInput={(e) => setRecipients(e.currentTarget.value)} />
      <label for={`gift-quantity-${n}`}>Each gets ({unit})</label>
      <input id={`gift-quantity-${n}`} inputMode="numeric" value={quantity} onInput={(e) => setQuantity(e.currentTarget.value.trim())} />
      <p class="muted">
        Free for them and for you: requirements and a sales pause do not apply, the supply cap and wallet limit do.
        {duration ? " A current subscriber gets the periods added to its expiry." : ""}
      </p>
      <TxButton
        label={`Gift pass ${n}`}
        call={() => {
          setProblem(null);
          const { wallets, invalid } = parseRecipients(recipients);
          if (invalid.length) {
            setProblem(`not an address: ${invalid.join(", ")}`);
            return null;
          }
          if (wallets.length === 0 || wallets.length > max) {
            setProblem(`name from 1 to ${max} recipients`);
            return null;
          }
          if (!/^[1-9][0-9]*$/.test(quantity)) {
            setProblem(`each recipient gets a whole number of ${unit}, at least 1`);
            return null;
          }
          return { contract: "CommunityPass", functionName: "gift", args: [id, wallets, BigInt(quantity)] };
        }}
        onDone={(s) => {
          if (s.status === "confirmed") setRecipients("");
          props.onDone(s);
        }}
      />
      {problem ? <Problem message={problem} /> : null}
    </fieldset>
  );
}

function Price(props: {
  id: bigint;
  pass: OnChainPass | null;
  policy: Policy | null;
  currency: OwnPass["terms"]["currency"];
  subscription: boolean;
  notice: bigint | null;
  now: number | null;
  onDone: (s: TxState) => void;
}) {
  const { id, pass, policy, notice, now } = props;
  const n = String(id);
  const info = useStore(chainInfo);
  const symbol = props.currency.native ? (info?.native_currency.symbol ?? "OKB") : (props.currency.symbol ?? "token units");
  const decimals = props.currency.native ? (info?.native_currency.decimals ?? 18) : props.currency.decimals;
  const shown = (amount: bigint) => (decimals === null ? `${amount} base units` : `${formatUnits(amount, decimals)} ${symbol}`);
  const [price, setPrice] = useField(pass && decimals !== null ? formatUnits(pass.price, decimals) : null);
  const [problem, setProblem] = useState<string | null>(null);
  const until = policy && notice !== null && policy.priceChangedAt ? policy.priceChangedAt + notice : null;
  const pending = until !== null && now !== null && Number(until) > now;
  return (
    <fieldset>
      <legend>Price</legend>
      <p data-testid={`price-${n}`}>
        Now: {pass === null ? "…" : shown(pass.price)}
        {props.subscription ? " a period" : " a pass"}
        {pending && until !== null ? `; subscribers renew at no more than the price they last paid until ${when(until)}` : ""}.
      </p>
      <label for={`price-${n}`}>New price, in {symbol}</label>
      <input id={`price-${n}`} inputMode="decimal" value={price} onInput={(e) => setPrice(e.currentTarget.value.trim())} />
      <p class="muted" data-testid={`price-notice-${n}`}>
        New buyers pay a new price at once.
        {notice === null
          ? ""
          : props.subscription
            ? ` Current subscribers renew at no more than the price they last paid for ${span(notice)} after a change (the contract's notice period).`
            : ` The contract's notice period of ${span(notice)} concerns subscriptions only.`}
      </p>
      <TxButton
        label={`Change price of pass ${n}`}
        disabled={pass === null || decimals === null}
        call={() => {
          setProblem(null);
          let wei: bigint | null = null;
          try {
            wei = decimals === null ? null : parseUnits(price, decimals);
          } catch {
            wei = null;
          }
          if (wei === null || wei <= 0n || wei >= 2n ** 128n) {
            setProblem("the price must be a positive amount, like 0.01");
            return null;
          }
          return { contract: "CommunityPass", functionName: "setPrice", args: [id, wei] };
        }}
        onDone={props.onDone}
      />
      {problem ? <Problem message={problem} /> : null}
    </fieldset>
  );
}

/** One of the creator's passes with its four controls; each shows the chain's value, read
 * again once a transaction confirmed. */
function ManagePass(props: { pass: OwnPass; limits: Limits; me: Address }) {
  const [tick, setTick] = useState(0);
  const id = BigInt(props.pass.id);
  const n = String(id);
  const pass = useRead<OnChainPass>("CommunityPass", "passes", [id], tick);
  const policy = useRead<Policy>("CommunityPass", "policy", [id], tick);
  const now = useChainTime(tick);
  const done = (s: TxState) => s.status === "confirmed" && setTick((t) => t + 1);
  const { duration } = props.pass.terms;
  return (
    <article class="card" aria-labelledby={`manage-${n}-title`} data-pass={n}>
      <h3 id={`manage-${n}-title`}>
        Pass {n}: {term(duration)}
        {pass?.paused ? " (sales paused)" : ""}
      </h3>
      <Requirements id={id} policy={policy} maxWeeks={props.limits.maxWeeks} onDone={done} />
      {duration ? <RefundWindow id={id} policy={policy} max={props.limits.maxRefundWindow} onDone={done} /> : null}
      <Gift id={id} pass={pass} duration={duration} me={props.me} max={props.limits.maxGift} onDone={done} />
      <Price
        id={id}
        pass={pass}
        policy={policy}
        currency={props.pass.terms.currency}
        subscription={duration > 0}
        notice={props.limits.notice}
        now={now}
        onDone={done}
      />
    </article>
  );
}

/** The creator's own passes (GET /passes?creator=), each with what protocol v2 lets a creator
 * change from the wallet: requirements, refund window, gifts and price. */
export function MyPasses(props: { creator: Address }) {
  const list = useApi<OwnPassPage>(`/passes?creator=${props.creator}&limit=100`);
  const limits: Limits = {
    maxWeeks: useRead<number>("CommunityPass", "MAX_POINTS_WEEKS", []),
    maxRefundWindow: useRead<bigint>("CommunityPass", "MAX_REFUND_WINDOW", []),
    maxGift: useRead<bigint>("CommunityPass", "MAX_GIFT_BATCH", []),
    notice: useRead<bigint>("CommunityPass", "PRICE_NOTICE", []),
  };
  const items = list.data?.items ?? [];
  return (
    <section aria-labelledby="my-passes-title">
      <h2 id="my-passes-title">Your passes</h2>
      {list.error ? <Problem message={list.error} /> : null}
      {list.data && items.length === 0 ? <p>You offer no pass yet.</p> : null}
      {items.map((p) => (
        <ManagePass key={p.id} pass={p} limits={limits} me={props.creator} />
      ))}
      {list.data?.next_cursor ? <p class="muted">Your first 100 passes are shown.</p> : null}
    </section>
  );
}
