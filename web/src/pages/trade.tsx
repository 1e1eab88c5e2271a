import { useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { Link, Problem } from "../ui";
import type { Page } from "./types";

interface Fill {
  id: number;
  price: string;
  size: string;
  notional_micro: number;
  attributed: boolean;
}
interface Order {
  id: number;
  post_id: number;
  instrument: string;
  side: string;
  type: string;
  size: string;
  limit_price: string | null;
  status: string;
  reject_reason: string | null;
  exchange: string;
  fills: Fill[];
}
interface Trading {
  fill_count: number;
  volume_micro: number;
}

function quote(micro: number): string {
  return (micro / 1e6).toLocaleString(undefined, { maximumFractionDigits: 2 });
}

function describeOrder(order: Order): string {
  const limit = order.limit_price ? ` at limit ${order.limit_price}` : "";
  return `Order ${order.id} on ${order.exchange}: ${order.side} ${order.size} ${order.instrument}${limit}, ${order.status}`;
}

/** The reader's orders still working on the exchange (``GET /orders?status=open``), each with a
 * Cancel button; the cancel answers the order as the exchange left it: canceled, or filled when
 * the market reached the limit first. */
export function OpenOrders(props: { onChanged?: (order: Order) => void }) {
  const orders = useApi<Page<Order>>("/orders?status=open&limit=50");
  const [results, setResults] = useState<Order[]>([]);
  const [busy, setBusy] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const cancel = async (id: number) => {
    setBusy(id);
    setProblem(null);
    try {
      const order = await api<Order>(`/orders/${id}/cancel`, { method: "POST" });
      setResults((list) => [order, ...list.filter((o) => o.id !== order.id)]);
      props.onChanged?.(order);
      orders.reload();
    } catch (error) {
      setProblem(describe(error));
      orders.reload(); // an order_not_open answer means the list was stale
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="open-orders-title">
      <h3 id="open-orders-title">Your open orders</h3>
      {orders.error ? <Problem message={orders.error} /> : null}
      {orders.data?.items.length === 0 ? <p class="muted">No open orders.</p> : null}
      <ul aria-labelledby="open-orders-title" data-testid="open-orders">
        {orders.data?.items.map((o) => (
          <li key={o.id} data-order={o.id}>
            {describeOrder(o)}{" "}
            <Link href={`/post/${o.post_id}`}>from post {o.post_id}</Link>{" "}
            <button type="button" onClick={() => cancel(o.id)} disabled={busy === o.id}>
              Cancel order {o.id}
            </button>
          </li>
        ))}
      </ul>
      {problem ? <Problem message={problem} /> : null}
      {results.map((o) => (
        <p key={o.id} role="status" data-testid="cancel-result" data-order={o.id}>
          {o.status === "canceled"
            ? `Order ${o.id} canceled.`
            : `Order ${o.id} was ${o.status.replace("_", " ")} before the cancel reached the exchange.`}
          {o.fills.length ? ` ${o.fills.length} fill(s) recorded.` : null}
        </p>
      ))}
    </section>
  );
}

/** Places an order from a post that tags instruments: the exchange's fill comes back with
 * whether it counts for the post's creator (attribution), and the post's attributed volume. */
export function TradePanel(props: { postId: number; instruments: string[] }) {
  const signedIn = useStore(session);
  const trading = useApi<Trading>(`/posts/${props.postId}/trading`);
  const [instrument, setInstrument] = useState(props.instruments[0]);
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [size, setSize] = useState("0.001");
  const [type, setType] = useState<"market" | "limit">("market");
  const [limitPrice, setLimitPrice] = useState("");
  const [placed, setPlaced] = useState(0);
  const [order, setOrder] = useState<Order | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      setOrder(
        await api<Order>(`/posts/${props.postId}/orders`, {
          method: "POST",
          json: { instrument, side, type, size, ...(type === "limit" ? { limit_price: limitPrice } : {}) },
        }),
      );
      trading.reload();
      setPlaced((n) => n + 1);
    } catch (error) {
      setProblem(describe(error));
    }
  };
  return (
    <section aria-labelledby="trade-title">
      <h2 id="trade-title">Trade from this post</h2>
      {trading.data ? (
        <p data-testid="post-volume">
          {trading.data.fill_count} attributed fills, volume {quote(trading.data.volume_micro)} (quote currency)
        </p>
      ) : null}
      {signedIn ? (
        <form onSubmit={submit}>
          <label for="trade-instrument">Instrument</label>
          <select id="trade-instrument" value={instrument} onChange={(e) => setInstrument(e.currentTarget.value)}>
            {props.instruments.map((i) => (
              <option key={i}>{i}</option>
            ))}
          </select>
          <label for="trade-side">Side</label>
          <select id="trade-side" value={side} onChange={(e) => setSide(e.currentTarget.value as never)}>
            <option value="buy">Buy</option>
            <option value="sell">Sell</option>
          </select>
          <label for="trade-size">Size (base currency)</label>
          <input id="trade-size" inputMode="decimal" value={size} onInput={(e) => setSize(e.currentTarget.value)} />
          <label for="trade-type">Order type</label>
          <select id="trade-type" value={type} onChange={(e) => setType(e.currentTarget.value as never)}>
            <option value="market">Market (fills now)</option>
            <option value="limit">Limit (waits for the price)</option>
          </select>
          {type === "limit" ? (
            <>
              <label for="trade-limit">Limit price (quote currency)</label>
              <input
                id="trade-limit"
                inputMode="decimal"
                required
                value={limitPrice}
                onInput={(e) => setLimitPrice(e.currentTarget.value)}
              />
            </>
          ) : null}
          <button type="submit">{type === "limit" ? "Place limit order" : "Place market order"}</button>
        </form>
      ) : (
        <p>Sign in to trade from this post.</p>
      )}
      {problem ? <Problem message={problem} /> : null}
      {order ? (
        <div role="status" data-testid="order">
          {describeOrder(order)}
          {order.reject_reason ? ` (${order.reject_reason})` : ""}
          <ul>
            {order.fills.map((f) => (
              <li key={f.id}>
                fill {f.id}: {f.size} at {f.price},{" "}
                {f.attributed ? "attributed to the post's creator" : "not attributed (the creator's own order)"}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {signedIn ? <OpenOrders key={placed} onChanged={(o) => setOrder((shown) => (shown?.id === o.id ? o : shown))} /> : null}
    </section>
  );
}
