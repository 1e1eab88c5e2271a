// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IContributionPoints
/// @notice Non-transferable points earned by registered identities, per account and per weekly
///         epoch. Points exist only through EIP-712 `Contribution` attestations signed by an
///         attester: the account submits one from its own wallet (its on-chain proof of the
///         contribution), or an attester submits a batch. Each attestation `uid` counts once,
///         forever; a risk officer can revoke one, removing its points.
/// @dev Attesters may be keys or contracts: an attestation signature is either a 64/65-byte
///      ECDSA signature by a role holder, or `abi.encode(attester, innerSignature)` where
///      `attester` is a contract holding ATTESTER_ROLE (a multisig) whose ERC-1271
///      `isValidSignature(contributionDigest, innerSignature)` answers the magic value. The
///      digest keeps its EIP-712 domain (name, version, chain id, this contract) and each uid
///      counts once, for both kinds.
///
///      ERC-20 read functions (`balanceOf`, `totalSupply`, `decimals` = 0) let explorers show
///      points; `Transfer` is emitted for every mint and burn. Every transfer path reverts.
interface IContributionPoints {
    /// @notice The attested fact; this is the EIP-712 struct the attester signs, in the domain
    ///         `Planet Contribution Points`, version `1`, this chain and this contract.
    /// @param account Who earned the points (must hold an identity).
    /// @param kind What was done: 0 post, 1 live session, 2 comment, 3 referral, 4 conversion,
    ///        5 attributed trade; higher values are reserved and accepted as signed.
    /// @param amount Points, at least 1 and at most 2^56 - 1.
    /// @param epoch The week the contribution belongs to; not later than the current one.
    /// @param uid Unique id chosen by the attester; used once, forever.
    /// @param deadline Last timestamp at which the attestation may be recorded.
    struct Contribution {
        address account;
        uint8 kind;
        uint256 amount;
        uint256 epoch;
        bytes32 uid;
        uint256 deadline;
    }

    /// @notice What is kept per recorded attestation, packed in one storage slot.
    struct Record {
        address account;
        uint56 amount;
        uint24 epoch;
        uint8 kind;
        bool revoked;
    }

    // ---------------------------------------------------------------- errors

    /// @notice Points never move: transfer, transferFrom and approve always revert.
    error PointsNonTransferable();
    /// @notice This attestation uid was already recorded (revoked ones included).
    error PointsUidUsed(bytes32 uid);
    /// @notice The attestation's deadline has passed.
    error PointsAttestationExpired(bytes32 uid, uint256 deadline, uint256 blockTimestamp);
    /// @notice The signature parses neither as an ECDSA signature (64 or 65 bytes) nor as
    ///         `abi.encode(address attester, bytes signature)` for a contract attester.
    error PointsMalformedSignature(bytes32 uid);
    /// @notice The contract attester `signer` (holding the role) did not accept the signature
    ///         through ERC-1271: too few of its owners signed, or they signed other content.
    error PointsContractSignatureInvalid(bytes32 uid, address signer);
    /// @notice The signature recovers to, or names, an address without the attester role (wrong
    ///         key, or signed for another chain, contract or content).
    error PointsSignerNotAttester(bytes32 uid, address signer);
    /// @notice The account holds no Planet identity.
    error PointsNoIdentity(address account);
    /// @notice An attestation for a week that has not started yet.
    error PointsEpochInFuture(uint256 epoch, uint256 currentEpoch);
    /// @notice An attestation of zero points.
    error PointsZeroAmount(bytes32 uid);
    /// @notice More points than one attestation may carry (2^56 - 1).
    error PointsAmountTooLarge(bytes32 uid, uint256 amount);
    /// @notice Only the attested account may submit its own attestation.
    error PointsCallerNotAccount(address caller, address account);
    /// @notice A batch with no items, or with different numbers of attestations and signatures.
    error PointsBadBatch(uint256 attestations, uint256 signatures);
    /// @notice No attestation was recorded under this uid.
    error PointsUnknownUid(bytes32 uid);
    /// @notice The attestation was already revoked.
    error PointsAlreadyRevoked(bytes32 uid);
    /// @notice A constructor address is zero.
    error PointsZeroAddress();

    // ---------------------------------------------------------------- events

    /// @notice An attestation was recorded and its points credited.
    /// @param attester The role holder whose signature it carries (a key, or a contract attester).
    /// @param submitter Who sent the transaction (the account, or an attester for a batch).
    event ContributionRecorded(
        bytes32 indexed uid,
        address indexed account,
        uint256 indexed epoch,
        uint8 kind,
        uint256 amount,
        address attester,
        address submitter
    );
    /// @notice A recorded attestation was revoked and its points removed.
    event ContributionRevoked(
        bytes32 indexed uid,
        address indexed account,
        uint256 indexed epoch,
        uint256 amount,
        string reason,
        address revoker
    );

    // ---------------------------------------------------------------- writes

    /// @notice Records one attestation for the caller, who must be its `account`.
    /// @param signature An attester's ECDSA signature of {contributionDigest}, or
    ///        `abi.encode(attester, innerSignature)` for a contract attester (ERC-1271).
    function attest(Contribution calldata contribution, bytes calldata signature) external;

    /// @notice Records many attestations in one transaction; ATTESTER_ROLE only. Atomic: one bad
    ///         item reverts the batch with that item's error. Each signature takes either form
    ///         `attest` takes.
    function attestBatch(Contribution[] calldata contributions, bytes[] calldata signatures) external;

    /// @notice Revokes a recorded attestation and removes its points; RISK_ROLE only.
    function revoke(bytes32 uid, string calldata reason) external;

    // ---------------------------------------------------------------- reads

    /// @notice Points `account` earned in `epoch`, net of revocations.
    function epochBalanceOf(address account, uint256 epoch) external view returns (uint256);

    /// @notice All points earned in `epoch`, net of revocations.
    function epochTotalSupply(uint256 epoch) external view returns (uint256);

    /// @notice Whether `uid` was ever recorded.
    function isUsed(bytes32 uid) external view returns (bool);

    /// @notice The stored record of an attestation; reverts for an unknown uid.
    function record(bytes32 uid) external view returns (Record memory);

    /// @notice The EIP-712 digest the attester signs for `contribution`.
    function contributionDigest(Contribution calldata contribution) external view returns (bytes32);
}
