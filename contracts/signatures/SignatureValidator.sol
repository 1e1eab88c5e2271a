// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title SignatureValidator
/// @notice Never deployed: its creation code is run in an `eth_call` (no `to`) by the API to
///         ask the chain whether `signer` signed `hash`, whatever kind of wallet it is: an EOA
///         (ECDSA), a deployed contract wallet (ERC-1271) or one not deployed yet whose
///         signature comes wrapped per ERC-6492. The constructor's answer is the call's return
///         data: one byte, 0x01 valid, 0x00 not. Nothing it does persists, the factory
///         deployment included, since an `eth_call` changes no state.
/// @dev ERC-6492 wrapping: `abi.encode(factory, factoryCalldata, innerSignature)` followed by
///      the 32-byte magic suffix 0x6492...6492. For a signer without code the factory is
///      called first (a failed call means "not valid"); an already deployed signer is asked
///      with the inner signature at once.
contract SignatureValidator {
    /// @notice The suffix marking an ERC-6492 wrapped signature.
    bytes32 public constant ERC6492_SUFFIX = 0x6492649264926492649264926492649264926492649264926492649264926492;

    /// @notice Answers (as the code it "deploys") whether `signature` is `signer`'s over `hash`.
    constructor(address signer, bytes32 hash, bytes memory signature) {
        bool valid = _isValid(signer, hash, signature);
        assembly ("memory-safe") {
            // The creation code's return data is the runtime code; here, a one-byte verdict.
            mstore(0, valid)
            return(31, 1)
        }
    }

    function _isValid(address signer, bytes32 hash, bytes memory signature) private returns (bool) {
        uint256 length = signature.length;
        if (length >= 32 && _tail(signature) == ERC6492_SUFFIX) {
            assembly ("memory-safe") {
                // Drop the suffix in place: what remains is the abi-encoded triple.
                mstore(signature, sub(length, 32))
            }
            (address factory, bytes memory factoryCalldata, bytes memory inner) =
                abi.decode(signature, (address, bytes, bytes));
            if (signer.code.length == 0) {
                (bool deployed,) = factory.call(factoryCalldata);
                if (!deployed || signer.code.length == 0) return false;
            }
            return SignatureChecker.isValidSignatureNow(signer, hash, inner);
        }
        return SignatureChecker.isValidSignatureNow(signer, hash, signature);
    }

    function _tail(bytes memory data) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(data, mload(data)))
        }
    }
}
