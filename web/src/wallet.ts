import type { Address } from "viem";
import { getAddress, numberToHex, stringToHex } from "viem/utils";
import { createSiweMessage } from "viem/siwe";
import { api, session, type Session } from "./api";
import type { ChainInfo } from "./chaininfo";
import { Store } from "./store";

/** An EIP-1193 provider, as wallets inject it. */
export interface Provider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
  on?(event: string, listener: (...args: never[]) => void): void;
  removeListener?(event: string, listener: (...args: never[]) => void): void;
}

export interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface Wallet {
  info: WalletInfo;
  provider: Provider;
}

interface WalletState {
  wallets: Wallet[];
  current: Wallet | null;
  address: Address | null;
  chainId: number | null;
}

export const wallet = new Store<WalletState>({ wallets: [], current: null, address: null, chainId: null });

const REMEMBERED = "planet.wallet";

function found(detail: Wallet): void {
  const known = wallet.value.wallets;
  if (known.some((w) => w.info.uuid === detail.info.uuid)) return;
  wallet.update({ wallets: [...known.filter((w) => w.info.rdns !== "injected"), detail] });
  if (localStorage.getItem(REMEMBERED) === detail.info.rdns && !wallet.value.current) {
    void reconnect(detail);
  }
}

/** Listens for wallets announcing themselves (EIP-6963) and asks them to; a wallet that only
 * sets window.ethereum is offered too when nothing announces. */
export function discover(): void {
  window.addEventListener("eip6963:announceProvider", (event) => {
    const detail = (event as CustomEvent<Wallet>).detail;
    if (detail?.info && detail.provider) found(detail);
  });
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  setTimeout(() => {
    const legacy = (window as unknown as { ethereum?: Provider }).ethereum;
    if (wallet.value.wallets.length === 0 && legacy) {
      found({ info: { uuid: "injected", name: "Browser wallet", icon: "", rdns: "injected" }, provider: legacy });
    }
  }, 300);
}

function chainOf(hex: unknown): number {
  return Number(BigInt(hex as string));
}

function accountsChanged(accounts: readonly string[]): void {
  const next = accounts[0] ? getAddress(accounts[0]) : null;
  wallet.update({ address: next });
  // A session belongs to one address: another account (or none) signs it out.
  if (session.value && session.value.address !== next?.toLowerCase()) session.set(null);
}

function chainChanged(hex: string): void {
  wallet.update({ chainId: chainOf(hex) });
}

function listen(w: Wallet): void {
  w.provider.on?.("accountsChanged", accountsChanged as never);
  w.provider.on?.("chainChanged", chainChanged as never);
}

async function attach(w: Wallet, accounts: string[]): Promise<void> {
  const chainId = chainOf(await w.provider.request({ method: "eth_chainId" }));
  const previous = wallet.value.current;
  if (previous && previous !== w) {
    previous.provider.removeListener?.("accountsChanged", accountsChanged as never);
    previous.provider.removeListener?.("chainChanged", chainChanged as never);
  }
  wallet.update({ current: w, chainId });
  listen(w);
  accountsChanged(accounts);
  localStorage.setItem(REMEMBERED, w.info.rdns);
}

async function reconnect(w: Wallet): Promise<void> {
  const accounts = (await w.provider.request({ method: "eth_accounts" })) as string[];
  if (accounts.length) await attach(w, accounts);
}

/** Asks the wallet for its accounts (the wallet shows its prompt). */
export async function connect(w: Wallet): Promise<void> {
  const accounts = (await w.provider.request({ method: "eth_requestAccounts" })) as string[];
  await attach(w, accounts);
}

export function disconnect(): void {
  localStorage.removeItem(REMEMBERED);
  session.set(null);
  wallet.update({ current: null, address: null, chainId: null });
}

/** Moves the wallet to the app's chain, adding the network first when the wallet lacks it. */
export async function switchChain(info: ChainInfo): Promise<void> {
  const provider = wallet.value.current?.provider;
  if (!provider) throw new Error("connect a wallet first");
  const chainId = numberToHex(info.chain_id);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    if ((error as { code?: number }).code !== 4902) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId,
          chainName: info.name,
          nativeCurrency: {
            name: info.native_currency.symbol ?? "OKB",
            symbol: info.native_currency.symbol ?? "OKB",
            decimals: info.native_currency.decimals ?? 18,
          },
          rpcUrls: [info.rpc_url],
          blockExplorerUrls: info.explorer_url ? [info.explorer_url] : undefined,
        },
      ],
    });
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  }
  wallet.update({ chainId: chainOf(await provider.request({ method: "eth_chainId" })) });
}

interface Nonce {
  nonce: string;
  domain: string;
  chain_id: number;
}

/** Sign-In with Ethereum: a nonce from the API, an EIP-4361 message signed in the wallet
 * (personal_sign), a session token back. */
export async function signIn(): Promise<Session> {
  const { current, address } = wallet.value;
  if (!current || !address) throw new Error("connect a wallet first");
  const nonce = await api<Nonce>("/auth/nonce", { method: "POST" });
  const message = createSiweMessage({
    domain: nonce.domain,
    address,
    statement: "Sign in to Planet.",
    uri: window.location.origin,
    version: "1",
    chainId: nonce.chain_id,
    nonce: nonce.nonce,
    issuedAt: new Date(Math.floor(Date.now() / 1000) * 1000),
  });
  const signature = await current.provider.request({
    method: "personal_sign",
    params: [stringToHex(message), address],
  });
  const token = await api<Session>("/auth/verify", { method: "POST", json: { message, signature } });
  const signed = { token: token.token, address: token.address.toLowerCase(), expires_at: token.expires_at };
  session.set(signed);
  return signed;
}

/** On load: a stored session is kept only while the API still accepts it. */
export async function checkSession(): Promise<void> {
  if (!session.value) return;
  try {
    await api("/auth/me");
  } catch {
    session.set(null);
  }
}
