import {
  type Abi,
  type Address,
  type Hex,
  BaseError,
  ContractFunctionRevertedError,
  UserRejectedRequestError,
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
} from "viem";
import { communityPassAbi, contributionPointsAbi, identityAbi, mockERC20Abi, prizeVaultAbi } from "./generated/abis";
import { type ContractName, chainInfo } from "./chaininfo";
import { wallet } from "./wallet";

export const abis: Record<ContractName, Abi> = {
  Identity: identityAbi,
  ContributionPoints: contributionPointsAbi,
  CommunityPass: communityPassAbi,
  PrizeVault: prizeVaultAbi,
};

export type TxState =
  | { status: "idle" }
  | { status: "pending"; hash?: Hex }
  | { status: "confirmed"; hash: Hex; fee: bigint }
  | { status: "failed"; message: string; hash?: Hex }
  | { status: "rejected"; message: string };

export interface Call {
  contract: ContractName;
  functionName: string;
  args: readonly unknown[];
  value?: bigint;
  /** Another contract than ``contract`` (an ERC-20 priced pass's token): its address and ABI;
   * ``contract``'s errors still decode, since a call into it may revert inside the token. */
  target?: { address: Address; abi: Abi };
}

/** The OpenZeppelin ERC-20 errors (IERC6093), from the compiled test token's ABI: a mint
 * priced in a token reverts with these when the payer's balance or allowance falls short. */
const tokenErrors = (mockERC20Abi as Abi).filter((item) => item.type === "error");

function clients() {
  const current = wallet.value.current;
  const account = wallet.value.address;
  if (!current || !account) throw new Error("connect a wallet first");
  const transport = custom(current.provider);
  return {
    account,
    reader: createPublicClient({ transport }),
    writer: createWalletClient({ account, transport }),
  };
}

/** The NatSpec notice of a custom error, from the userdoc GET /chain carries. */
function notice(contract: ContractName, errorName: string): string | null {
  const errors = chainInfo.value?.contracts[contract].userdoc.errors ?? {};
  const key = Object.keys(errors).find((signature) => signature.startsWith(`${errorName}(`));
  return key ? (errors[key][0]?.notice ?? null) : null;
}

/** Why a call reverted: the contract's custom error with its arguments, and its notice. */
export function revertReason(error: unknown, contract?: ContractName): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      const args = (reverted.data.args ?? []).map((a) => String(a)).join(", ");
      const why = contract ? notice(contract, reverted.data.errorName) : null;
      return `${reverted.data.errorName}(${args})${why ? `: ${why}` : ""}`;
    }
    return error.shortMessage;
  }
  return error instanceof Error ? error.message : String(error);
}

function rejected(error: unknown): boolean {
  if (error instanceof BaseError && error.walk((e) => e instanceof UserRejectedRequestError)) return true;
  return (error as { code?: number } | null)?.code === 4001;
}

/** Sends one contract call from the wallet, reporting each step to ``onState``: the call is
 * simulated first so a revert shows as the contract's custom error and nothing is sent; a
 * request the wallet rejects sends nothing either. Resolves with the final state. */
export async function send(call: Call, onState: (state: TxState) => void): Promise<TxState> {
  const finish = (state: TxState) => {
    onState(state);
    return state;
  };
  let hash: Hex | undefined;
  try {
    const info = chainInfo.value;
    if (!info) throw new Error("the chain is not known yet");
    const { account, reader, writer } = clients();
    const address = call.target?.address ?? info.contracts[call.contract].address;
    const abi = [...(call.target?.abi ?? abis[call.contract]), ...abis[call.contract].filter((i) => i.type === "error"), ...tokenErrors];
    onState({ status: "pending" });
    await reader.simulateContract({
      address,
      abi,
      functionName: call.functionName,
      args: call.args,
      value: call.value,
      account,
    } as never);
    const data = encodeFunctionData({ abi, functionName: call.functionName, args: call.args } as never);
    hash = await writer.sendTransaction({ to: address, data, value: call.value, chain: null, account });
    onState({ status: "pending", hash });
    const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 250 });
    if (receipt.status !== "success") return finish({ status: "failed", message: "the transaction reverted", hash });
    return finish({ status: "confirmed", hash, fee: receipt.gasUsed * receipt.effectiveGasPrice });
  } catch (error) {
    if (rejected(error)) {
      return finish({ status: "rejected", message: "You rejected the request in your wallet; nothing was sent." });
    }
    return finish({ status: "failed", message: revertReason(error, call.contract), hash });
  }
}
