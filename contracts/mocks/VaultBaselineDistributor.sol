// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title VaultBaselineDistributor
/// @notice Gas reference only, not used by Planet: the minimal one-shot distributor shape (one
///         immutable root and token, leaves `(index, account, amount)`, claimed flags packed 256
///         per word by leaf index, a plain IERC20 transfer). It has no epochs, roles, pause,
///         veto, totals or reentrancy lock, so it bounds from below what the vault's claim costs.
contract VaultBaselineDistributor {
    IERC20 public immutable TOKEN;
    bytes32 public immutable ROOT;
    mapping(uint256 word => uint256 bits) private _claimed;

    /// @notice The leaf at `index` was already claimed.
    error BaselineAlreadyClaimed(uint256 index);
    /// @notice The proof does not match the root.
    error BaselineInvalidProof(uint256 index);
    /// @notice The token transfer returned false.
    error BaselineTransferFailed();

    /// @notice `account` was paid `amount` for the leaf at `index`.
    event Claimed(uint256 index, address account, uint256 amount);

    constructor(IERC20 token, bytes32 root) {
        TOKEN = token;
        ROOT = root;
    }

    /// @notice Leaf `keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))`.
    function leaf(uint256 index, address account, uint256 amount) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))));
    }

    /// @notice Pays the leaf at `index` once.
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        uint256 word = _claimed[index >> 8];
        uint256 bit = 1 << (index & 0xff);
        if (word & bit != 0) revert BaselineAlreadyClaimed(index);
        if (!MerkleProof.verifyCalldata(proof, ROOT, leaf(index, account, amount))) revert BaselineInvalidProof(index);
        _claimed[index >> 8] = word | bit;
        if (!TOKEN.transfer(account, amount)) revert BaselineTransferFailed();
        emit Claimed(index, account, amount);
    }
}
