import { useState } from "preact/hooks";
import { api, describe, session } from "../api";
import { useApi } from "../hooks";
import { useStore } from "../store";
import { Problem } from "../ui";

interface Fill {
  id: number;
  price: string;
  size: string;
  notional_micro: number;
  attributed: boolean;
}
interface Order {
  id: number;
  instrument: string;
  side: string;
  size: string;
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

/** Places an order from a post that tags instruments: the exchange's fill comes back with
 * whether it counts for the post's creator (attribution), and the post's attributed volume. */
export function TradePanel(props: { postId: number; instruments: string[] }) {
  const signedIn = useStore(session);
  const trading = useApi<Trading>(`/posts/${props.postId}/trading`);
  const [instrument, setInstrument] = useState(props.instruments[0]);
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [size, setSize] = useState("0.001");
  const [order, setOrder] = useState<Order | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setProblem(null);
    try {
      setOrder(
        await api<Order>(`/posts/${props.postId}/orders`, {
          method: "POST",
          json: { instrument, side, type: "market", size },
        }),
      );
      trading.reload();
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
          <button type="submit">Place market order</button>
        </form>
      ) : (
        <p>Sign in to trade from this post.</p>
      )}
      {problem ? <Problem message={problem} /> : null}
      {order ? (
        <div role="status" data-testid="order">
          Order {order.id} on {order.exchange}: {order.side} {order.size} {order.instrument}, {order.status}
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
    </section>
  );
}
