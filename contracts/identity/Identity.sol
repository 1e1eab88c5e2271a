// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IIdentity} from "./IIdentity.sol";
import {IERC5192} from "./IERC5192.sol";

/// @title Identity
/// @notice Soulbound Planet profiles. See {IIdentity} for the rules.
contract Identity is IIdentity, IERC5192, ERC721, AccessControl, EIP712, Nonces {
    /// @notice Role allowed to set creator verification and disclosure labels.
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");

    bytes32 private constant _REGISTER_TYPEHASH = keccak256(
        "Register(address owner,string handle,string metadataURI,bytes32 metadataHash,address recovery,address relayer,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IIdentity
    uint256 public constant RECOVERY_DELAY = 7 days;

    uint256 private constant _MIN_HANDLE = 3;
    uint256 private constant _MAX_HANDLE = 32;

    uint256 private _lastTokenId;
    mapping(address account => uint256) private _identityOf;
    mapping(bytes32 handleHash => uint256) private _tokenOfHandle;
    mapping(uint256 tokenId => Profile) private _profiles;
    mapping(uint256 tokenId => PendingRecovery) private _pendingRecovery;

    /// @dev Set only for the duration of a recovery, the one path allowed to move a token.
    bool private transient _recovering;

    constructor(address admin, address verifier) ERC721("Planet Identity", "PLANET-ID") EIP712("Planet Identity", "1") {
        if (admin == address(0) || verifier == address(0)) revert IdentityZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(VERIFIER_ROLE, verifier);
    }

    // ------------------------------------------------------------ registration

    /// @inheritdoc IIdentity
    function register(Registration calldata registration) external returns (uint256) {
        return _register(msg.sender, registration);
    }

    /// @inheritdoc IIdentity
    function registerFor(address owner, Registration calldata registration, uint256 deadline, bytes calldata signature)
        external
        returns (uint256)
    {
        if (block.timestamp > deadline) revert IdentitySignatureExpired(deadline, block.timestamp);
        if (owner == address(0)) revert IdentityZeroAddress();
        uint256 nonce = nonces(owner);
        // Signed for this relayer, or for any (relayer zero).
        if (
            !SignatureChecker.isValidSignatureNow(
                    owner, registerDigest(owner, registration, msg.sender, nonce, deadline), signature
                )
                && !SignatureChecker.isValidSignatureNow(
                    owner, registerDigest(owner, registration, address(0), nonce, deadline), signature
                )
        ) revert IdentityInvalidSignature(owner);
        _useNonce(owner);
        return _register(owner, registration);
    }

    /// @inheritdoc IIdentity
    function invalidateNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceInvalidated(msg.sender, nonce);
    }

    function _register(address owner, Registration calldata registration) private returns (uint256 tokenId) {
        if (owner == address(0)) revert IdentityZeroAddress();
        if (_identityOf[owner] != 0) revert IdentityAlreadyRegistered(owner);
        if (registration.recovery == owner) revert IdentityRecoveryIsOwner(owner);
        string memory normalised = _normaliseHandle(registration.handle);
        bytes32 key = keccak256(bytes(normalised));
        if (_tokenOfHandle[key] != 0) revert IdentityHandleTaken(normalised);

        tokenId = ++_lastTokenId;
        _identityOf[owner] = tokenId;
        _tokenOfHandle[key] = tokenId;
        Profile storage p = _profiles[tokenId];
        p.handle = normalised;
        p.metadataURI = registration.metadataURI;
        p.metadataHash = registration.metadataHash;
        p.recovery = registration.recovery;

        // _mint, not _safeMint: a soulbound token needs no receiver hook, and skipping the
        // external call keeps registration free of reentrancy.
        _mint(owner, tokenId);
        emit Locked(tokenId);
        emit IdentityRegistered(
            owner,
            tokenId,
            normalised,
            registration.metadataURI,
            registration.metadataHash,
            registration.recovery,
            msg.sender
        );
    }

    // ------------------------------------------------------------ owner settings

    /// @inheritdoc IIdentity
    function setMetadata(string calldata metadataURI, bytes32 metadataHash) external {
        uint256 tokenId = _requireIdentity(msg.sender);
        Profile storage p = _profiles[tokenId];
        p.metadataURI = metadataURI;
        p.metadataHash = metadataHash;
        emit MetadataUpdated(tokenId, metadataURI, metadataHash);
    }

    /// @inheritdoc IIdentity
    function setRecovery(address recovery) external returns (uint256 effectiveAt) {
        uint256 tokenId = _requireIdentity(msg.sender);
        if (recovery == msg.sender) revert IdentityRecoveryIsOwner(msg.sender);
        Profile storage p = _profiles[tokenId];
        if (p.recovery == address(0)) {
            // Nothing to protect yet: the first recovery address takes effect at once.
            delete _pendingRecovery[tokenId];
            p.recovery = recovery;
            emit RecoveryChanged(tokenId, recovery);
            return block.timestamp;
        }
        // Once set, the owner alone changes it only after a delay, during which the current
        // recovery address may still recover (and so undo a thief's change) or cancel it.
        effectiveAt = block.timestamp + RECOVERY_DELAY;
        _pendingRecovery[tokenId] = PendingRecovery({recovery: recovery, effectiveAt: uint64(effectiveAt)});
        emit RecoveryChangeScheduled(tokenId, recovery, effectiveAt);
    }

    /// @inheritdoc IIdentity
    function applyRecoveryChange(uint256 tokenId) external {
        PendingRecovery memory pending = _pendingRecovery[tokenId];
        if (pending.effectiveAt == 0) revert IdentityNoRecoveryChange(tokenId);
        if (block.timestamp < pending.effectiveAt) {
            revert IdentityRecoveryChangeNotReady(tokenId, pending.effectiveAt);
        }
        delete _pendingRecovery[tokenId];
        _profiles[tokenId].recovery = pending.recovery;
        emit RecoveryChanged(tokenId, pending.recovery);
    }

    /// @inheritdoc IIdentity
    function cancelRecoveryChange(uint256 tokenId) external {
        if (_pendingRecovery[tokenId].effectiveAt == 0) revert IdentityNoRecoveryChange(tokenId);
        if (msg.sender != _ownerOf(tokenId) && msg.sender != _profiles[tokenId].recovery) {
            revert IdentityNotRecovery(msg.sender, tokenId);
        }
        delete _pendingRecovery[tokenId];
        emit RecoveryChangeCancelled(tokenId, msg.sender);
    }

    /// @inheritdoc IIdentity
    function changeRecovery(uint256 tokenId, address recovery) external {
        Profile storage p = _profiles[tokenId];
        if (p.recovery != msg.sender || msg.sender == address(0)) revert IdentityNotRecovery(msg.sender, tokenId);
        if (recovery == _ownerOf(tokenId)) revert IdentityRecoveryIsOwner(recovery);
        delete _pendingRecovery[tokenId];
        p.recovery = recovery;
        emit RecoveryChanged(tokenId, recovery);
    }

    /// @inheritdoc IIdentity
    function recover(address from, address to) external {
        uint256 tokenId = _requireIdentity(from);
        Profile storage p = _profiles[tokenId];
        if (p.recovery != msg.sender || msg.sender == address(0)) revert IdentityNotRecovery(msg.sender, tokenId);
        if (to == address(0)) revert IdentityZeroAddress();
        if (_identityOf[to] != 0) revert IdentityAlreadyRegistered(to);

        delete _identityOf[from];
        _identityOf[to] = tokenId;
        _recovering = true;
        _transfer(from, to, tokenId);
        _recovering = false;
        // The new owner starts without a recovery address (the old one cannot move the identity
        // again without the new owner's consent) and unverified (verification vouches for a
        // person, and a recovery must not hand it to someone else). Handle, persona and labels
        // stay with the token.
        delete _pendingRecovery[tokenId];
        p.recovery = address(0);
        p.verified = false;
        emit IdentityRecovered(tokenId, from, to);
        emit RecoveryChanged(tokenId, address(0));
    }

    // ------------------------------------------------------------ verifier

    /// @inheritdoc IIdentity
    function setVerified(uint256 tokenId, bool verified) external onlyRole(VERIFIER_ROLE) {
        _requireToken(tokenId);
        _profiles[tokenId].verified = verified;
        emit VerificationChanged(tokenId, verified, msg.sender);
    }

    /// @inheritdoc IIdentity
    function setLabels(uint256 tokenId, uint256 labels) external onlyRole(VERIFIER_ROLE) {
        _requireToken(tokenId);
        _profiles[tokenId].labels = labels;
        emit LabelsChanged(tokenId, labels, msg.sender);
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc IIdentity
    function identityOf(address account) external view returns (uint256) {
        return _identityOf[account];
    }

    /// @inheritdoc IIdentity
    function hasIdentity(address account) external view returns (bool) {
        return _identityOf[account] != 0;
    }

    /// @inheritdoc IIdentity
    function tokenOfHandle(string calldata handle) external view returns (uint256) {
        return _tokenOfHandle[keccak256(bytes(_normaliseHandle(handle)))];
    }

    /// @inheritdoc IIdentity
    function profile(uint256 tokenId) external view returns (Profile memory) {
        _requireToken(tokenId);
        return _profiles[tokenId];
    }

    /// @inheritdoc IIdentity
    function pendingRecovery(uint256 tokenId) external view returns (PendingRecovery memory) {
        return _pendingRecovery[tokenId];
    }

    /// @inheritdoc IIdentity
    function registerDigest(
        address owner,
        Registration calldata registration,
        address relayer,
        uint256 nonce,
        uint256 deadline
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    _REGISTER_TYPEHASH,
                    owner,
                    keccak256(bytes(registration.handle)),
                    keccak256(bytes(registration.metadataURI)),
                    registration.metadataHash,
                    registration.recovery,
                    relayer,
                    nonce,
                    deadline
                )
            )
        );
    }

    /// @notice Identities are always locked (ERC-5192).
    function locked(uint256 tokenId) external view returns (bool) {
        _requireToken(tokenId);
        return true;
    }

    /// @notice The persona metadata URI.
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireToken(tokenId);
        return _profiles[tokenId].metadataURI;
    }

    /// @notice ERC-165: ERC-721, ERC-5192 and AccessControl.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------ soulbound

    /// @notice Always reverts: identities cannot be approved for transfer.
    function approve(address, uint256 tokenId) public pure override {
        revert IdentityNonTransferable(tokenId);
    }

    /// @notice Always reverts: identities cannot be approved for transfer.
    function setApprovalForAll(address, bool) public pure override {
        revert IdentityNonTransferable(0);
    }

    /// @dev Every ERC-721 transfer path funnels through here; only minting and recovery pass.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && !_recovering) revert IdentityNonTransferable(tokenId);
        return super._update(to, tokenId, auth);
    }

    // ------------------------------------------------------------ helpers

    function _requireIdentity(address account) private view returns (uint256 tokenId) {
        tokenId = _identityOf[account];
        if (tokenId == 0) revert IdentityNotRegistered(account);
    }

    function _requireToken(uint256 tokenId) private view {
        if (_ownerOf(tokenId) == address(0)) revert IdentityUnknownToken(tokenId);
    }

    /// @dev Lowercases ASCII letters and rejects anything outside `[a-z0-9_]`, so a handle has
    ///      one spelling on-chain and look-alike case variants cannot be registered twice.
    function _normaliseHandle(string calldata handle) private pure returns (string memory) {
        bytes calldata raw = bytes(handle);
        uint256 length = raw.length;
        if (length < _MIN_HANDLE || length > _MAX_HANDLE) revert IdentityHandleLength(length);
        bytes memory out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            bytes1 c = raw[i];
            if (c >= "A" && c <= "Z") {
                c = bytes1(uint8(c) + 32);
            } else if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_")) {
                revert IdentityHandleCharacter(i, c);
            }
            out[i] = c;
        }
        return string(out);
    }
}
