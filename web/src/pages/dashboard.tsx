import { useState } from "preact/hooks";
import { formatUnits } from "viem/utils";
import { describe, session } from "../api";
import { chainInfo, native } from "../chaininfo";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { BarChart, Link, Loading, Problem } from "../ui";
import { wallet } from "../wallet";
import { useHead } from "./head";
import type { Profile } from "./types";

interface Week {
  epoch: number;
  views: number;
  likes: number;
  comments: number;
  live_attendance: number;
  points: string;
  trade_fills: number;
  trade_notional_micro: string;
  allocation: string | null;
  pass_sales: number;
  pass_revenue: { currency: { address: string; symbol: string | null; decimals: number | null }; amount: string; display: string | null }[];
}
interface Proceeds {
  items: { withdrawable_display: string | null; withdrawn_display: string | null; withdrawable: string; withdrawn: string }[];
}

const QUANTITIES: [string, (w: Week) => number][] = [
  ["Distinct viewers", (w) => w.views],
  ["Distinct likers", (w) => w.likes],
  ["Distinct commenters", (w) => w.comments],
  ["Live attendance", (w) => w.live_attendance],
  ["Points", (w) => Number(w.points)],
  ["Attributed fills", (w) => w.trade_fills],
  ["Attributed volume (quote units)", (w) => Math.floor(Number(w.trade_notional_micro) / 1e6)],
  ["Pass sales", (w) => w.pass_sales],
];

const ALLOCATION: [string, (w: Week) => number] = [
  "Allocation",
  (w) => (w.allocation === null ? 0 : Number(formatUnits(BigInt(w.allocation), chainInfo.value?.native_currency.decimals ?? 18))),
];

/** The currencies any shown week sold in, each a revenue column and chart (in human units). */
function revenueColumns(weeks: Week[]): [string, (w: Week) => number, (w: Week) => string][] {
  const seen = new Map<string, { symbol: string | null; decimals: number | null }>();
  for (const w of weeks) for (const r of w.pass_revenue) seen.set(r.currency.address, r.currency);
  return [...seen].map(([address, c]) => {
    const of = (w: Week) => w.pass_revenue.find((r) => r.currency.address === address);
    const name = `Revenue (${c.symbol ?? address})`;
    const value = (w: Week) => {
      const r = of(w);
      return r ? Number(formatUnits(BigInt(r.amount), c.decimals ?? 0)) : 0;
    };
    const text = (w: Week) => of(w)?.display ?? (of(w) ? `${of(w)!.amount} base units` : "0");
    return [name, value, text];
  });
}

interface AnalyticsWeek {
  epoch: number;
  posts: number;
  views: number;
  viewers: number;
  orders: number;
  fills: number;
  traders: number;
  conversion: string | null;
  passes: { pass_id: number; sales: number; revenue: { amount: string; display: string | null } }[];
  rank: number | null;
}

const ANALYTICS: [string, (w: AnalyticsWeek) => string][] = [
  ["Posts", (w) => String(w.posts)],
  ["Views", (w) => w.views.toLocaleString()],
  ["Identified viewers", (w) => w.viewers.toLocaleString()],
  ["Orders", (w) => String(w.orders)],
  ["Fills", (w) => String(w.fills)],
  ["Traders", (w) => String(w.traders)],
  ["Viewers who traded", (w) => (w.conversion === null ? "no viewers" : `${(Number(w.conversion) * 100).toFixed(2)}%`)],
  ["Sales per pass", (w) => (w.passes.length ? w.passes.map((p) => `#${p.pass_id}: ${p.sales} (${p.revenue.display ?? p.revenue.amount})`).join(", ") : "none")],
  ["Rank", (w) => (w.rank === null ? "unranked" : String(w.rank))],
];

/** Saves the analytics CSV: fetched with the session's token (a plain link would carry none). */
async function downloadCsv(address: string): Promise<void> {
  const token = session.value?.token;
  const reply = await fetch(`/profiles/${address}/analytics?weeks=12&format=csv`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!reply.ok) {
    const body = (await reply.json().catch(() => null)) as { error?: { message?: string; code?: string } } | null;
    throw new Error(`${body?.error?.message ?? reply.statusText} (${body?.error?.code ?? reply.status})`);
  }
  const name = /filename="([^"]+)"/.exec(reply.headers.get("content-disposition") ?? "")?.[1] ?? "analytics.csv";
  const url = URL.createObjectURL(await reply.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** The creator's own analytics (views, orders, conversion, sales per pass, rank): the
 * session's, so shown once signed in with the identity's wallet. */
function Analytics(props: { address: string }) {
  const signedIn = useStore(session);
  const mine = signedIn?.address === props.address.toLowerCase();
  const data = useApi<{ weeks: AnalyticsWeek[] }>(mine ? `/profiles/${props.address}/analytics?weeks=8` : null);
  const [problem, setProblem] = useState<string | null>(null);
  if (!mine) return <p class="muted">Sign in to see your views, orders, conversion and sales per pass.</p>;
  return (
    <section aria-labelledby="analytics-title">
      <h2 id="analytics-title">Analytics</h2>
      {data.error ? <Problem message={data.error} /> : null}
      {!data.data && !data.error ? <Loading what="your analytics" /> : null}
      {data.data ? (
        <div class="scroll" role="region" aria-label="Analytics per week, scrollable" tabIndex={0}>
          <table>
            <caption>What your content drew and converted into, per week</caption>
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                {ANALYTICS.map(([name]) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.data.weeks.map((week) => (
                <tr key={week.epoch}>
                  <th scope="row">{week.epoch}</th>
                  {ANALYTICS.map(([name, text]) => (
                    <td key={name}>{text(week)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <button type="button" onClick={() => downloadCsv(props.address).then(() => setProblem(null), (e) => setProblem(describe(e)))}>
        Download CSV (12 weeks)
      </button>
      {problem ? <Problem message={problem} /> : null}
    </section>
  );
}

/** A creator's weeks: the quantities the weekly scores use, what each week paid, pass sales. */
export function Dashboard() {
  useHead("Dashboard");
  const w = useStore(wallet);
  const weeks = useApi<{ handle: string; weeks: Week[] }>(w.address ? `/profiles/${w.address}/weeks?count=8` : null);
  const profile = useApi<Profile>(w.address ? `/profiles/${w.address}` : null);
  const proceeds = useApi<Proceeds>(w.address ? `/profiles/${w.address}/proceeds` : null);
  const title = <h1 id="dashboard-title">Creator dashboard</h1>;
  if (!w.address) {
    return (
      <section aria-labelledby="dashboard-title">
        {title}
        <p>Connect the wallet of your identity to see your weeks.</p>
      </section>
    );
  }
  if (weeks.status === 404) {
    return (
      <section aria-labelledby="dashboard-title">
        {title}
        <p>
          This wallet has no identity yet: <Link href="/studio">register one in the studio</Link>.
        </p>
      </section>
    );
  }
  const list = weeks.data?.weeks ?? [];
  const revenue = revenueColumns(list);
  const sold = (profile.data?.passes.created ?? []).reduce((n, p) => n + p.minted, 0);
  return (
    <section aria-labelledby="dashboard-title">
      {title}
      {weeks.error ? <Problem message={weeks.error} /> : null}
      {!weeks.data && !weeks.error ? <Loading what="your weeks" /> : null}
      {weeks.data ? (
        <>
          <p>
            @{weeks.data.handle}: {sold} passes sold in all
            {proceeds.data?.items.length
              ? `; proceeds ${proceeds.data.items.map((i) => `${i.withdrawable_display ?? i.withdrawable} to withdraw, ${i.withdrawn_display ?? i.withdrawn} withdrawn`).join("; ")}`
              : ""}
            .
          </p>
          <div class="scroll" role="region" aria-label="Per week, scrollable" tabIndex={0}>
          <table>
            <caption>Per week</caption>
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                {QUANTITIES.map(([name]) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
                {revenue.map(([name]) => (
                  <th scope="col" key={name}>
                    {name}
                  </th>
                ))}
                <th scope="col">Allocation</th>
              </tr>
            </thead>
            <tbody>
              {list.map((week) => (
                <tr key={week.epoch}>
                  <th scope="row">{week.epoch}</th>
                  {QUANTITIES.map(([name, value]) => (
                    <td key={name}>{value(week).toLocaleString()}</td>
                  ))}
                  {revenue.map(([name, , text]) => (
                    <td key={name}>{text(week)}</td>
                  ))}
                  <td>{week.allocation === null ? "not published" : native(week.allocation)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <Analytics address={w.address} />
          {[...QUANTITIES, ...revenue, ALLOCATION].map(([name, value]) => (
            <BarChart key={name} title={`${name} per week`} bars={list.map((week) => ({ label: `Epoch ${week.epoch}`, value: value(week) }))} />
          ))}
        </>
      ) : null}
    </section>
  );
}
