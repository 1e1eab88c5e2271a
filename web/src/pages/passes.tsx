import { useState } from "preact/hooks";
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

/** Buying a pass priced in an ERC-20: the allowance CommunityPass has from the wallet is read
 * first; when short, an approve of exactly the price is sent (and must confirm) before the
 * mint, each with its own status. A second purchase within the allowance sends only the mint. */
function TokenPurchase(props: { pass: CreatedPass; renew: boolean; label: string; onDone: (state: TxState) => void }) {
  const w = useStore(wallet);
  const info = useStore(chainInfo);
  const { pass } = props;
  const price = BigInt(pass.price);
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
  const price = BigInt(pass.price);
  const done = (state: TxState) => state.status === "confirmed" && props.onBought?.();
  const renew = props.held && pass.duration > 0;
  const label = `${renew ? "Renew" : "Buy"} pass ${pass.pass_id}`;
  const shown = nativePriced
    ? native(price)
    : (detail.data?.terms.price_display ?? `${pass.price} base units of ${pass.currency}`);
  return (
    <li class="pass" data-pass={pass.pass_id}>
      <strong>Pass {pass.pass_id}</strong>: {term(pass.duration)}, {shown}
      {pass.paused ? " (sales paused)" : ""} · {pass.minted} sold
      {w.address && !pass.paused ? (
        nativePriced ? (
          <TxButton
            label={label}
            call={() => ({ contract: "CommunityPass", functionName: renew ? "renew" : "mint", args: [BigInt(pass.pass_id), w.address, 1n, price], value: price })}
            onDone={done}
          />
        ) : (
          <TokenPurchase pass={pass} renew={renew} label={label} onDone={done} />
        )
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
