// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MultisigAccount} from "./MultisigAccount.sol";

/// @title MultisigAccountFactory
/// @notice Test-only CREATE2 factory of {MultisigAccount}: an account's address is known before
///         it exists (counterfactual), the way smart-wallet SDKs hand out addresses that sign
///         before their first transaction. Signatures from such an account come wrapped per
///         ERC-6492 with this factory and the `createAccount` calldata.
contract MultisigAccountFactory {
    /// @notice An account was deployed at `account`.
    event AccountDeployed(address indexed account, uint256 threshold, bytes32 salt);

    /// @notice Deploys the account of these owners, threshold and salt (reverts if it exists).
    function createAccount(address[] calldata owners, uint256 threshold, bytes32 salt)
        external
        returns (address account)
    {
        account = address(new MultisigAccount{salt: salt}(owners, threshold));
        emit AccountDeployed(account, threshold, salt);
    }

    /// @notice The address `createAccount` gives for these arguments, deployed or not.
    function accountAddress(address[] calldata owners, uint256 threshold, bytes32 salt)
        external
        view
        returns (address)
    {
        bytes32 codeHash = keccak256(
            abi.encodePacked(type(MultisigAccount).creationCode, abi.encode(owners, threshold))
        );
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }
}
