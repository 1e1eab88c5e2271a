import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type Call, type TxState, native, send, txUrl } from "./chain";
import { Store } from "./store";

export const route = new Store<string>(window.location.pathname + window.location.search);
window.addEventListener("popstate", () => route.set(window.location.pathname + window.location.search));

export function navigate(path: string): void {
  window.history.pushState(null, "", path);
  route.set(path);
  window.scrollTo(0, 0);
}

/** An in-app link: a real anchor (keyboard, middle click, copy) that navigates without a reload. */
export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  const click = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} onClick={click} class={props.class}>
      {props.children}
    </a>
  );
}

export function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

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

/** A labelled bar chart in SVG (no charting library: a few bars do not need one). */
export function BarChart(props: { title: string; bars: { label: string; value: number }[] }) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const width = 320;
  const row = 22;
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg role="img" aria-label={props.title} width={width} height={row * props.bars.length + 4}>
        {props.bars.map((bar, i) => (
          <g key={bar.label} transform={`translate(0 ${i * row})`}>
            <text x="0" y="15" font-size="12">
              {bar.label}
            </text>
            <rect x="110" y="3" height="15" width={Math.max(1, (bar.value / max) * (width - 170))} fill="#4a6cf7" />
            <text x={115 + (bar.value / max) * (width - 170)} y="15" font-size="12">
              {bar.value.toLocaleString()}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

export function Loading(props: { what: string }) {
  return <p aria-busy="true">Loading {props.what}…</p>;
}

export function Problem(props: { message: string }) {
  return (
    <p role="alert" class="error">
      {props.message}
    </p>
  );
}
