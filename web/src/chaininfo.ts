import type { Address } from "viem";
import { formatUnits } from "viem/utils";
import { api } from "./api";
import { Store } from "./store";

export type ContractName = "Identity" | "ContributionPoints" | "CommunityPass" | "PrizeVault";

export interface Currency {
  address: Address;
  native: boolean;
  symbol: string | null;
  decimals: number | null;
}

/** What GET /chain tells: which chain, where the contracts live, how epochs and rewards run
 * (the ABIs the app uses are the ones generated at build time from the same contracts). */
export interface ChainInfo {
  chain_id: number;
  name: string;
  native_currency: Currency;
  rpc_url: string;
  explorer_url: string | null;
  contracts: Record<
    ContractName,
    { address: Address; deployment_block: number; userdoc: { errors?: Record<string, { notice?: string }[]> } }
  >;
  epochs: { genesis: number; length: number; current: number | null };
  rewards: { currency: Currency; challenge_period: number; claim_window: number };
}

export const chainInfo = new Store<ChainInfo | null>(null);

export async function loadChain(): Promise<ChainInfo> {
  const info = await api<ChainInfo>("/chain");
  chainInfo.set(info);
  return info;
}

export function native(amount: bigint | string): string {
  const info = chainInfo.value;
  const currency = info?.native_currency;
  return `${formatUnits(BigInt(amount), currency?.decimals ?? 18)} ${currency?.symbol ?? "OKB"}`;
}

export function txUrl(hash: string): string | null {
  const explorer = chainInfo.value?.explorer_url;
  return explorer ? `${explorer}/tx/${hash}` : null;
}

