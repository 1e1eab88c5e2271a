"""The deployment, whole: what a wallet client needs to talk to the contracts, and nothing it
must get elsewhere (no manifest file, no address typed in)."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrenciesDep, DeploymentDep, Now
from api.errors import ErrorResponse
from api.schemas import CurrencyOut, currency_out
from planet.core.epochs import EPOCH_DURATION, EpochCalendar, EpochError

router = APIRouter(tags=["chain"])


class ContractOut(BaseModel):
    address: str = Field(description="Checksummed")
    deployment_block: int = Field(description="The block it was deployed in: read logs from it")
    abi: list[dict[str, Any]] = Field(description="The contract's JSON ABI")
    userdoc: dict[str, Any] = Field(
        description="The compiler's NatSpec user documentation (`@notice` of functions, events "
        "and custom errors), to explain a revert in words; empty if the manifest lacks it"
    )
    explorer_url: str | None = Field(description="Its page on the block explorer, if any")


class ContractsOut(BaseModel):
    """The four contracts, under their Solidity names."""

    model_config = ConfigDict(populate_by_name=True)

    identity: ContractOut = Field(alias="Identity")
    contribution_points: ContractOut = Field(alias="ContributionPoints")
    community_pass: ContractOut = Field(alias="CommunityPass")
    prize_vault: ContractOut = Field(alias="PrizeVault")


class EpochsOut(BaseModel):
    genesis: int = Field(description="Unix time epoch 0 starts")
    length: int = Field(description="Seconds per epoch (one week)")
    current: int | None = Field(description="The epoch now (null before genesis)")


class RewardsOut(BaseModel):
    currency: CurrencyOut = Field(description="What the PrizeVault pays in")
    challenge_period: int = Field(description="Seconds between a root's proposal and claims")
    claim_window: int = Field(description="Seconds an epoch stays claimable once it is")


class ChainOut(BaseModel):
    chain_id: int
    version: int = Field(
        description="The protocol version of the deployment, from its manifest (2: passes "
        "with contribution requirements, price snapshots and refunds)"
    )
    name: str = Field(description="The network's name, e.g. X Layer testnet")
    native_currency: CurrencyOut
    rpc_url: str = Field(description="A JSON-RPC endpoint of the chain")
    explorer_url: str | None = Field(
        description="Block explorer base URL (pages at /tx/<hash> and /address/<address>); "
        "null for a local chain"
    )
    contracts: ContractsOut
    epochs: EpochsOut
    rewards: RewardsOut


@router.get(
    "/chain",
    response_model=ChainOut,
    response_model_by_alias=True,
    responses={
        503: {
            "model": ErrorResponse,
            "description": "`chain_unavailable`: no deployment manifest is configured (or it "
            "lacks a contract); the message says which",
        }
    },
)
def get_chain(deployment: DeploymentDep, currencies: CurrenciesDep, moment: Now) -> ChainOut:
    """The chain (id, name, native coin, RPC, explorer), the four contracts (address,
    deployment block, ABI), the epoch calendar and the vault's terms."""
    manifest = deployment.require()
    net = deployment.network

    def contract(name: str) -> ContractOut:
        deployed = manifest.contract(name)
        address = to_checksum_address(deployed.address)
        return ContractOut(
            address=address,
            deployment_block=deployed.block_number,
            abi=deployed.abi,
            userdoc=deployed.userdoc,
            explorer_url=net.address_url(address),
        )

    try:
        current: int | None = EpochCalendar(manifest.genesis).epoch_at(moment)
    except EpochError:
        current = None
    vault = deployment.vault_terms()
    return ChainOut(
        chain_id=deployment.chain_id,
        version=manifest.version,
        name=net.name,
        native_currency=currency_out(currencies.native),
        rpc_url=deployment.rpc_url,
        explorer_url=net.explorer,
        contracts=ContractsOut(
            identity=contract("Identity"),
            contribution_points=contract("ContributionPoints"),
            community_pass=contract("CommunityPass"),
            prize_vault=contract("PrizeVault"),
        ),
        epochs=EpochsOut(genesis=manifest.genesis, length=EPOCH_DURATION, current=current),
        rewards=RewardsOut(
            currency=currency_out(currencies.get(vault.asset)),
            challenge_period=vault.challenge_period,
            claim_window=vault.claim_window_weeks * EPOCH_DURATION,
        ),
    )
