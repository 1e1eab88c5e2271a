// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIdentity
/// @notice Planet's on-chain identity: one soulbound profile token (ERC-721 + ERC-5192) per
///         address, with a unique normalised handle, a persona metadata URI and its content hash,
///         a recovery address, and creator verification and disclosure labels set by verifiers.
/// @dev Handles are normalised on-chain: ASCII `A-Z` become `a-z`; only `[a-z0-9_]` is allowed,
///      3 to 32 characters. Token ids start at 1, so id 0 means "no identity".
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
    /// @notice The recovery address moved the identity from `from` to `to`.
    event IdentityRecovered(uint256 indexed tokenId, address indexed from, address indexed to);
    /// @notice A verifier set or cleared the creator verification flag.
    event VerificationChanged(uint256 indexed tokenId, bool verified, address indexed verifier);
    /// @notice A verifier replaced the disclosure label bitmap.
    event LabelsChanged(uint256 indexed tokenId, uint256 labels, address indexed verifier);

    // ---------------------------------------------------------------- writes

    /// @notice Registers the caller's identity.
    /// @return tokenId The new identity's token id.
    function register(Registration calldata registration) external returns (uint256 tokenId);

    /// @notice Registers `owner`'s identity on their behalf, authorised by their EIP-712
    ///         `Register` signature (gasless onboarding). Consumes `nonces(owner)`.
    /// @param signature ECDSA signature, or ERC-1271 data when `owner` is a contract wallet.
    function registerFor(address owner, Registration calldata registration, uint256 deadline, bytes calldata signature)
        external
        returns (uint256 tokenId);

    /// @notice Replaces the caller's persona metadata URI and hash.
    function setMetadata(string calldata metadataURI, bytes32 metadataHash) external;

    /// @notice Sets the caller's recovery address (zero disables recovery).
    function setRecovery(address recovery) external;

    /// @notice Moves the identity held by `from` to `to`; callable only by its recovery address.
    function recover(address from, address to) external;

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

    /// @notice The EIP-712 digest `owner` signs to have `registerFor` relayed: the typed struct is
    ///         `Register(address owner,string handle,string metadataURI,bytes32 metadataHash,address recovery,uint256 nonce,uint256 deadline)`
    ///         in the domain `Planet Identity`, version `1`, this chain and this contract.
    function registerDigest(address owner, Registration calldata registration, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32);
}
