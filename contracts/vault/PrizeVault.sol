// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    AccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IPrizeVault} from "./IPrizeVault.sol";
import {WeeklyEpochs} from "../epochs/WeeklyEpochs.sol";

/// @title PrizeVault
/// @notice Planet's weekly prize vault. See {IPrizeVault} for the rules.
/// @dev Storage layout (after AccessControl's `_roles` and Pausable's `_paused`; the reentrancy
///      lock is transient and takes no slot):
///      - `_books[epoch]`, two slots: [root] [funded:96 | sweptOut:96 | pauseClockAtRoot:56 |
///        swept:8].
///        The pool's slot is non-zero once the epoch is funded and a proposal reads it anyway,
///        so a non-zero pause clock (a proposal after any pause) costs a warm 2,900-gas write
///        rather than 22,100 in a mapping of its own.
///      - `_payouts[epoch][root]`, one slot per proposed root: [total:96 | paid:96 |
///        claimableAt:40 | status:8 | swept:8]. A claim does not read the epoch's root: it looks
///        up the payout slot of the root its proof computes. A wrong proof computes a root that
///        has no claimable payout; only then is the stored root read, to name the error. This
///        saves the root's cold SLOAD on every successful claim (measured: 1,939 gas a claim, net
///        of hashing the nested key). An epoch has at most one `Proposed` payout at a
///        time (a new root is accepted only once the current one is vetoed, and a veto marks the
///        old slot `Vetoed`), so a slot that says Proposed is always the epoch's current root.
///        The book's swept flag is the one fund, propose and sweep read; a sweep copies it into
///        the current root's payout slot, where claims see it. Fund and propose of an epoch
///        without a root (the usual case) then read no payout slot at all (measured: 2,305
///        gas a funding, 2,554 a proposal).
///      - `_claimed[account][epoch >> 8]`, bit `epoch & 0xff`: an account's claimed flags for 256
///        consecutive weeks (about 4.9 years) share one word. Leaves carry no index, so flags
///        cannot be packed by tree position as index-keyed distributors do; keyed by account, a
///        claimant who comes back week after week writes a word that is already non-zero (5,000
///        gas rather than 22,100), and a claimMany over nearby weeks touches a single word.
///      What a claim must touch, cold: the pause flag (read), its epoch's payout slot (read and
///      write: the paid total that caps a faulty tree) and the claimant's flag word (read and
///      write): 12,100 gas of storage where an index-keyed one-shot distributor with an
///      immutable root touches one word (5,000). Measured (benchmarks/gas/prize_vault.py) for a
///      20-deep proof paying a returning claimant who holds the token: see gas-snapshot.json.
contract PrizeVault is IPrizeVault, AccessControlDefaultAdminRules, Pausable, ReentrancyGuardTransient, WeeklyEpochs {
    using SafeERC20 for IERC20;

    /// @notice Role that proposes epoch roots.
    bytes32 public constant DISTRIBUTOR_ROLE = keccak256("DISTRIBUTOR_ROLE");
    /// @notice Role that vetoes pending roots and pauses the vault.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev A longer challenge period is a misconfiguration, and bounding it keeps
    ///      `block.timestamp + CHALLENGE_PERIOD` far inside uint40.
    uint256 private constant _MAX_CHALLENGE_PERIOD = 30 days;
    /// @dev How far past the current week a pool may be funded: a year. Money sent further
    ///      ahead would sit unusable for years, and an unbounded epoch reaches weeks whose start
    ///      does not fit in uint256.
    uint256 private constant _MAX_FUND_AHEAD = 52;
    /// @dev What a role change waits beyond the challenge period: a root proposed just before a
    ///      change is scheduled becomes final under the old role holders, with two days left for
    ///      people to see the change coming.
    uint256 private constant _ROLE_MARGIN = 2 days;

    /// @inheritdoc IPrizeVault
    address public immutable ASSET;
    /// @inheritdoc IPrizeVault
    uint256 public immutable CHALLENGE_PERIOD;
    /// @inheritdoc IPrizeVault
    uint256 public immutable CLAIM_WINDOW;
    /// @notice The contract whose `GENESIS` defines this vault's weeks (the points contract).
    address public immutable EPOCH_SOURCE;
    /// @inheritdoc IPrizeVault
    uint256 public immutable ROLE_DELAY;

    /// @dev What an epoch keeps besides its payouts; `Pool` and the pause clock share a slot.
    struct Book {
        bytes32 root;
        uint96 funded;
        uint96 sweptOut;
        /// `_pauseClock()` when the current root was proposed: the paused time since then is
        /// added to its claim window.
        uint56 pauseClockAtRoot;
        /// The remainder was swept: no funding, proposal, claim or second sweep.
        bool swept;
    }

    mapping(uint256 epoch => Book) private _books;
    mapping(uint256 epoch => mapping(bytes32 root => Payout)) private _payouts;
    /// @dev Written only through the slot {_flagSlot} computes (the standard mapping layout, so
    ///      `_claimed[account][word]` reads what a claim wrote); Slither sees no Solidity write.
    // slither-disable-next-line uninitialized-state
    mapping(address account => mapping(uint256 word => uint256 bits)) private _claimed;
    /// @dev When each scheduled role change may be executed, keyed by `_roleChangeKey`.
    mapping(bytes32 key => uint256 executableAt) private _roleChanges;
    /// @dev Seconds the vault spent paused in pauses that have ended.
    uint64 private _pausedBefore;
    /// @dev When the current pause began (meaningless while unpaused).
    uint40 private _pausedSince;

    /// @param epochSource Contract exposing `GENESIS()` (ContributionPoints), so both count weeks
    ///        from the same timestamp.
    /// @param asset ERC-20 paid out, or address(0) for native OKB.
    /// @param challengePeriod Seconds a root waits for a veto; 1 second to 30 days.
    /// @param claimWindowWeeks Weeks an epoch stays claimable before it may be swept; at least 1.
    constructor(
        address epochSource,
        address asset,
        uint256 challengePeriod,
        uint256 claimWindowWeeks,
        address admin,
        address distributor,
        address guardian
    )
        AccessControlDefaultAdminRules(_roleDelay(challengePeriod), _nonZero(admin))
        WeeklyEpochs(WeeklyEpochs(epochSource).GENESIS())
    {
        if (
            distributor == address(0) || guardian == address(0) || (asset != address(0) && asset.code.length == 0)
                || claimWindowWeeks == 0 || claimWindowWeeks > type(uint32).max
        ) revert VaultBadConfig();
        EPOCH_SOURCE = epochSource;
        ASSET = asset;
        CHALLENGE_PERIOD = challengePeriod;
        CLAIM_WINDOW = claimWindowWeeks * EPOCH_DURATION;
        ROLE_DELAY = _roleDelay(challengePeriod);
        _grantRole(DISTRIBUTOR_ROLE, distributor);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    /// @dev Checks the challenge period (the base constructor runs before the body) and derives
    ///      the role delay from it; both fit uint48 once the period is bounded.
    function _roleDelay(uint256 challengePeriod) private pure returns (uint48) {
        if (challengePeriod == 0 || challengePeriod > _MAX_CHALLENGE_PERIOD) revert VaultBadConfig();
        return uint48(challengePeriod + _ROLE_MARGIN);
    }

    /// @dev The base constructor would reject a zero admin with its own error; this one keeps
    ///      every unusable setting under VaultBadConfig.
    function _nonZero(address account) private pure returns (address) {
        if (account == address(0)) revert VaultBadConfig();
        return account;
    }

    // ------------------------------------------------------------ funding

    /// @inheritdoc IPrizeVault
    function fund(uint256 epoch, uint256 amount) external payable nonReentrant whenNotPaused {
        if (amount == 0) revert VaultZeroAmount();
        uint256 latest = currentEpoch() + _MAX_FUND_AHEAD;
        if (epoch > latest) revert VaultEpochTooFar(epoch, latest);
        Book storage b = _books[epoch];
        if (_isFinal(b, epoch)) revert VaultEpochFinalized(epoch);
        uint256 funded = _addFunds(b, epoch, amount);
        if (ASSET == address(0)) {
            if (msg.value != amount) revert VaultWrongValue(amount, msg.value);
        } else {
            if (msg.value != 0) revert VaultWrongValue(0, msg.value);
            IERC20 token = IERC20(ASSET);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), amount);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != amount) revert VaultFeeOnTransfer(amount, received);
        }
        emit Funded(epoch, msg.sender, amount, funded);
    }

    // ------------------------------------------------------------ roots

    /// @inheritdoc IPrizeVault
    function proposeRoot(uint256 epoch, bytes32 root, uint256 total, string calldata uri, bytes32 fileHash)
        external
        onlyRole(DISTRIBUTOR_ROLE)
    {
        uint256 nowEpoch = currentEpoch();
        if (epoch >= nowEpoch) revert VaultEpochNotEnded(epoch, nowEpoch);
        if (root == bytes32(0)) revert VaultZeroRoot();
        if (total == 0) revert VaultZeroAmount();
        Book storage b = _books[epoch];
        if (b.swept) revert VaultEpochSwept(epoch);
        bytes32 current = b.root;
        if (current != bytes32(0) && _payouts[epoch][current].status == RootStatus.Proposed) {
            revert VaultRootAlreadyProposed(epoch);
        }
        uint256 funded = b.funded;
        if (total > funded) revert VaultTotalExceedsFunds(epoch, total, funded);
        // total <= funded < 2^96; CHALLENGE_PERIOD <= 30 days keeps claimableAt inside uint40.
        // paid is 0: a vetoed root was never claimable, so nothing was paid under it (and the
        // same root proposed again after its veto starts from a clean slot the same way).
        // The pause clock never exceeds the seconds since deployment, far inside uint56.
        uint256 claimableAt = block.timestamp + CHALLENGE_PERIOD;
        b.root = root;
        b.pauseClockAtRoot = uint56(_pauseClock());
        _payouts[epoch][root] = Payout({
            total: uint96(total), paid: 0, claimableAt: uint40(claimableAt), status: RootStatus.Proposed, swept: false
        });
        emit RootProposed(epoch, root, total, uri, fileHash, claimableAt, msg.sender);
    }

    /// @inheritdoc IPrizeVault
    function veto(uint256 epoch, string calldata reason) external onlyRole(GUARDIAN_ROLE) {
        bytes32 root = _books[epoch].root;
        Payout storage p = _payouts[epoch][root];
        if (p.status != RootStatus.Proposed) revert VaultNoPendingRoot(epoch);
        if (block.timestamp >= p.claimableAt) revert VaultChallengePeriodOver(epoch, p.claimableAt);
        p.status = RootStatus.Vetoed;
        emit RootVetoed(epoch, root, reason, msg.sender);
    }

    // ------------------------------------------------------------ claims

    /// @inheritdoc IPrizeVault
    function claim(uint256 epoch, address account, uint256 amount, bytes32[] calldata proof)
        external
        nonReentrant
        whenNotPaused
    {
        _markClaimed(epoch, account, amount, proof, false);
        _pay(account, amount);
    }

    /// @inheritdoc IPrizeVault
    function claimMany(
        uint256[] calldata epochs,
        address account,
        uint256[] calldata amounts,
        bytes32[][] calldata proofs
    ) external nonReentrant whenNotPaused {
        uint256 count = epochs.length;
        if (count == 0 || count != amounts.length || count != proofs.length) {
            revert VaultBadBatch(count, amounts.length, proofs.length);
        }
        uint256 sum;
        for (uint256 i; i < count; ++i) {
            // An item already claimed (by anyone, perhaps in front of this transaction, or
            // earlier in this batch) is skipped: its money already went to `account`, and
            // reverting would let a third party void the batch by claiming one item first.
            // Cannot overflow: each amount booked was just checked against a total below 2^96.
            unchecked {
                sum += _markClaimed(epochs[i], account, amounts[i], proofs[i], true);
            }
        }
        if (sum != 0) _pay(account, sum);
    }

    /// @dev The whole claim rule: root claimable, not claimed before, proof valid, within total;
    ///      then flag, book and emit. Paying is left to the caller (one transfer per batch).
    ///      With `skipClaimed` (claimMany), an item the account already claimed books nothing
    ///      and returns 0 instead of reverting.
    ///
    ///      The proof is not checked against the stored root: the root it computes selects the
    ///      payout slot (see the storage layout above). A slot that is Proposed, past its
    ///      challenge period and not swept is the epoch's claimable root, so the proof is valid;
    ///      any other outcome goes to {_refuse}, which reads the stored root and reverts with the
    ///      error the checks give in the documented order (status, claimed, proof).
    function _markClaimed(uint256 epoch, address account, uint256 amount, bytes32[] calldata proof, bool skipClaimed)
        private
        returns (uint256)
    {
        uint256 flagSlot = _flagSlot(account, epoch);
        uint256 flags;
        assembly ("memory-safe") {
            flags := sload(flagSlot)
        }
        uint256 bit = 1 << (epoch & 0xff);
        if (flags & bit != 0) {
            if (skipClaimed) return 0;
            _refuse(epoch, account, amount);
        }
        Payout storage p = _payouts[epoch][_processProof(proof, leaf(account, amount))];
        _book(p, epoch, account, amount);
        assembly ("memory-safe") {
            sstore(flagSlot, or(flags, bit))
        }
        emit Claimed(epoch, account, amount);
        return amount;
    }

    /// @dev Adds a claim to the payout slot its proof selected, once the slot shows the claim
    ///      is allowed: the epoch's claimable root (see {_markClaimed}), with room under its total.
    function _book(Payout storage p, uint256 epoch, address account, uint256 amount) private {
        uint256 payout;
        assembly ("memory-safe") {
            payout := sload(p.slot)
        }
        // The word's top 24 bits are [swept:8 | status:8] above claimableAt (bits 192-231):
        // claimable means exactly "status Proposed, not swept, claimableAt reached". Decoding
        // the word by hand instead of reading the struct's fields saves the second (warm) SLOAD
        // and the masking Solidity adds for each field (measured: 506 gas a claim).
        if (payout >> 232 != uint256(RootStatus.Proposed) || block.timestamp < uint40(payout >> 192)) {
            _refuse(epoch, account, amount);
        }
        (uint256 total, uint256 paid) = (uint96(payout), uint96(payout >> 96));
        // paid <= total always holds, so `total - paid` cannot underflow, and unlike
        // `paid + amount` it cannot overflow for a leaf amount near 2^256 either.
        unchecked {
            if (amount > total - paid) revert VaultExceedsTotal(epoch, paid, amount, total);
        }
        // amount <= total - paid, so paid + amount <= total < 2^96: adding it at bit 96 cannot
        // carry into claimableAt. One SSTORE of the word already in hand, no re-read.
        assembly ("memory-safe") {
            sstore(p.slot, add(payout, shl(96, amount)))
        }
    }

    /// @dev Storage slot of `_claimed[account][epoch >> 8]`, computed once so the word is read
    ///      and written without Solidity hashing the two mapping keys again for the write
    ///      (measured: 132 gas a claim).
    function _flagSlot(address account, uint256 epoch) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, _claimed.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, shr(8, epoch))
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev A claim that did not find its root claimable, or found the account already paid:
    ///      reverts with the first failing check, in the order {IPrizeVault-claim} documents.
    function _refuse(uint256 epoch, address account, uint256 amount) private view {
        Payout storage p = _payouts[epoch][_books[epoch].root];
        (RootStatus status, uint256 claimableAt, bool swept) = (p.status, p.claimableAt, p.swept);
        if (status == RootStatus.None) revert VaultNoRoot(epoch);
        if (status == RootStatus.Vetoed) revert VaultRootVetoed(epoch);
        if (block.timestamp < claimableAt) revert VaultRootNotReady(epoch, claimableAt);
        if (swept) revert VaultEpochSwept(epoch);
        if (_isClaimed(account, epoch)) revert VaultAlreadyClaimed(epoch, account);
        revert VaultInvalidProof(epoch, account, amount);
    }

    /// @dev The root `proof` leads to from `node`: the same result as OpenZeppelin's
    ///      `MerkleProof.processProofCalldata` (sorted-pair keccak up the proof), in assembly
    ///      because it is the claim's hot loop: measured on a 20-deep proof, the library loop
    ///      costs about 220 gas a level and this one about 130 (keccak included), about 1,800
    ///      gas a claim. It hashes in scratch space (0x00-0x3f) and allocates nothing; the ABI
    ///      decoder has already checked that the proof lies inside calldata.
    function _processProof(bytes32[] calldata proof, bytes32 node) private pure returns (bytes32) {
        assembly ("memory-safe") {
            if proof.length {
                let offset := proof.offset
                let end := add(offset, shl(5, proof.length))
                for {} 1 {} {
                    let sibling := calldataload(offset)
                    // The smaller of (node, sibling) goes first: write node at 0x20 when it is
                    // the larger, else at 0x00, and the sibling in the other word.
                    let nodeAt := shl(5, gt(node, sibling))
                    mstore(nodeAt, node)
                    mstore(xor(nodeAt, 0x20), sibling)
                    node := keccak256(0x00, 0x40)
                    offset := add(offset, 0x20)
                    if eq(offset, end) { break }
                }
            }
        }
        return node;
    }

    function _pay(address account, uint256 amount) private {
        if (ASSET == address(0)) {
            (bool ok,) = account.call{value: amount}("");
            if (!ok) revert VaultNativePaymentFailed(account, amount);
        } else {
            IERC20(ASSET).safeTransfer(account, amount);
        }
    }

    // ------------------------------------------------------------ rollover

    /// @inheritdoc IPrizeVault
    function sweep(uint256 fromEpoch, uint256 toEpoch) external nonReentrant whenNotPaused {
        if (toEpoch <= fromEpoch || toEpoch > currentEpoch()) revert VaultBadSweepTarget(fromEpoch, toEpoch);
        Book storage from = _books[fromEpoch];
        if (from.swept) revert VaultEpochSwept(fromEpoch);
        uint256 closesAt = claimWindowClosesAt(fromEpoch);
        if (block.timestamp < closesAt) revert VaultClaimWindowOpen(fromEpoch, closesAt);
        Book storage to = _books[toEpoch];
        if (_isFinal(to, toEpoch)) revert VaultEpochFinalized(toEpoch);
        // A pending root fixed its total when proposed, so money swept in would only wait for
        // that root's claim window to close again.
        bytes32 toRoot = to.root;
        if (toRoot != bytes32(0) && _payouts[toEpoch][toRoot].status == RootStatus.Proposed) {
            revert VaultSweepTargetHasRoot(toEpoch);
        }
        // Nothing was paid under a vetoed root (it never became claimable), nor without one.
        Payout storage fromPayout = _payouts[fromEpoch][from.root];
        uint256 amount = from.funded - fromPayout.paid;
        if (amount == 0) revert VaultNothingToSweep(fromEpoch);
        from.swept = true;
        from.sweptOut = uint96(amount);
        if (fromPayout.status != RootStatus.None) fromPayout.swept = true;
        _addFunds(to, toEpoch, amount);
        emit Swept(fromEpoch, toEpoch, amount, msg.sender);
    }

    /// @dev The one place a pool grows; keeps it within the packed uint96.
    function _addFunds(Book storage book, uint256 epoch, uint256 amount) private returns (uint256 funded) {
        funded = book.funded + amount;
        if (funded > type(uint96).max) revert VaultAmountOverflow(epoch, funded);
        book.funded = uint96(funded);
    }

    /// @dev Final: the pool's payout is fixed (claimable root) or it is closed (swept).
    function _isFinal(Book storage b, uint256 epoch) private view returns (bool) {
        if (b.swept) return true;
        bytes32 root = b.root;
        return root != bytes32(0) && _isClaimable(_payouts[epoch][root]);
    }

    /// @dev Proposed, not vetoed, past the challenge period (swept or not).
    function _isClaimable(Payout storage p) private view returns (bool) {
        return p.status == RootStatus.Proposed && block.timestamp >= p.claimableAt;
    }

    // ------------------------------------------------------------ pause

    /// @inheritdoc IPrizeVault
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
        _pausedSince = uint40(block.timestamp);
    }

    /// @inheritdoc IPrizeVault
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
        uint256 pausedAt = _pausedSince;
        _pausedBefore += uint64(block.timestamp - pausedAt);
        emit PauseEnded(pausedAt, block.timestamp);
    }

    /// @dev Seconds the vault has spent paused since deployment, the current pause included.
    function _pauseClock() private view returns (uint256) {
        uint256 clock = _pausedBefore;
        if (paused()) clock += block.timestamp - _pausedSince;
        return clock;
    }

    // ------------------------------------------------------------ roles

    /// @inheritdoc IPrizeVault
    function scheduleRoleChange(bytes32 role, address account, bool grant)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint256 executableAt)
    {
        if (!_isDelayedChange(role, grant)) revert VaultRoleChangeNotDelayed(role, grant);
        if (account == address(0)) revert VaultBadConfig();
        bytes32 key = _roleChangeKey(role, account, grant);
        if (_roleChanges[key] != 0) revert VaultRoleChangePending(role, account, grant);
        executableAt = block.timestamp + ROLE_DELAY;
        _roleChanges[key] = executableAt;
        emit RoleChangeScheduled(role, account, grant, executableAt, msg.sender);
    }

    /// @inheritdoc IPrizeVault
    function cancelRoleChange(bytes32 role, address account, bool grant) external onlyRole(DEFAULT_ADMIN_ROLE) {
        bytes32 key = _roleChangeKey(role, account, grant);
        if (_roleChanges[key] == 0) revert VaultNoRoleChange(role, account, grant);
        delete _roleChanges[key];
        emit RoleChangeCancelled(role, account, grant, msg.sender);
    }

    /// @inheritdoc IPrizeVault
    function executeRoleChange(bytes32 role, address account, bool grant) external {
        bytes32 key = _roleChangeKey(role, account, grant);
        uint256 executableAt = _roleChanges[key];
        if (executableAt == 0) revert VaultNoRoleChange(role, account, grant);
        if (block.timestamp < executableAt) revert VaultRoleChangeNotReady(role, account, grant, executableAt);
        delete _roleChanges[key];
        if (grant) {
            _grantRole(role, account);
        } else {
            _revokeRole(role, account);
        }
        emit RoleChangeExecuted(role, account, grant, msg.sender);
    }

    /// @inheritdoc IPrizeVault
    function roleChangeExecutableAt(bytes32 role, address account, bool grant) external view returns (uint256) {
        return _roleChanges[_roleChangeKey(role, account, grant)];
    }

    /// @notice Grants a role at once, except DISTRIBUTOR_ROLE and GUARDIAN_ROLE, which go through
    ///         {scheduleRoleChange} (and DEFAULT_ADMIN_ROLE, through the two-step transfer).
    function grantRole(bytes32 role, address account) public override {
        if (_isDelayedChange(role, true)) revert VaultRoleChangeDelayed(role, account, true);
        super.grantRole(role, account);
    }

    /// @notice Revokes a role at once, except GUARDIAN_ROLE, which goes through
    ///         {scheduleRoleChange}: removing the guardian removes the veto. A distributor is
    ///         revoked at once, since that only takes power away.
    function revokeRole(bytes32 role, address account) public override {
        if (_isDelayedChange(role, false)) revert VaultRoleChangeDelayed(role, account, false);
        super.revokeRole(role, account);
    }

    /// @notice The default admin delay cannot be set below the role delay, so replacing the admin
    ///         is never quicker than the role changes that admin could make.
    function changeDefaultAdminDelay(uint48 newDelay) public override {
        if (newDelay < ROLE_DELAY) revert VaultRoleDelayTooShort(newDelay, ROLE_DELAY);
        super.changeDefaultAdminDelay(newDelay);
    }

    /// @dev Changes that could let one key take the fund paths: granting either fund role, or
    ///      removing the guardian.
    function _isDelayedChange(bytes32 role, bool grant) private pure returns (bool) {
        return role == GUARDIAN_ROLE || (grant && role == DISTRIBUTOR_ROLE);
    }

    function _roleChangeKey(bytes32 role, address account, bool grant) private pure returns (bytes32) {
        return keccak256(abi.encode(role, account, grant));
    }

    // ------------------------------------------------------------ reads

    /// @inheritdoc IPrizeVault
    function epochInfo(uint256 epoch) external view returns (Epoch memory) {
        Book storage b = _books[epoch];
        Payout memory payout = _payouts[epoch][b.root];
        payout.swept = b.swept; // the same flag once a root exists; the only one without
        return Epoch({root: b.root, payout: payout, pool: Pool(b.funded, b.sweptOut)});
    }

    /// @inheritdoc IPrizeVault
    function isClaimed(uint256 epoch, address account) external view returns (bool) {
        return _isClaimed(account, epoch);
    }

    function _isClaimed(address account, uint256 epoch) private view returns (bool) {
        return _claimed[account][epoch >> 8] & (1 << (epoch & 0xff)) != 0;
    }

    /// @inheritdoc IPrizeVault
    function isClaimable(uint256 epoch) external view returns (bool) {
        Payout storage p = _payouts[epoch][_books[epoch].root];
        return _isClaimable(p) && !p.swept;
    }

    /// @inheritdoc IPrizeVault
    function claimWindowClosesAt(uint256 epoch) public view returns (uint256) {
        Book storage b = _books[epoch];
        Payout storage p = _payouts[epoch][b.root];
        if (p.status == RootStatus.Proposed) {
            // Time paused since the proposal does not count against claimants.
            return p.claimableAt + CLAIM_WINDOW + (_pauseClock() - b.pauseClockAtRoot);
        }
        // No claimable root: nobody can claim, so pauses change nothing. Epochs past the
        // fundable range hold nothing; their window is reported as never closing.
        if (epoch > currentEpoch() + _MAX_FUND_AHEAD) return type(uint256).max;
        return epochStart(epoch + 1) + CLAIM_WINDOW;
    }

    /// @inheritdoc IPrizeVault
    function leaf(address account, uint256 amount) public pure returns (bytes32 hash) {
        // keccak256(bytes.concat(keccak256(abi.encode(account, amount)))), hashed in scratch
        // space: the Solidity form allocates two memory buffers and costs a claim about 190 gas
        // more (measured). The address is cleaned of any dirty upper bits before hashing.
        assembly ("memory-safe") {
            mstore(0x00, shr(96, shl(96, account)))
            mstore(0x20, amount)
            mstore(0x00, keccak256(0x00, 0x40))
            hash := keccak256(0x00, 0x20)
        }
    }
}
