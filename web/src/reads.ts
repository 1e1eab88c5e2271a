import { useEffect, useState } from "preact/hooks";
import { type Address, createPublicClient, custom, erc20Abi, isAddress } from "viem";
import { abis } from "./chain";
import { type ContractName, chainInfo } from "./chaininfo";
import { useStore } from "./store";
import { wallet } from "./wallet";

/** Reads a view function of one of our contracts through the connected wallet's node: what the
 * chain says now, not what the indexer mirrored, so a control shows its value the moment the
 * transaction that changed it confirmed. Read again whenever ``tick`` changes; null while
 * unknown (no wallet, or the call failed). */
export function useRead<T>(contract: ContractName, functionName: string, args: readonly unknown[], tick = 0): T | null {
  const w = useStore(wallet);
  const info = useStore(chainInfo);
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    if (!w.current || !info) return;
    let live = true;
    const reader = createPublicClient({ transport: custom(w.current.provider) });
    reader
      .readContract({ address: info.contracts[contract].address, abi: abis[contract], functionName, args } as never)
      .then(
        (v) => live && setValue(v as T),
        () => live && setValue(null),
      );
    return () => {
      live = false;
    };
  }, [w.current, info, contract, functionName, JSON.stringify(args, (_k, v) => (typeof v === "bigint" ? v.toString() : v)), tick]);
  return value;
}

export interface Token {
  address: Address;
  symbol: string;
  decimals: number;
}

/** Reads an ERC-20's symbol and decimals from the chain, so its price is typed in its units. */
export function useToken(address: string): { token: Token | null; problem: string | null } {
  const w = useStore(wallet);
  const [found, setFound] = useState<{ token: Token | null; problem: string | null }>({ token: null, problem: null });
  useEffect(() => {
    setFound({ token: null, problem: null });
    if (!w.current || !isAddress(address)) return;
    const reader = createPublicClient({ transport: custom(w.current.provider) });
    Promise.all([
      reader.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
      reader.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
    ]).then(
      ([symbol, decimals]) => setFound({ token: { address, symbol, decimals }, problem: null }),
      () => setFound({ token: null, problem: `${address} does not answer as an ERC-20 token on this chain` }),
    );
  }, [w.current, address]);
  return found;
}

/** The latest block's timestamp: the chain's clock, which decides when a notice ends (a local
 * chain's clock may run ahead of the browser's). Read again whenever ``tick`` changes. */
export function useChainTime(tick = 0): number | null {
  const w = useStore(wallet);
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!w.current) return;
    let live = true;
    const reader = createPublicClient({ transport: custom(w.current.provider) });
    reader.getBlock().then(
      (block) => live && setNow(Number(block.timestamp)),
      () => live && setNow(null),
    );
    return () => {
      live = false;
    };
  }, [w.current, tick]);
  return now;
}
