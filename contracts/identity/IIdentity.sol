// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIdentity
/// @notice Planet's on-chain identity: one soulbound profile token (ERC-721 + ERC-5192) per
///         address, with a unique normalised handle, a persona metadata URI and its content hash,
///         a recovery address, and creator verification and disclosure labels set by verifiers.
/// @dev Handles are normalised on-chain: ASCII `A-Z` become `a-z`; only `[a-z0-9_]` is allowed,
///      3 to 32 characters. Token ids start at 1, so id 0 means "no identity".
///
///      Recovery: an identity's recovery address may move it to a new wallet (a lost or stolen
///      key). The owner can never be its own recovery address. The first recovery address
///      takes effect at once; once one is set, the owner alone can change it (or clear it) only
///      after `RECOVERY_DELAY`, a delay the owner cannot shorten, during which the current
///      recovery address can still recover the identity or cancel the change; the recovery
///      address itself may hand its role on at once (`changeRecovery`). So a thief holding the
///      owner's key cannot lock the rescuer out. A recovery moves the token with its handle,
///      persona and disclosure labels; it clears the recovery address (the old one cannot move
///      the identity again without the new owner's consent: the new owner sets a new one) and
///      the creator verification (it vouches for a person, so a recovery cannot pass it on,
///      which also keeps recovery from working as a sale of a verified identity). What does NOT
///      move, because other contracts key it by address: CommunityPass creator rights and
///      unwithdrawn proceeds, ContributionPoints balances, and PrizeVault rewards stay with the
///      old address (its holder, if still in control, withdraws proceeds to any address).
///
///      Relayed registration (`registerFor`): the owner's signature binds every field, the
///      handle included, to one relayer (or to any relayer, when it names the zero address) and
///      a deadline. Contract wallets sign through ERC-1271 (OpenZeppelin SignatureChecker) under
///      the same EIP-712 domain, nonce and deadline. `invalidateNonce` voids every signature the owner gave and did not see used.
///      A handle is not reserved by a signature: a relayed registration still pending can lose
///      its handle to someone registering it first, and then fails with IdentityHandleTaken
///      without using the nonce.
interface IIdentity {
    /// @notice What the contract stores per identity.
    struct Profile {
        string handle;
        string metadataURI;
        bytes32 metadataHash;
        address recovery;
        bool verified;
        uint256 labels;
    }

    /// @notice A recovery address change the owner scheduled (zero `effectiveAt`: none).
    struct PendingRecovery {
        address recovery;
        uint64 effectiveAt;
    }

    /// @notice What a new identity is registered with.
    /// @param handle Desired handle; stored normalised (lowercase).
    /// @param metadataURI Where the persona document lives (e.g. ipfs://...).
    /// @param metadataHash keccak256 of that document, so readers can check what is served.
    /// @param recovery Address allowed to move the identity to a new wallet (zero: none).
    struct Registration {
        string handle;
        string metadataURI;
        bytes32 metadataHash;
        address recovery;
    }

    // ---------------------------------------------------------------- errors

    /// @notice The address already holds an identity; one per address.
    error IdentityAlreadyRegistered(address account);
    /// @notice The address holds no identity.
    error IdentityNotRegistered(address account);
    /// @notice The token id does not exist.
    error IdentityUnknownToken(uint256 tokenId);
    /// @notice The handle, after normalisation, is already held by another identity.
    error IdentityHandleTaken(string handle);
    /// @notice A handle must have 3 to 32 characters.
    error IdentityHandleLength(uint256 length);
    /// @notice A handle may hold only `a-z`, `A-Z` (lowercased), `0-9` and `_`.
    error IdentityHandleCharacter(uint256 position, bytes1 character);
    /// @notice Identities are soulbound: transfers and approvals always revert.
    error IdentityNonTransferable(uint256 tokenId);
    /// @notice A relayed registration arrived after its deadline.
    error IdentitySignatureExpired(uint256 deadline, uint256 blockTimestamp);
    /// @notice A relayed registration is not signed by the owner it names (wrong signer, chain,
    ///         contract, nonce or fields).
    error IdentityInvalidSignature(address owner);
    /// @notice Only the identity's recovery address may move it.
    error IdentityNotRecovery(address caller, uint256 tokenId);
    /// @notice The zero address cannot own an identity or receive one.
    error IdentityZeroAddress();
    /// @notice An identity's owner cannot be its recovery address: recovery would then be a
    ///         transfer the owner makes at will.
    error IdentityRecoveryIsOwner(address account);
    /// @notice The identity has no scheduled recovery change.
    error IdentityNoRecoveryChange(uint256 tokenId);
    /// @notice The scheduled recovery change takes effect at `effectiveAt`, not yet.
    error IdentityRecoveryChangeNotReady(uint256 tokenId, uint256 effectiveAt);

    // ---------------------------------------------------------------- events

    /// @notice A new identity was minted to `owner`; `relayer` is `owner` unless registration was relayed.
    event IdentityRegistered(
        address indexed owner,
        uint256 indexed tokenId,
        string handle,
        string metadataURI,
        bytes32 metadataHash,
        address recovery,
        address relayer
    );
    /// @notice The persona metadata URI or its content hash changed.
    event MetadataUpdated(uint256 indexed tokenId, string metadataURI, bytes32 metadataHash);
    /// @notice The recovery address changed (zero disables recovery).
    event RecoveryChanged(uint256 indexed tokenId, address recovery);
    /// @notice The owner scheduled a new recovery address, effective from `effectiveAt` once
    ///         someone calls `applyRecoveryChange`.
    event RecoveryChangeScheduled(uint256 indexed tokenId, address recovery, uint256 effectiveAt);
    /// @notice The owner or the recovery address (`by`) cancelled the scheduled change.
    event RecoveryChangeCancelled(uint256 indexed tokenId, address by);
    /// @notice The recovery address moved the identity from `from` to `to`; the verification
    ///         flag is cleared and a `RecoveryChanged` to zero follows.
    event IdentityRecovered(uint256 indexed tokenId, address indexed from, address indexed to);
    /// @notice `owner` used up `nonce`, voiding any registration signature carrying it.
    event NonceInvalidated(address indexed owner, uint256 nonce);
    /// @notice A verifier set or cleared the creator verification flag.
    event VerificationChanged(uint256 indexed tokenId, bool verified, address indexed verifier);
    /// @notice A verifier replaced the disclosure label bitmap.
    event LabelsChanged(uint256 indexed tokenId, uint256 labels, address indexed verifier);

    // ---------------------------------------------------------------- writes

    /// @notice Registers the caller's identity.
    /// @return tokenId The new identity's token id.
    function register(Registration calldata registration) external returns (uint256 tokenId);

    /// @notice Registers `owner`'s identity on their behalf, authorised by their EIP-712
    ///         `Register` signature (gasless onboarding), which names the relayer allowed to
    ///         send it (`msg.sender`) or the zero address for any. Consumes `nonces(owner)`.
    /// @param signature ECDSA signature of {registerDigest}, or, when `owner` is a contract
    ///        wallet (a multisig, a smart account), whatever its ERC-1271 `isValidSignature`
    ///        accepts for that digest. The wallet must be deployed: an ERC-6492 wrapped
    ///        signature of an undeployed account is refused (IdentityInvalidSignature).
    function registerFor(address owner, Registration calldata registration, uint256 deadline, bytes calldata signature)
        external
        returns (uint256 tokenId);

    /// @notice Replaces the caller's persona metadata URI and hash.
    function setMetadata(string calldata metadataURI, bytes32 metadataHash) external;

    /// @notice Sets the caller's recovery address (zero disables recovery): at once if none is
    ///         set, else scheduled for `RECOVERY_DELAY` later (replacing any pending change).
    ///         The caller itself is refused (IdentityRecoveryIsOwner).
    /// @return effectiveAt When the new address takes effect (now, if at once).
    function setRecovery(address recovery) external returns (uint256 effectiveAt);

    /// @notice Makes a scheduled recovery change take effect once its delay passed; anyone.
    function applyRecoveryChange(uint256 tokenId) external;

    /// @notice Drops a scheduled recovery change; the owner or the current recovery address.
    function cancelRecoveryChange(uint256 tokenId) external;

    /// @notice The current recovery address hands its role to `recovery` at once (or clears it
    ///         with zero); it cannot name the owner. Drops any scheduled change.
    function changeRecovery(uint256 tokenId, address recovery) external;

    /// @notice Moves the identity held by `from` to `to`; callable only by its recovery address.
    ///         Clears the recovery address, any scheduled change and the verification flag.
    function recover(address from, address to) external;

    /// @notice Uses up the caller's current nonce, so a registration signature given for it
    ///         can no longer be relayed.
    /// @return nonce The nonce voided.
    function invalidateNonce() external returns (uint256 nonce);

    /// @notice Sets or clears creator verification; VERIFIER_ROLE only.
    function setVerified(uint256 tokenId, bool verified) external;

    /// @notice Replaces the disclosure label bitmap; VERIFIER_ROLE only.
    /// @dev Bits: 0 exchange staff, 1 paid partner, 2 trading-signal provider, 3 market maker;
    ///      higher bits are reserved for later labels and stored as given.
    function setLabels(uint256 tokenId, uint256 labels) external;

    // ---------------------------------------------------------------- reads

    /// @notice The identity token id of `account`, or 0 if it has none.
    function identityOf(address account) external view returns (uint256);

    /// @notice Whether `account` holds an identity.
    function hasIdentity(address account) external view returns (bool);

    /// @notice The token id holding a handle (any case), or 0.
    function tokenOfHandle(string calldata handle) external view returns (uint256);

    /// @notice Everything stored for a token id.
    function profile(uint256 tokenId) external view returns (Profile memory);

    /// @notice Seconds an owner's change of a set recovery address waits: 7 days.
    function RECOVERY_DELAY() external view returns (uint256);

    /// @notice The recovery change scheduled for a token, if any.
    function pendingRecovery(uint256 tokenId) external view returns (PendingRecovery memory);

    /// @notice The EIP-712 digest `owner` signs to have `registerFor` relayed by `relayer` (zero:
    ///         any relayer): the typed struct is
    ///         `Register(address owner,string handle,string metadataURI,bytes32 metadataHash,address recovery,address relayer,uint256 nonce,uint256 deadline)`
    ///         in the domain `Planet Identity`, version `1`, this chain and this contract.
    function registerDigest(
        address owner,
        Registration calldata registration,
        address relayer,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);
}
