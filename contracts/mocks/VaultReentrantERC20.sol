// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title VaultReentrantERC20
/// @notice Test-only hostile token: once armed, its next transfer (out of the vault on a claim,
///         or into it on a fund) first calls `target` with a stored payload, e.g. a claim,
///         claimMany or sweep on the vault. The inner call's revert data is kept rather than
///         bubbled, so a test sees both that the outer call went through and why the re-entry
///         failed.
contract VaultReentrantERC20 is ERC20 {
    address public target;
    bytes public payload;
    bool public armed;
    /// @notice Whether the last re-entry succeeded, and what it returned or reverted with.
    bool public reentrySucceeded;
    bytes public reentryResult;

    constructor() ERC20("Reentrant Token", "REN") {}

    /// @notice Test faucet.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes the next transfer call `target` with `data` once.
    function arm(address target_, bytes calldata data) external {
        target = target_;
        payload = data;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (armed && from != address(0)) {
            armed = false;
            (reentrySucceeded, reentryResult) = target.call(payload);
        }
        super._update(from, to, value);
    }
}
