// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IERC5192 (Minimal Soulbound NFTs)
/// @notice The standard's interface; OpenZeppelin does not ship it. Interface id 0xb45a3c0e.
interface IERC5192 {
    /// @notice Emitted when a token becomes locked (non-transferable).
    event Locked(uint256 tokenId);
    /// @notice Emitted when a token becomes unlocked.
    event Unlocked(uint256 tokenId);

    /// @notice Whether `tokenId` is locked; reverts for a token that does not exist.
    function locked(uint256 tokenId) external view returns (bool);
}
