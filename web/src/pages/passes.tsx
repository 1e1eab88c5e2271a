import { useEffect, useState } from "preact/hooks";
import { type Address, createPublicClient, custom, erc20Abi, zeroAddress } from "viem";
import { type TxState, revertReason, send } from "../chain";
import { chainInfo, native } from "../chaininfo";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { TxButton, TxStatus } from "../tx";
import { wallet } from "../wallet";
import type { CreatedPass, Profile } from "./types";

export function term(seconds: number): string {
  if (seconds === 0) return "lifetime";
  const days = seconds / 86400;
  return Number.isInteger(days) ? `${days}-day subscription` : `${seconds}-second subscription`;
}

interface PassDetail {
  terms: { price_display: string | null; currency: { symbol: string | null; decimals: number | null } };
}

/** GET /passes/{id}/rights/{wallet}: what the connected wallet may do with a pass. */
interface PassRights {
  missing: { requirement: "points" | "verified_identity"; required: string | null; has: string | null }[];
  can_mint: boolean;
  mint_blocked: string | null;
  can_renew: boolean;
  renew_blocked: string | null;
  renewal_price: string | null;
  refund: { available: boolean; amount: string; amount_display: string | null; funded: boolean; until: number | null };
}

/** The requirement a wallet misses, in words (the buy button is disabled with this shown). */
export function missingText(rights: PassRights): string {
  return rights.missing
    .map((m) => (m.requirement === "points" ? `${m.required} contribution points (you have ${m.has})` : "a verified Planet identity"))
    .join(" and ");
}

/** Cancel the latest subscription payment within its refund window: the refund moves to the
 * wallet's proceeds on chain, then a withdraw sends it to the wallet (pull payment). Stays
 * mounted once a refund was offered (until the page is left), so both statuses stay in view
 * while the rights behind it are read again. */
function Refund(props: { pass: CreatedPass; amount: string; onDone: (state: TxState) => void }) {
  const { pass } = props;
  const [withdrawable, setWithdrawable] = useState(false);
  const [withdrawn, setWithdrawn] = useState(false);
  return (
    <span class="refund" data-testid={`refund-${pass.pass_id}`}>
      <span class="muted"> {withdrawn ? "Refund withdrawn to your wallet." : `Refund available: about ${props.amount}.`}</span>
      <TxButton
        label={`Refund pass ${pass.pass_id}`}
        disabled={withdrawable}
        call={() => ({ contract: "CommunityPass", functionName: "cancelSubscription", args: [BigInt(pass.pass_id)] })}
        onDone={(state) => state.status === "confirmed" && setWithdrawable(true)}
      />
      {withdrawable ? (
        <TxButton
          label={`Withdraw refund of pass ${pass.pass_id}`}
          disabled={withdrawn}
          call={() => ({ contract: "CommunityPass", functionName: "withdraw", args: [pass.currency as Address] })}
          onDone={(state) => {
            if (state.status === "confirmed") setWithdrawn(true);
            props.onDone(state);
          }}
        />
      ) : null}
    </span>
  );
}

/** Buying a pass priced in an ERC-20: the allowance CommunityPass has from the wallet is read
 * first; when short, an approve of exactly the price is sent (and must confirm) before the
 * mint, each with its own status. A second purchase within the allowance sends only the mint. */
function TokenPurchase(props: { pass: CreatedPass; price: bigint; renew: boolean; label: string; onDone: (state: TxState) => void }) {
  const w = useStore(wallet);
  const info = useStore(chainInfo);
  const { pass, price } = props;
  const token = pass.currency as Address;
  const [approval, setApproval] = useState<TxState>({ status: "idle" });
  const [purchase, setPurchase] = useState<TxState>({ status: "idle" });
  const [step, setStep] = useState<string | null>(null);
  const busy = approval.status === "pending" || purchase.status === "pending";
  const click = async () => {
    if (!w.current || !w.address || !info) return;
    setApproval({ status: "idle" });
    setPurchase({ status: "idle" });
    const spender = info.contracts.CommunityPass.address;
    const reader = createPublicClient({ transport: custom(w.current.provider) });
    setStep("Checking the allowance…");
    let allowance: bigint;
    try {
      allowance = await reader.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [w.address, spender] });
    } catch (error) {
      setStep(null);
      setPurchase({ status: "failed", message: revertReason(error) });
      return;
    }
    if (allowance < price) {
      setStep(`Step 1 of 2: approve CommunityPass to take the price from your wallet.`);
      const approved = await send(
        { contract: "CommunityPass", functionName: "approve", args: [spender, price], target: { address: token, abi: erc20Abi } },
        setApproval,
      );
      if (approved.status !== "confirmed") {
        setStep(null);
        return;
      }
      setStep("Step 2 of 2: buy.");
    } else {
      setStep("The allowance covers the price: buying.");
    }
    const functionName = props.renew ? "renew" : "mint";
    const bought = await send(
      { contract: "CommunityPass", functionName, args: [BigInt(pass.pass_id), w.address, 1n, price] },
      setPurchase,
    );
    setStep(null);
    props.onDone(bought);
  };
  return (
    <span class="txbutton">
      <button type="button" onClick={click} disabled={busy}>
        {props.label}
      </button>
      {step ? <span class="muted"> {step}</span> : null}
      <TxStatus state={approval} label={`Approve pass ${pass.pass_id}'s price`} />
      <TxStatus state={purchase} label={props.label} />
    </span>
  );
}

/** One pass on offer, with Buy (mint one to the connected wallet) or Renew when held. */
export function PassOffer(props: { pass: CreatedPass; held: boolean; onBought?: () => void }) {
  const w = useStore(wallet);
  const { pass } = props;
  const nativePriced = pass.currency === zeroAddress;
  const detail = useApi<PassDetail>(nativePriced ? null : `/passes/${pass.pass_id}`);
  // protocol v2: requirements the wallet misses, its renewal price, a refund it may take
  const rights = useApi<PassRights>(w.address ? `/passes/${pass.pass_id}/rights/${w.address}` : null);
  const done = (state: TxState) => {
    if (state.status !== "confirmed") return;
    rights.reload();
    props.onBought?.();
  };
  const renew = props.held && pass.duration > 0;
  // a holder renews at its own price: the snapshot during a price notice
  const price = BigInt(renew && rights.data?.renewal_price ? rights.data.renewal_price : pass.price);
  const label = `${renew ? "Renew" : "Buy"} pass ${pass.pass_id}`;
  const shown = nativePriced
    ? native(BigInt(pass.price))
    : (detail.data?.terms.price_display ?? `${pass.price} base units of ${pass.currency}`);
  const blocked = rights.data && rights.data.missing.length > 0 && (renew ? !rights.data.can_renew : !rights.data.can_mint);
  // once offered, the refund stays on the page until withdrawn (see Refund)
  const [refund, setRefund] = useState<string | null>(null);
  const offered = rights.data?.refund.available ? (rights.data.refund.amount_display ?? `${rights.data.refund.amount} base units`) : null;
  useEffect(() => {
    if (offered && refund === null) setRefund(offered);
  }, [offered, refund]);
  return (
    <li class="pass" data-pass={pass.pass_id}>
      <strong>Pass {pass.pass_id}</strong>: {term(pass.duration)}, {shown}
      {pass.paused ? " (sales paused)" : ""} · {pass.minted} sold
      {w.address && !pass.paused && blocked && rights.data ? (
        <span class="txbutton">
          <button type="button" disabled aria-describedby={`missing-${pass.pass_id}`}>
            {label}
          </button>
          <span class="muted" id={`missing-${pass.pass_id}`} data-testid={`missing-${pass.pass_id}`}>
            {" "}
            Requires {missingText(rights.data)}.
          </span>
        </span>
      ) : w.address && !pass.paused ? (
        nativePriced ? (
          <TxButton
            label={label}
            call={() => ({ contract: "CommunityPass", functionName: renew ? "renew" : "mint", args: [BigInt(pass.pass_id), w.address, 1n, price], value: price })}
            onDone={done}
          />
        ) : (
          <TokenPurchase pass={pass} price={price} renew={renew} label={label} onDone={done} />
        )
      ) : null}
      {w.address && refund !== null ? (
        <Refund
          pass={pass}
          amount={refund}
          onDone={done}
        />
      ) : null}
      {!w.address ? <span class="muted"> (connect a wallet to buy)</span> : null}
    </li>
  );
}

/** The passes a creator offers; ``onBought`` runs after a confirmed purchase. */
export function PassList(props: { handle: string; onBought?: () => void }) {
  const w = useStore(wallet);
  const profile = useApi<Profile>(`/profiles/${encodeURIComponent(props.handle)}`);
  // what the connected wallet holds already: a held subscription offers Renew instead of Buy
  const mine = useApi<Profile>(w.address ? `/profiles/${w.address}` : null);
  const held = new Set((mine.data?.passes.held ?? []).map((p) => p.pass_id));
  if (profile.error) return <p role="alert">{profile.error}</p>;
  if (!profile.data) return null;
  const offered = profile.data.passes.created;
  return (
    <section aria-label={`Passes of @${props.handle}`}>
      <h2>Passes of @{props.handle}</h2>
      {offered.length === 0 ? <p>@{props.handle} offers no pass yet.</p> : null}
      <ul>
        {offered.map((pass) => (
          <PassOffer key={pass.pass_id} pass={pass} held={held.has(pass.pass_id)} onBought={props.onBought} />
        ))}
      </ul>
    </section>
  );
}
