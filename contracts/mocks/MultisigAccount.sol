// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MultisigAccount
/// @notice Test-only smart-contract wallet, the shape of a Safe cut to its core: M-of-N owners,
///         an ERC-1271 `isValidSignature` that accepts a hash when at least `threshold` owners
///         signed it, and `execute` for calls the owners approved the same way. Planet's
///         contracts and API never know they talk to this one: they see an ERC-1271 account.
/// @dev A signature is the concatenation of 65-byte ECDSA signatures (r, s, v) over the hash
///      itself (no prefix), ordered by strictly increasing signer address, so one owner cannot
///      be counted twice. Signatures past the threshold are checked too: any non-owner or
///      out-of-order signer fails the whole signature.
contract MultisigAccount is IERC1271 {
    /// @notice How many owners must sign.
    uint256 public immutable THRESHOLD;
    /// @notice Next `execute` nonce; each approved call uses one.
    uint256 public nextNonce;
    /// @notice Whether `account` is an owner.
    mapping(address account => bool) public isOwner;

    /// @notice Owners list empty, threshold zero or above the owner count.
    error MultisigBadThreshold(uint256 owners, uint256 threshold);
    /// @notice An owner is the zero address or listed twice.
    error MultisigBadOwner(address owner);
    /// @notice `execute` was not approved by `threshold` owners.
    error MultisigNotApproved();
    /// @notice The approved call reverted; `reason` is its revert data.
    error MultisigCallFailed(bytes reason);

    /// @notice The owners approved and made a call.
    event Executed(uint256 indexed nonce, address indexed target, uint256 value, bytes data);

    constructor(address[] memory owners, uint256 threshold) {
        if (threshold == 0 || threshold > owners.length) revert MultisigBadThreshold(owners.length, threshold);
        for (uint256 i; i < owners.length; ++i) {
            address owner = owners[i];
            if (owner == address(0) || isOwner[owner]) revert MultisigBadOwner(owner);
            isOwner[owner] = true;
        }
        THRESHOLD = threshold;
    }

    /// @notice Accepts native coin (prizes, refunds).
    receive() external payable {}

    /// @notice ERC-1271: the magic value 0x1626ba7e when `threshold` owners signed `hash`,
    ///         else 0xffffffff (never a revert, as the standard asks).
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        return _approved(hash, signature) ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Makes a call the owners signed: `signatures` over {executeHash} for the current nonce.
    /// @return result The call's return data.
    function execute(address target, uint256 value, bytes calldata data, bytes calldata signatures)
        external
        returns (bytes memory result)
    {
        uint256 used = nextNonce;
        if (!_approved(executeHash(target, value, data, used), signatures)) revert MultisigNotApproved();
        nextNonce = used + 1;
        emit Executed(used, target, value, data);
        bool ok;
        (ok, result) = target.call{value: value}(data);
        if (!ok) revert MultisigCallFailed(result);
    }

    /// @notice What owners sign to approve one call: bound to this chain, this account and a nonce.
    function executeHash(address target, uint256 value, bytes calldata data, uint256 callNonce)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), callNonce, target, value, keccak256(data)));
    }

    function _approved(bytes32 hash, bytes calldata signatures) private view returns (bool) {
        uint256 count = signatures.length / 65;
        if (signatures.length % 65 != 0 || count < THRESHOLD) return false;
        address last;
        for (uint256 i; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signatures[i * 65:(i + 1) * 65]);
            if (err != ECDSA.RecoverError.NoError || signer <= last || !isOwner[signer]) return false;
            last = signer;
        }
        return true;
    }
}
