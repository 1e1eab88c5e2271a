import { useState } from "preact/hooks";
import { type Call, type TxState, send } from "./chain";
import { native, txUrl } from "./chaininfo";
import { short } from "./ui";

/** What a transaction is doing, for screen readers too (role=status). */
export function TxStatus(props: { state: TxState; label: string }) {
  const { state } = props;
  if (state.status === "idle") return null;
  const link = "hash" in state && state.hash ? txUrl(state.hash) : null;
  const hash =
    "hash" in state && state.hash ? (
      link ? (
        <a href={link} target="_blank" rel="noreferrer">
          {short(state.hash)}
        </a>
      ) : (
        <code>{short(state.hash)}</code>
      )
    ) : null;
  const text = {
    pending: `${props.label}: pending`,
    confirmed: `${props.label}: confirmed`,
    failed: `${props.label} failed: ${"message" in state ? state.message : ""}`,
    rejected: `${props.label}: ${"message" in state ? state.message : ""}`,
  }[state.status];
  return (
    <p role="status" class={`tx tx-${state.status}`} data-status={state.status}>
      {text} {hash}
      {state.status === "confirmed" ? <span class="muted"> (fee {native(state.fee)})</span> : null}
    </p>
  );
}

/** A button sending one contract call from the wallet, with its status below. */
export function TxButton(props: {
  label: string;
  call: () => Call | null;
  onDone?: (state: TxState) => void;
  disabled?: boolean;
}) {
  const [state, setState] = useState<TxState>({ status: "idle" });
  const click = async () => {
    const call = props.call();
    if (!call) return;
    const final = await send(call, setState);
    props.onDone?.(final);
  };
  return (
    <span class="txbutton">
      <button type="button" onClick={click} disabled={props.disabled || state.status === "pending"}>
        {props.label}
      </button>
      <TxStatus state={state} label={props.label} />
    </span>
  );
}

