import type { ComponentChildren } from "preact";
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
