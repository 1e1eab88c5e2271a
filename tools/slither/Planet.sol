// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Slither analyses one compilation unit: this file imports every deployed contract, and the
// SignatureValidator the API runs in an eth_call, so one run of `make lint` (see
// tools/slither/slither.config.json) covers them all.
import {Identity} from "../../contracts/identity/Identity.sol";
import {ContributionPoints} from "../../contracts/points/ContributionPoints.sol";
import {CommunityPass} from "../../contracts/pass/CommunityPass.sol";
import {PrizeVault} from "../../contracts/vault/PrizeVault.sol";
import {SignatureValidator} from "../../contracts/signatures/SignatureValidator.sol";
