import { useState } from "preact/hooks";
import type { Hex } from "viem";
import { api, describe } from "../api";
import { type TxState, send } from "../chain";
import { TxStatus } from "../tx";
import { Problem } from "../ui";

export interface Attestation {
  kind_name: string;
  contribution: { account: string; kind: number; amount: number; epoch: number; uid: Hex; deadline: number };
  signature: Hex;
  status: string;
}

/** Asks the API to sign an attestation of one's own post, comment, session or fill, then
 * submits it from the wallet (ContributionPoints.attest): points are earned by the user's own
 * transaction. */
export function AttestButton(props: { activity: "post" | "comment" | "live" | "trade"; id: number; label?: string }) {
  const label = props.label ?? `Earn points for ${props.activity} ${props.id}`;
  return (
    <SignAndSubmit
      label={label}
      sign={() => api<Attestation>("/attestations", { method: "POST", json: { activity: props.activity, id: props.id } })}
    />
  );
}

/** A button that has the API sign an attestation (``sign``), then sends it from the wallet. */
export function SignAndSubmit(props: { label: string; sign: () => Promise<Attestation>; onDone?: (state: TxState) => void }) {
  const { label } = props;
  const [state, setState] = useState<TxState>({ status: "idle" });
  const [problem, setProblem] = useState<string | null>(null);
  const click = async () => {
    setProblem(null);
    let signed: Attestation;
    try {
      signed = await props.sign();
    } catch (error) {
      setProblem(describe(error));
      return;
    }
    if (signed.status === "recorded") {
      setProblem("Already recorded on chain.");
      return;
    }
    const c = signed.contribution;
    const tuple = {
      account: c.account,
      kind: c.kind,
      amount: BigInt(c.amount),
      epoch: BigInt(c.epoch),
      uid: c.uid,
      deadline: BigInt(c.deadline),
    };
    const final = await send({ contract: "ContributionPoints", functionName: "attest", args: [tuple, signed.signature] }, setState);
    props.onDone?.(final);
  };
  return (
    <span class="txbutton">
      <button type="button" onClick={click} disabled={state.status === "pending"}>
        {label}
      </button>
      <TxStatus state={state} label={label} />
      {problem ? <Problem message={problem} /> : null}
    </span>
  );
}
