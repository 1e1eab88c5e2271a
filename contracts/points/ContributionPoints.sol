// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IContributionPoints} from "./IContributionPoints.sol";
import {IIdentity} from "../identity/IIdentity.sol";
import {WeeklyEpochs} from "../epochs/WeeklyEpochs.sol";

/// @title ContributionPoints
/// @notice Planet contribution points. See {IContributionPoints} for the rules.
contract ContributionPoints is IContributionPoints, IERC20Metadata, AccessControl, EIP712, WeeklyEpochs {
    /// @notice Role whose signatures create points, and which may submit batches.
    bytes32 public constant ATTESTER_ROLE = keccak256("ATTESTER_ROLE");
    /// @notice Role allowed to revoke attestations.
    bytes32 public constant RISK_ROLE = keccak256("RISK_ROLE");

    bytes32 private constant _CONTRIBUTION_TYPEHASH =
        keccak256("Contribution(address account,uint8 kind,uint256 amount,uint256 epoch,bytes32 uid,uint256 deadline)");

    /// @notice The identity registry whose holders may earn points.
    IIdentity public immutable IDENTITY;

    /// @inheritdoc IERC20
    uint256 public totalSupply;
    /// @inheritdoc IERC20
    mapping(address account => uint256) public balanceOf;
    /// @inheritdoc IContributionPoints
    mapping(address account => mapping(uint256 epoch => uint256)) public epochBalanceOf;
    /// @inheritdoc IContributionPoints
    mapping(uint256 epoch => uint256) public epochTotalSupply;
    /// @dev One slot per uid; a non-zero account marks the uid as used.
    mapping(bytes32 uid => Record) private _records;

    constructor(IIdentity identity, uint256 genesis, address admin, address attester, address risk)
        EIP712("Planet Contribution Points", "1")
        WeeklyEpochs(genesis)
    {
        if (address(identity) == address(0) || admin == address(0) || attester == address(0) || risk == address(0)) {
            revert PointsZeroAddress();
        }
        IDENTITY = identity;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ATTESTER_ROLE, attester);
        _grantRole(RISK_ROLE, risk);
    }

    // ------------------------------------------------------------ attestations

    /// @inheritdoc IContributionPoints
    function attest(Contribution calldata contribution, bytes calldata signature) external {
        if (msg.sender != contribution.account) revert PointsCallerNotAccount(msg.sender, contribution.account);
        uint256 amount = _record(contribution, signature, currentEpoch());
        totalSupply += amount;
    }

    /// @inheritdoc IContributionPoints
    function attestBatch(Contribution[] calldata contributions, bytes[] calldata signatures)
        external
        onlyRole(ATTESTER_ROLE)
    {
        uint256 count = contributions.length;
        if (count == 0 || count != signatures.length) revert PointsBadBatch(count, signatures.length);
        uint256 nowEpoch = currentEpoch();
        uint256 added;
        for (uint256 i; i < count; ++i) {
            added += _record(contributions[i], signatures[i], nowEpoch);
        }
        totalSupply += added;
    }

    /// @dev Checks one attestation, stores it and credits the account; the caller adds the
    ///      returned amount to totalSupply (once per batch rather than once per item).
    function _record(Contribution calldata c, bytes calldata signature, uint256 nowEpoch)
        private
        returns (uint256 amount)
    {
        bytes32 uid = c.uid;
        amount = c.amount;
        if (block.timestamp > c.deadline) revert PointsAttestationExpired(uid, c.deadline, block.timestamp);
        if (_records[uid].account != address(0)) revert PointsUidUsed(uid);
        if (amount == 0) revert PointsZeroAmount(uid);
        if (amount > type(uint56).max) revert PointsAmountTooLarge(uid, amount);
        if (c.epoch > nowEpoch) revert PointsEpochInFuture(c.epoch, nowEpoch);
        address signer = _attester(c, signature);
        if (!IDENTITY.hasIdentity(c.account)) revert PointsNoIdentity(c.account);

        // uint24 holds every epoch up to nowEpoch for 300,000 years of weeks.
        _records[uid] =
            Record({account: c.account, amount: uint56(amount), epoch: uint24(c.epoch), kind: c.kind, revoked: false});
        balanceOf[c.account] += amount;
        epochBalanceOf[c.account][c.epoch] += amount;
        epochTotalSupply[c.epoch] += amount;
        emit ContributionRecorded(uid, c.account, c.epoch, c.kind, amount, signer, msg.sender);
        emit Transfer(address(0), c.account, amount);
    }

    /// @dev The attester behind `signature`, checked to hold ATTESTER_ROLE. 64 or 65 bytes: an
    ///      ECDSA signature, whose signer is recovered. Any other length: `abi.encode(attester,
    ///      innerSignature)` from a contract attester (a multisig), decoded strictly, its role
    ///      checked first (so only role holders are ever called), then asked through ERC-1271
    ///      (a staticcall: it cannot change state here). The ECDSA path is tried first, as it
    ///      was the only one: its length check costs the key attesters nothing extra.
    function _attester(Contribution calldata c, bytes calldata signature) private view returns (address signer) {
        bytes32 digest = contributionDigest(c);
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.InvalidSignatureLength) return _contractAttester(c.uid, digest, signature);
        if (err != ECDSA.RecoverError.NoError) revert PointsMalformedSignature(c.uid);
        if (!hasRole(ATTESTER_ROLE, signer)) revert PointsSignerNotAttester(c.uid, signer);
    }

    /// @dev The contract attester named by `signature` (see {_contractSignature}), once it holds
    ///      the role and accepts the inner signature of `digest` through ERC-1271.
    function _contractAttester(bytes32 uid, bytes32 digest, bytes calldata signature)
        private
        view
        returns (address signer)
    {
        bytes calldata inner;
        (signer, inner) = _contractSignature(uid, signature);
        if (!hasRole(ATTESTER_ROLE, signer)) revert PointsSignerNotAttester(uid, signer);
        if (!SignatureChecker.isValidERC1271SignatureNow(signer, digest, inner)) {
            revert PointsContractSignatureInvalid(uid, signer);
        }
    }

    /// @dev Strict `abi.encode(address, bytes)`: a clean address word, the offset 0x40, then the
    ///      length and bytes of the inner signature, with nothing but padding after them.
    function _contractSignature(bytes32 uid, bytes calldata signature)
        private
        pure
        returns (address signer, bytes calldata inner)
    {
        if (signature.length < 96) revert PointsMalformedSignature(uid);
        uint256 word = uint256(bytes32(signature[0:32]));
        uint256 offset = uint256(bytes32(signature[32:64]));
        uint256 length = uint256(bytes32(signature[64:96]));
        if (word >> 160 != 0 || offset != 64 || length > signature.length - 96) {
            revert PointsMalformedSignature(uid);
        }
        if (signature.length - 96 - length >= 32) revert PointsMalformedSignature(uid);
        signer = address(uint160(word));
        inner = signature[96:96 + length];
    }

    /// @inheritdoc IContributionPoints
    function revoke(bytes32 uid, string calldata reason) external onlyRole(RISK_ROLE) {
        Record storage r = _records[uid];
        address account = r.account;
        if (account == address(0)) revert PointsUnknownUid(uid);
        if (r.revoked) revert PointsAlreadyRevoked(uid);
        r.revoked = true;
        uint256 amount = r.amount;
        uint256 epoch = r.epoch;
        balanceOf[account] -= amount;
        epochBalanceOf[account][epoch] -= amount;
        epochTotalSupply[epoch] -= amount;
        totalSupply -= amount;
        emit ContributionRevoked(uid, account, epoch, amount, reason, msg.sender);
        emit Transfer(account, address(0), amount);
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc IContributionPoints
    function isUsed(bytes32 uid) external view returns (bool) {
        return _records[uid].account != address(0);
    }

    /// @inheritdoc IContributionPoints
    function record(bytes32 uid) external view returns (Record memory r) {
        r = _records[uid];
        if (r.account == address(0)) revert PointsUnknownUid(uid);
    }

    /// @inheritdoc IContributionPoints
    function contributionDigest(Contribution calldata c) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(_CONTRIBUTION_TYPEHASH, c.account, c.kind, c.amount, c.epoch, c.uid, c.deadline))
        );
    }

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Planet Contribution Points";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "PCP";
    }

    /// @notice Points are whole numbers.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @notice Always 0: points cannot be approved.
    function allowance(address, address) external pure returns (uint256) {
        return 0;
    }

    /// @notice Always reverts: points are non-transferable.
    function transfer(address, uint256) external pure returns (bool) {
        revert PointsNonTransferable();
    }

    /// @notice Always reverts: points are non-transferable.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        revert PointsNonTransferable();
    }

    /// @notice Always reverts: points are non-transferable.
    function approve(address, uint256) external pure returns (bool) {
        revert PointsNonTransferable();
    }
}
