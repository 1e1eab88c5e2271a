// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title PassCallbackProbe
/// @notice Test-only base for attacker contracts: when the contract is called back (a native
///         payment, an ERC-1155 receiver hook, an ERC-20 transfer), it makes one armed call to a
///         target, typically re-entering CommunityPass, and records the outcome instead of
///         reverting, so a test can check both that the guard fired and that the outer call
///         still settled correctly.
abstract contract PassCallbackProbe {
    /// @notice The contract the armed call goes to.
    address public probeTarget;
    /// @notice Calldata of the armed call.
    bytes public probePayload;
    /// @notice Native value sent with the armed call (paid from this contract's balance).
    uint256 public probeValue;
    /// @notice How many callbacks made the armed call.
    uint256 public probeCalls;
    /// @notice Whether the last armed call succeeded.
    bool public probeSucceeded;
    /// @notice Return data of the last armed call, or its revert data.
    bytes public probeResult;

    bool private _probing;

    /// @notice Arms (or, with empty `payload`, disarms) the call made on the next callback.
    function arm(address target, bytes calldata payload, uint256 value) external {
        probeTarget = target;
        probePayload = payload;
        probeValue = value;
    }

    /// @notice Makes any call as this contract (to register an identity, create a pass, buy or
    ///         withdraw), bubbling its revert.
    function execute(address target, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }

    /// @dev Makes the armed call once per outer call (no recursion through our own callbacks).
    function _probe() internal {
        if (_probing || probePayload.length == 0) return;
        _probing = true;
        ++probeCalls;
        (bool ok, bytes memory result) = probeTarget.call{value: probeValue}(probePayload);
        probeSucceeded = ok;
        probeResult = result;
        _probing = false;
    }
}
