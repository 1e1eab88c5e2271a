// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title VaultReentrantReceiver
/// @notice Test-only hostile claimant for a native-OKB vault: when paid, its `receive` calls the
///         vault again with a stored payload (a second claim, a claimMany, a sweep). It keeps
///         the inner call's result instead of reverting, so the outer payment still lands and a
///         test can read why the re-entry failed.
contract VaultReentrantReceiver {
    address public target;
    bytes public payload;
    uint256 public received;
    uint256 public payments;
    bool public reentrySucceeded;
    bytes public reentryResult;

    /// @notice Sets the call made from `receive` on every payment.
    function arm(address target_, bytes calldata data) external {
        target = target_;
        payload = data;
    }

    receive() external payable {
        received += msg.value;
        payments += 1;
        if (target != address(0)) {
            (reentrySucceeded, reentryResult) = target.call(payload);
        }
    }
}
