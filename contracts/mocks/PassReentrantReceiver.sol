// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {PassCallbackProbe} from "./PassCallbackProbe.sol";

/// @title PassReentrantReceiver
/// @notice Test-only attacker wallet: accepts native OKB and ERC-1155 tokens, and from its
///         `receive()` and `onERC1155Received` hooks makes its armed call (e.g. re-entering
///         `mint` or `withdraw`).
contract PassReentrantReceiver is PassCallbackProbe, IERC1155Receiver {
    /// @notice Accepts native OKB, probing first.
    receive() external payable {
        _probe();
    }

    /// @notice Accepts a single ERC-1155 token, probing first.
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        _probe();
        return this.onERC1155Received.selector;
    }

    /// @notice Accepts an ERC-1155 batch, probing first.
    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        returns (bytes4)
    {
        _probe();
        return this.onERC1155BatchReceived.selector;
    }

    /// @notice ERC-165: ERC-1155 receiver.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}
