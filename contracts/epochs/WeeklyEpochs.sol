// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title WeeklyEpochs
/// @notice The one definition of a Planet week, shared by points, vault, indexer and API:
///         epoch `n` spans `[genesis + n weeks, genesis + (n + 1) weeks)`.
/// @dev Genesis is immutable so an epoch number means the same thing forever; it may not lie in
///      the future, so `currentEpoch()` is defined from the first block on.
abstract contract WeeklyEpochs {
    /// @notice Length of one epoch in seconds.
    uint256 public constant EPOCH_DURATION = 1 weeks;

    /// @notice Timestamp at which epoch 0 starts.
    uint256 public immutable GENESIS;

    /// @notice The genesis given at deployment lies after the deployment block.
    error EpochsGenesisInFuture(uint256 genesis, uint256 blockTimestamp);
    /// @notice A timestamp before genesis belongs to no epoch.
    error EpochsBeforeGenesis(uint256 timestamp, uint256 genesis);

    constructor(uint256 genesis) {
        if (genesis > block.timestamp) revert EpochsGenesisInFuture(genesis, block.timestamp);
        GENESIS = genesis;
    }

    /// @notice The epoch the current block belongs to.
    function currentEpoch() public view returns (uint256) {
        return epochAt(block.timestamp);
    }

    /// @notice The epoch a timestamp belongs to; reverts before genesis.
    function epochAt(uint256 timestamp) public view returns (uint256) {
        if (timestamp < GENESIS) revert EpochsBeforeGenesis(timestamp, GENESIS);
        return (timestamp - GENESIS) / EPOCH_DURATION;
    }

    /// @notice The first second of `epoch`.
    function epochStart(uint256 epoch) public view returns (uint256) {
        return GENESIS + epoch * EPOCH_DURATION;
    }
}
