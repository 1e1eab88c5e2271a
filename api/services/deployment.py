"""The deployment a client talks to: chain, network, RPC endpoint, the four contracts (address,
deployment block, ABI), the epoch calendar and the vault's terms, from the deployment manifest.

``GET /chain`` answers it whole, so a wallet client (the web app, ``cast``, a script) needs
nothing else: no manifest file, no address typed in. It is read once at start-up; a
redeployment means a restart, as for the indexer.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import ErrorCode, Unavailable
from api.settings import ApiSettings
from planet.core.manifest import DeployedContract, Manifest, ManifestError, load
from planet.core.networks import Network, network

CONTRACTS: tuple[str, ...] = ("Identity", "ContributionPoints", "CommunityPass", "PrizeVault")
"""The four contracts, by their names in the manifest (and in ``GET /chain``)."""

# PrizeVault(epochSource, asset, challengePeriod, claimWindowWeeks, admin, distributor, guardian)
_VAULT_ASSET, _CHALLENGE_PERIOD, _CLAIM_WINDOW_WEEKS = 1, 2, 3


@dataclass(frozen=True)
class VaultTerms:
    """The vault's constructor terms (immutable on chain)."""

    asset: str  # the zero address for native OKB
    challenge_period: int  # seconds
    claim_window_weeks: int


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    network: Network
    rpc_url: str
    manifest: Manifest | None
    problem: str | None  # why the deployment cannot be described, if it cannot

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> Deployment:
        manifest, problem = None, None
        if settings.manifest is None:
            problem = "no deployment manifest is configured (PLANET_API_MANIFEST)"
        else:
            try:
                manifest = load(settings.manifest)
            except ManifestError as err:
                problem = str(err)
        if manifest is not None:
            missing = [name for name in CONTRACTS if name not in manifest.contracts]
            if manifest.chain_id != settings.chain_id:
                problem = (
                    f"the deployment manifest is for chain {manifest.chain_id}, "
                    f"this server for chain {settings.chain_id}"
                )
            elif missing:
                problem = f"the deployment manifest lacks {', '.join(missing)}"
            if problem is not None:
                manifest = None
        return cls(
            chain_id=settings.chain_id,
            network=network(settings.chain_id),
            rpc_url=settings.chain_rpc_url,
            manifest=manifest,
            problem=problem,
        )

    def require(self) -> Manifest:
        """The manifest, or 503 ``chain_unavailable`` saying why there is none."""
        if self.manifest is None:
            raise Unavailable(
                f"the deployment cannot be described: {self.problem}",
                code=ErrorCode.CHAIN_UNAVAILABLE,
            )
        return self.manifest

    def contract(self, name: str) -> DeployedContract:
        return self.require().contract(name)

    def vault_terms(self) -> VaultTerms:
        args = self.contract("PrizeVault").constructor_args
        return VaultTerms(
            asset=str(args[_VAULT_ASSET]),
            challenge_period=int(args[_CHALLENGE_PERIOD]),
            claim_window_weeks=int(args[_CLAIM_WINDOW_WEEKS]),
        )
