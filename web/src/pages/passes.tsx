import { zeroAddress } from "viem";
import type { TxState } from "../chain";
import { native } from "../chaininfo";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { TxButton } from "../tx";
import { wallet } from "../wallet";
import type { CreatedPass, Profile } from "./types";

export function term(seconds: number): string {
  if (seconds === 0) return "lifetime";
  const days = seconds / 86400;
  return Number.isInteger(days) ? `${days}-day subscription` : `${seconds}-second subscription`;
}

/** One pass on offer, with Buy (mint one to the connected wallet) or Renew when held. */
export function PassOffer(props: { pass: CreatedPass; held: boolean; onBought?: () => void }) {
  const w = useStore(wallet);
  const { pass } = props;
  const nativePriced = pass.currency === zeroAddress;
  const price = BigInt(pass.price);
  const done = (state: TxState) => state.status === "confirmed" && props.onBought?.();
  return (
    <li class="pass" data-pass={pass.pass_id}>
      <strong>Pass {pass.pass_id}</strong>: {term(pass.duration)},{" "}
      {nativePriced ? native(price) : `${pass.price} base units of ${pass.currency}`}
      {pass.paused ? " (sales paused)" : ""} · {pass.minted} sold
      {nativePriced && w.address && !pass.paused ? (
        props.held && pass.duration > 0 ? (
          <TxButton
            label={`Renew pass ${pass.pass_id}`}
            call={() => ({ contract: "CommunityPass", functionName: "renew", args: [BigInt(pass.pass_id), w.address, 1n, price], value: price })}
            onDone={done}
          />
        ) : (
          <TxButton
            label={`Buy pass ${pass.pass_id}`}
            call={() => ({ contract: "CommunityPass", functionName: "mint", args: [BigInt(pass.pass_id), w.address, 1n, price], value: price })}
            onDone={done}
          />
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
