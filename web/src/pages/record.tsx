import { api } from "../api";
import { txUrl } from "../chaininfo";
import { useApi } from "../hooks";
import { Loading, Problem, short } from "../ui";
import { type Attestation, SignAndSubmit } from "./attest";

interface Entry {
  uid: string;
  status: "unattested" | "signed" | "expired" | "recorded" | "revoked";
  tx_hash: string | null;
  content: {
    seq: number;
    exchange: string;
    instrument: string;
    side: "buy" | "sell";
    size: string;
    entry_price: string;
    entry_time: number;
    exit_price: string;
    exit_time: number;
    result: string;
    return_pct: string;
  };
}
interface TradingRecord {
  creator: { handle: string };
  exchanges: string[];
  entries: Entry[];
  open_positions: { instrument: string; side: string; size: string; entry_price: string }[];
}

const STATUS_TEXT: Record<Entry["status"], string> = {
  unattested: "not attested",
  signed: "signed, not on chain yet",
  expired: "signature expired",
  recorded: "recorded on chain",
  revoked: "revoked on chain",
};

function when(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function Status(props: { entry: Entry }) {
  const { entry } = props;
  const link = entry.tx_hash ? txUrl(entry.tx_hash) : null;
  return (
    <span data-status={entry.status}>
      {STATUS_TEXT[entry.status]}
      {entry.tx_hash ? (
        <>
          {" "}
          {link ? (
            <a href={link} target="_blank" rel="noreferrer">
              {short(entry.tx_hash)}
            </a>
          ) : (
            <code title={entry.tx_hash}>{short(entry.tx_hash)}</code>
          )}
        </>
      ) : null}
    </span>
  );
}

/** A creator's attested trading record (GET /profiles/{handle}/trading-record): the round trips
 * of their own trades on public posts where they disclosed holding the position, each with its
 * attestation on chain; a download of the file ``planet record verify`` checks. With ``attest``
 * (the creator's own studio), a button per entry has it signed and sends it from the wallet, in
 * order (the API refuses an entry before the one ahead of it). */
export function TradingRecordSection(props: { handle: string; attest?: boolean }) {
  const path = `/profiles/${encodeURIComponent(props.handle)}/trading-record`;
  const record = useApi<TradingRecord>(path);
  const entries = record.data?.entries ?? [];
  const firstOpen = entries.findIndex((e) => e.status !== "recorded" && e.status !== "revoked");
  return (
    <section aria-labelledby="record-title" data-testid="trading-record">
      <h2 id="record-title">Trading record</h2>
      <p class="muted">
        Round trips of @{props.handle}'s own trades on public posts disclosing the position
        {record.data ? ` (${record.data.exchanges.join(", ")})` : ""}; each one committed on chain by an attestation whose
        uid is the hash of the trade. Results are gross, before fees.
      </p>
      {record.error ? <Problem message={record.error} /> : null}
      {!record.data && !record.error ? <Loading what="the trading record" /> : null}
      {record.data && entries.length === 0 ? <p>No closed trades on record.</p> : null}
      {entries.length ? (
        <table>
          <caption class="visually-hidden">Closed trades of @{props.handle}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Instrument</th>
              <th scope="col">Side</th>
              <th scope="col">Size</th>
              <th scope="col">Entry</th>
              <th scope="col">Exit</th>
              <th scope="col">Result</th>
              <th scope="col">Attestation</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              <tr key={e.uid} data-seq={e.content.seq}>
                <td>{e.content.seq}</td>
                <td>
                  {e.content.instrument} <span class="muted">{e.content.exchange}</span>
                </td>
                <td>{e.content.side === "buy" ? "long" : "short"}</td>
                <td>{e.content.size}</td>
                <td>
                  {e.content.entry_price} <span class="muted">{when(e.content.entry_time)}</span>
                </td>
                <td>
                  {e.content.exit_price} <span class="muted">{when(e.content.exit_time)}</span>
                </td>
                <td data-testid="record-result">
                  {e.content.result} ({e.content.return_pct}%)
                </td>
                <td>
                  <Status entry={e} />
                  {props.attest && i === firstOpen ? (
                    <>
                      {" "}
                      <SignAndSubmit
                        label={`Attest trade ${e.content.seq}`}
                        sign={() =>
                          api<Attestation>("/attestations/trading-record", { method: "POST", json: { uid: e.uid } })
                        }
                        onDone={(state) => state.status === "confirmed" && window.setTimeout(record.reload, 1500)}
                      />
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {record.data?.open_positions.length ? (
        <p class="muted">
          Open:{" "}
          {record.data.open_positions.map((o) => `${o.instrument} ${o.side} ${o.size} @ ${o.entry_price}`).join("; ")}
        </p>
      ) : null}
      {entries.length ? (
        <p>
          <a href={`${path}?format=json`} download={`${props.handle}-trading-record.json`} class="button">
            Download the record (JSON, checkable with planet record verify)
          </a>{" "}
          <a href={`${path}?format=csv`} download={`${props.handle}-trading-record.csv`}>
            CSV
          </a>
        </p>
      ) : null}
    </section>
  );
}
