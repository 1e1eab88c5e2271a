// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {PassCallbackProbe} from "./PassCallbackProbe.sol";

/// @title PassReentrantERC20
/// @notice Test-only malicious currency: every transfer between two accounts (a pass purchase's
///         `transferFrom`, a withdrawal's `transfer`) first makes the armed call, e.g. re-entering
///         CommunityPass while it is paying or being paid.
contract PassReentrantERC20 is ERC20, PassCallbackProbe {
    constructor() ERC20("Reentrant Token", "REENT") {}

    /// @notice Test faucet.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) _probe();
        super._update(from, to, value);
    }
}
